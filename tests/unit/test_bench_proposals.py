"""bench/proposals.py at a small scale (so it never rots), and the province's coverable case in time."""

from __future__ import annotations

import time

from bench.proposals import TARGET_SECONDS, province, run
from certflow.assessment.proposal_model import solve


def test_the_benchmark_runs_and_reports_each_scenario():
    result = run(candidates=40, assessors=12)
    assert set(result["scenarios"]) == {"coverable", "short_pool"}
    for scenario in result["scenarios"].values():
        assert scenario["assigned"] + scenario["unassigned"] == 40 and scenario["within_target"]


def test_a_coverable_province_is_proposed_well_within_the_target():
    pool, people = province(1000, 300, cap=10)
    start = time.perf_counter()
    solution = solve(pool, people, 2, False, 10)
    assert time.perf_counter() - start < TARGET_SECONDS and not solution.unassigned
