"""The team-proposal optimiser: plain data in, teams out (no database, no Flask).

**Method: OR-Tools CP-SAT, solved lexicographically in three stages.** The decision is how many
candidates of each *class* each assessor assesses, ``z[a, g]`` — a class being the candidates of one
dinas with the same individual conflicts (self, a declared relation or conflict), so the model has
(assessors × classes) integer variables, a few thousand for a province, whatever the number of
candidates. Constraints: every candidate covered by exactly ``team_size`` distinct assessors or left
unassigned (``sum_a z[a, g] = team_size · covered[g]``, ``z[a, g] <= covered[g]``); ``z[a, g] = 0``
for an assessor in conflict with the class (own dinas included unless the scheme allows it); each
assessor's open assessments plus new ones within the tighter of their own and the scheme's maximum
load. Stages: (1) cover as many candidates as possible, (2) minimise the highest load, (3) fewest
assessments by assessors of the candidates' own dinas. Counts that satisfy these constraints always
split into teams of distinct assessors (``_split``), so the optimum of the counts is the optimum of
the teams. Why CP-SAT: it proves optimality of the integer model exactly (the brute-force property
test checks the highest load), handles the lexicographic objectives by fixing each stage's optimum,
and solves a province (1,000 candidates, 300 assessors) in well under the 5 s budget; a greedy
heuristic cannot promise the optimum and a MIP needs a separate solver binary.

A shortfall is computed the same way: virtual assessors from outside each short dinas are added,
and the model minimises how many of them are needed to cover everyone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow
from ortools.sat.python import cp_model

TIME_LIMIT_SECONDS = 3.0


@dataclass(frozen=True)
class PoolMember:
    """An assessor of the pool: licensed for the scheme through the event date, active."""

    id: int
    name: str
    dinas_id: int
    load: int  # open assessments now
    cap: int  # the tighter of their own and the scheme's maximum load
    completed: int = 0  # assessments completed (the lead is the most experienced)

    @property
    def free(self) -> int:
        return max(0, self.cap - self.load)


@dataclass(frozen=True)
class Candidate:
    """An application to assess: its candidate's dinas and the assessors in conflict with them."""

    id: int
    dinas_id: int
    conflicts: frozenset[int] = frozenset()


@dataclass
class ProposedTeam:
    """A team: its members (lead first) and the applications it assesses."""

    lead: int
    members: list[int]
    applications: list[int]
    same_dinas: list[int] = field(default_factory=list)  # members of a candidate's own dinas


@dataclass
class Solution:
    """The proposal: teams, what stays unassigned, and how many more outside assessors each dinas needs."""

    teams: list[ProposedTeam]
    unassigned: list[int]
    loads: dict[int, int]  # assessor id → load after the proposal
    shortfall: dict[int, int]  # dinas id → assessors needed from outside it
    optimal: bool = True

    @property
    def highest_load(self) -> int:
        return max(self.loads.values(), default=0)


def may_assess(a: PoolMember, c: Candidate, allow_same_dinas: bool) -> bool:
    """Whether ``a`` may be on the team that assesses ``c`` (no conflict of interest)."""
    return a.id not in c.conflicts and (allow_same_dinas or a.dinas_id != c.dinas_id)


def _classes(candidates: list[Candidate]) -> list[list[Candidate]]:
    groups: dict[tuple, list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[(c.dinas_id, c.conflicts)].append(c)
    return [sorted(g, key=lambda c: c.id) for _, g in sorted(groups.items(), key=lambda kv: kv[1][0].id)]


class _Graph:
    """The flow network of a proposal: source → class (``team_size`` × covered) → assessor (at most the
    class's covered count: one assessment per candidate) → sink (the assessor's free load under a limit)."""

    SOURCE, SINK = 0, 1

    def __init__(self, pool: list[PoolMember], classes: list[list[Candidate]], team_size: int, allow_same: bool):
        self.pool, self.classes, self.k = pool, classes, team_size
        tails, heads, self.edges, self.same = [], [], [], []
        for gi in range(len(classes)):
            tails.append(self.SOURCE)
            heads.append(2 + gi)
        for gi, g in enumerate(classes):
            for ai, a in enumerate(pool):
                if a.free and may_assess(a, g[0], allow_same):
                    tails.append(2 + gi)
                    heads.append(2 + len(classes) + ai)
                    self.edges.append((gi, ai))
                    self.same.append(a.dinas_id == g[0].dinas_id)
        for ai in range(len(pool)):
            tails.append(2 + len(classes) + ai)
            heads.append(self.SINK)
        self.tails, self.heads = np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32)

    def caps(self, cov: list[int], limit: int | None) -> np.ndarray:
        sink = [max(0, a.free if limit is None else min(a.free, limit - a.load)) for a in self.pool]
        return np.array(
            [self.k * c for c in cov] + [cov[gi] for gi, _ in self.edges] + sink,
            dtype=np.int64,
        )

    def flow(self, cov: list[int], limit: int | None = None, *, prefer_outside: bool = False):
        """The assessments per (class, assessor) edge covering ``cov`` under ``limit``, or None if impossible."""
        demand = self.k * sum(cov)
        caps = self.caps(cov, limit)
        if prefer_outside:
            solver = min_cost_flow.SimpleMinCostFlow()
            costs = np.array([0] * len(cov) + [int(x) for x in self.same] + [0] * len(self.pool), dtype=np.int64)
            arcs = solver.add_arcs_with_capacity_and_unit_cost(self.tails, self.heads, caps, costs)
            supplies = np.zeros(2 + len(self.classes) + len(self.pool), dtype=np.int64)
            supplies[self.SOURCE], supplies[self.SINK] = demand, -demand
            solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
            if solver.solve() != solver.OPTIMAL:
                return None
        else:
            solver = max_flow.SimpleMaxFlow()
            arcs = solver.add_arcs_with_capacity(self.tails, self.heads, caps)
            if solver.solve(self.SOURCE, self.SINK) != solver.OPTIMAL or solver.optimal_flow() != demand:
                return None
        flows = solver.flows(arcs)[len(cov) : len(cov) + len(self.edges)]
        return {edge: int(f) for edge, f in zip(self.edges, flows, strict=True) if f}


def _max_coverage(graph: _Graph, allow_same: bool) -> tuple[list[int], bool]:
    """The most candidates of each class that can be covered at all (CP-SAT; exact unless it times out)."""
    full = [len(g) for g in graph.classes]
    if graph.flow(full) is not None:
        return full, True
    m = cp_model.CpModel()
    cov = [m.NewIntVar(0, len(g), f"cov{gi}") for gi, g in enumerate(graph.classes)]
    per_class, per_assessor = defaultdict(list), defaultdict(list)
    for gi, ai in graph.edges:
        v = m.NewIntVar(0, min(len(graph.classes[gi]), graph.pool[ai].free), f"z{gi}_{ai}")
        m.Add(v <= cov[gi])
        per_class[gi].append(v)
        per_assessor[ai].append(v)
    for gi in range(len(cov)):
        m.Add(sum(per_class[gi]) == graph.k * cov[gi])
    for ai, vs in per_assessor.items():
        m.Add(sum(vs) <= graph.pool[ai].free)
    m.Maximize(sum(cov))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = TIME_LIMIT_SECONDS
    solver.parameters.num_workers = 1
    status = solver.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [0] * len(cov), False
    return [int(solver.Value(v)) for v in cov], status == cp_model.OPTIMAL


def solve(
    pool: list[PoolMember], candidates: list[Candidate], team_size: int, allow_same_dinas: bool, scheme_cap: int = 5
) -> Solution:
    """The proposal for ``candidates`` from ``pool`` (see the module's docstring)."""
    classes = _classes(candidates)
    graph = _Graph(pool, classes, team_size, allow_same_dinas)
    cov, optimal = _max_coverage(graph, allow_same_dinas) if classes else ([], True)
    # the lowest limit on the highest load that still covers ``cov``: binary search, each step a max flow
    low = max((a.load for a in pool), default=0)
    high = max([low] + [a.load + a.free for a in pool])
    while low < high:
        mid = (low + high) // 2
        if graph.flow(cov, mid) is None:
            low = mid + 1
        else:
            high = mid
    counts = graph.flow(cov, low, prefer_outside=True) or {}
    teams, unassigned, loads = [], [], {a.id: a.load for a in pool}
    by_id = {a.id: a for a in pool}
    for gi, g in enumerate(classes):
        per = {pool[ai].id: n for (ci, ai), n in counts.items() if ci == gi}
        for aid, n in per.items():
            loads[aid] += n
        start = 0
        for members, n in _split(per, cov[gi], team_size):
            teams.append(_team(members, [c.id for c in g[start : start + n]], by_id, g[0].dinas_id))
            start += n
        unassigned.extend(c.id for c in g[cov[gi] :])
    residual = [PoolMember(a.id, a.name, a.dinas_id, loads[a.id], a.cap, a.completed) for a in pool]
    left = [c for g, n in zip(classes, cov, strict=True) for c in g[n:]]
    short = shortfall(residual, left, team_size, allow_same_dinas, scheme_cap)
    return Solution(_merge(teams), sorted(unassigned), loads, short, optimal)


def _split(counts: dict[int, int], n: int, k: int) -> list[tuple[list[int], int]]:
    """Split per-assessor counts (each <= n, summing to k·n) into teams of k distinct assessors: repeatedly
    the k assessors with most left assess as many candidates as keeps every count <= the candidates left."""
    left = dict(counts)
    out = []
    while n > 0:
        order = sorted((a for a in left if left[a] > 0), key=lambda a: (-left[a], a))
        chosen = order[:k]
        nxt = left[order[k]] if len(order) > k else 0
        m = min(min(left[a] for a in chosen), n - nxt)
        out.append((sorted(chosen), m))
        for a in chosen:
            left[a] -= m
        n -= m
    return out


def _team(members: list[int], apps: list[int], by_id: dict[int, PoolMember], dinas_id: int) -> ProposedTeam:
    lead = max(members, key=lambda a: (by_id[a].completed, -by_id[a].load, -a))
    same = [a for a in members if by_id[a].dinas_id == dinas_id]
    return ProposedTeam(lead, [lead] + [a for a in members if a != lead], apps, same)


def _merge(teams: list[ProposedTeam]) -> list[ProposedTeam]:
    """Teams with the same members (for candidates of several dinas) become one."""
    merged: dict[tuple, ProposedTeam] = {}
    for t in teams:
        key = tuple(sorted(t.members))
        if key in merged:
            merged[key].applications += t.applications
            merged[key].same_dinas = sorted(set(merged[key].same_dinas) | set(t.same_dinas))
        else:
            merged[key] = t
    return list(merged.values())


def shortfall(
    pool: list[PoolMember], unassigned: list[Candidate], team_size: int, allow_same_dinas: bool, scheme_cap: int
) -> dict[int, int]:
    """How many more assessors from outside each dinas (licensed, with the scheme's full load free) would
    cover ``unassigned``, the pool's free load used first: per dinas in turn, the fewest (binary search,
    each step a max flow)."""
    needed: dict[int, int] = {}
    by_dinas: dict[int, list[Candidate]] = defaultdict(list)
    for c in unassigned:
        by_dinas[c.dinas_id].append(c)
    cap = max(1, scheme_cap)
    for dinas_id in sorted(by_dinas):
        group = by_dinas[dinas_id]
        classes = _classes(group)
        cov = [len(g) for g in classes]

        def covers(n: int, pool=pool, classes=classes, cov=cov) -> dict | None:
            extra = [PoolMember(-1 - i, "", -1, 0, cap) for i in range(n)]
            return _Graph(pool + extra, classes, team_size, allow_same_dinas).flow(cov)

        low, high = 0, max(team_size, -(-team_size * len(group) // cap))
        while low < high:
            mid = (low + high) // 2
            if covers(mid) is None:
                low = mid + 1
            else:
                high = mid
        needed[dinas_id] = low
        used = covers(low) or {}
        spent: dict[int, int] = defaultdict(int)
        full = pool + [PoolMember(-1 - i, "", -1, 0, cap) for i in range(low)]
        graph = _Graph(full, classes, team_size, allow_same_dinas)
        for (_, ai), n in used.items():
            spent[graph.pool[ai].id] += n
        pool = [PoolMember(a.id, a.name, a.dinas_id, a.load + spent[a.id], a.cap, a.completed) for a in pool]
    return {d: n for d, n in needed.items() if n}
