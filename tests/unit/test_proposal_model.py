"""The team-proposal optimiser against brute force, and its teams against the rules (no database)."""

from __future__ import annotations

from itertools import combinations, product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certflow.assessment.proposal_model import Candidate, PoolMember, may_assess, solve


@st.composite
def instances(draw, max_assessors=5, max_candidates=4):
    n_dinas = draw(st.integers(1, 3))
    pool = [
        PoolMember(
            i + 1,
            f"A{i + 1}",
            draw(st.integers(0, n_dinas - 1)),
            load := draw(st.integers(0, 2)),
            max(load, draw(st.integers(1, 3))),
            draw(st.integers(0, 5)),
        )
        for i in range(draw(st.integers(0, max_assessors)))
    ]
    ids = [a.id for a in pool]
    candidates = [
        Candidate(
            100 + j,
            draw(st.integers(0, n_dinas - 1)),
            frozenset(draw(st.sets(st.sampled_from(ids), max_size=1)) if ids else ()),
        )
        for j in range(draw(st.integers(1, max_candidates)))
    ]
    return pool, candidates, draw(st.integers(1, 2)), draw(st.booleans())


def brute_force(pool, candidates, k, allow_same):
    """The best (covered, -highest load) over every choice of a team (or none) for each candidate."""
    options = []
    for c in candidates:
        fit = [a for a in pool if may_assess(a, c, allow_same)]
        options.append([None] + list(combinations([a.id for a in fit], k)))
    best = None
    for choice in product(*options):
        loads = {a.id: a.load for a in pool}
        for team in choice:
            for aid in team or ():
                loads[aid] += 1
        if any(loads[a.id] > max(a.cap, a.load) or (loads[a.id] > a.load and loads[a.id] > a.cap) for a in pool):
            continue
        score = (sum(1 for t in choice if t), -max(loads.values(), default=0))
        best = score if best is None or score > best else best
    return best


def check_rules(pool, candidates, k, allow_same, solution):
    """Every proposed team: k distinct assessors, no conflict with any of its candidates, nobody over load."""
    by_id = {a.id: a for a in pool}
    cands = {c.id: c for c in candidates}
    loads = {a.id: a.load for a in pool}
    seen = set()
    for team in solution.teams:
        assert len(team.members) == len(set(team.members)) == k
        assert team.lead == team.members[0]
        for app in team.applications:
            assert app not in seen
            seen.add(app)
            for aid in team.members:
                assert may_assess(by_id[aid], cands[app], allow_same)
                loads[aid] += 1
    assert seen | set(solution.unassigned) == set(cands) and not seen & set(solution.unassigned)
    for a in pool:
        assert loads[a.id] == solution.loads[a.id]
        assert loads[a.id] == a.load or loads[a.id] <= a.cap
    return len(seen), -max(loads.values(), default=0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_highest_load_is_the_brute_force_optimum(instance):
    pool, candidates, k, allow_same = instance
    solution = solve(pool, candidates, k, allow_same, scheme_cap=3)
    got = check_rules(pool, candidates, k, allow_same, solution)
    assert got == brute_force(pool, candidates, k, allow_same)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_assessors=10, max_candidates=12))
def test_no_proposal_breaks_a_rule(instance):
    pool, candidates, k, allow_same = instance
    check_rules(pool, candidates, k, allow_same, solve(pool, candidates, k, allow_same, scheme_cap=3))


def test_shortfall_names_how_many_outside_assessors_each_dinas_needs():
    pool = [PoolMember(1, "A", dinas_id=7, load=0, cap=3)]  # only an assessor of the candidates' own dinas
    candidates = [Candidate(10 + i, dinas_id=7) for i in range(3)]
    solution = solve(pool, candidates, 2, allow_same_dinas=False, scheme_cap=3)
    assert solution.teams == [] and solution.unassigned == [10, 11, 12]
    assert solution.shortfall == {7: 2}  # two outsiders, each assessing the three candidates


def test_shortfall_uses_the_free_load_of_the_pool_first():
    pool = [PoolMember(1, "A", dinas_id=1, load=0, cap=3)]
    candidates = [Candidate(10 + i, dinas_id=7) for i in range(3)]
    solution = solve(pool, candidates, 2, allow_same_dinas=False, scheme_cap=3)
    assert solution.shortfall == {7: 1}


def test_lead_is_the_most_experienced_and_outsiders_are_preferred():
    pool = [
        PoolMember(1, "Novice", dinas_id=1, load=0, cap=3, completed=0),
        PoolMember(2, "Veteran", dinas_id=1, load=0, cap=3, completed=9),
        PoolMember(3, "Local", dinas_id=2, load=0, cap=3, completed=20),
    ]
    solution = solve(pool, [Candidate(10, dinas_id=2)], 2, allow_same_dinas=True, scheme_cap=3)
    (team,) = solution.teams
    assert team.members == [2, 1] and team.lead == 2 and team.same_dinas == []
