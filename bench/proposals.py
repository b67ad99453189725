"""Benchmark of team proposals: a province of 1,000 eligible candidates and 300 assessors (target < 5 s).

``python -m bench.proposals`` prints the seconds of the optimiser (``certflow.assessment.proposal_model``)
for two provinces: one whose pool can cover every candidate, and one whose pool is short (the
coverage is then maximised by CP-SAT, and the shortfall per dinas computed). The data: 18 kab/kota
and the province dinas, candidates spread over the kab/kota, 5 % of them with a declared relation
to one assessor, assessors of every dinas with 0–2 open assessments, team size 2.
"""

from __future__ import annotations

import json
import random
import time

from certflow.assessment.proposal_model import Candidate, PoolMember, solve

TARGET_SECONDS = 5.0


def province(candidates: int = 1000, assessors: int = 300, cap: int = 10, seed: int = 12):
    """A generated province: (pool, candidates)."""
    rng = random.Random(seed)
    dinas = list(range(19))  # 0: the province dinas, 1–18: kab/kota
    pool = [
        PoolMember(i + 1, f"Asesor {i + 1}", rng.choice(dinas), rng.randrange(3), cap, rng.randrange(30))
        for i in range(assessors)
    ]
    people = [
        Candidate(
            10_000 + j,
            rng.choice(dinas[1:]),
            frozenset([rng.randrange(1, assessors + 1)]) if rng.random() < 0.05 else frozenset(),
        )
        for j in range(candidates)
    ]
    return pool, people


def run(candidates: int = 1000, assessors: int = 300) -> dict:
    """Seconds and outcome of each scenario."""
    results = {}
    for name, cap in (("coverable", 10), ("short_pool", 4)):
        pool, people = province(candidates, assessors, cap)
        start = time.perf_counter()
        solution = solve(pool, people, 2, False, cap)
        seconds = time.perf_counter() - start
        results[name] = {
            "seconds": round(seconds, 3),
            "teams": len(solution.teams),
            "assigned": candidates - len(solution.unassigned),
            "unassigned": len(solution.unassigned),
            "highest_load": solution.highest_load,
            "shortfall_assessors": sum(solution.shortfall.values()),
            "optimal": solution.optimal,
            "within_target": seconds < TARGET_SECONDS,
        }
    return {"candidates": candidates, "assessors": assessors, "scenarios": results}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
