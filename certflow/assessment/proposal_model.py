"""The team-proposal optimiser: plain data in, teams out (no database, no Flask). OR-Tools, exact methods.

**The model.** The decision is how many candidates of each *class* each assessor assesses,
``z[a, g]`` — a class being the candidates of one dinas with the same individual conflicts (self,
a declared relation or conflict) — so its size is (assessors × classes), whatever the number of
candidates. Rules: every candidate covered by exactly ``team_size`` distinct assessors or left
unassigned (``sum_a z[a, g] = team_size · covered[g]``, ``z[a, g] <= covered[g]``); ``z[a, g] = 0``
for an assessor in conflict with the class (own dinas included unless the scheme allows it); each
assessor's open assessments plus new ones within the tighter of their own and the scheme's maximum
load. Counts meeting these always split into teams of distinct assessors (``_split``), so the
optimum of the counts is the optimum of the teams.

**The method, lexicographic.** (1) Coverage: with ``covered`` fixed the model is a flow network
(source → class → assessor → sink), so a max flow (OR-Tools ``SimpleMaxFlow``) says at once whether
everyone can be covered — the usual case; only when not, CP-SAT maximises the coverage (hinted with
a coverage derived from the max flow, never worse than it; ``optimal`` says whether it proved the
optimum in its time limit). (2) The highest load: binary search on a load limit, each step a max
flow — exact. (3) Members from outside the candidates' dinas: a min-cost flow at that limit.
The lead of each team is its member with most completed assessments. Why flows and not one CP-SAT
model: the same optimum, proven, in ~0.1 s for a province (a CP-SAT minimax did not finish in 4 s
on this machine); the brute-force property test checks the highest load on small instances.

A shortfall: per short dinas, the fewest extra assessors from outside it (full load free) with
which everyone is covered, the pool's free load used first (binary search over max flows).
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


def _flow_coverage(graph: _Graph) -> list[int]:
    """A coverage that is always possible: a max flow with every class's full demand, each class then
    covering the most candidates its flow can give distinct assessors to."""
    solver = max_flow.SimpleMaxFlow()
    arcs = solver.add_arcs_with_capacity(graph.tails, graph.heads, graph.caps([len(g) for g in graph.classes], None))
    solver.solve(graph.SOURCE, graph.SINK)
    flows = solver.flows(arcs)[len(graph.classes) : len(graph.classes) + len(graph.edges)]
    per_class: dict[int, list[int]] = defaultdict(list)
    for (gi, _), f in zip(graph.edges, flows, strict=True):
        if f:
            per_class[gi].append(int(f))
    cov = []
    for gi in range(len(graph.classes)):
        best = 0
        for c in range(len(graph.classes[gi]), 0, -1):
            if sum(min(f, c) for f in per_class[gi]) >= graph.k * c:
                best = c
                break
        cov.append(best)
    return cov


def _max_coverage(graph: _Graph, allow_same: bool) -> tuple[list[int], bool]:
    """The most candidates of each class that can be covered (CP-SAT from the flow's coverage as a hint;
    exact unless it times out, then the best found, never less than the flow's)."""
    full = [len(g) for g in graph.classes]
    if graph.flow(full) is not None:
        return full, True
    start = _flow_coverage(graph)
    hint = graph.flow(start) or {}
    m = cp_model.CpModel()
    cov = [m.NewIntVar(0, len(g), f"cov{gi}") for gi, g in enumerate(graph.classes)]
    for v, value in zip(cov, start, strict=True):
        m.AddHint(v, value)
    per_class, per_assessor = defaultdict(list), defaultdict(list)
    for gi, ai in graph.edges:
        v = m.NewIntVar(0, min(len(graph.classes[gi]), graph.pool[ai].free), f"z{gi}_{ai}")
        m.AddHint(v, hint.get((gi, ai), 0))
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
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.ObjectiveValue() < sum(start):
        return start, False
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
