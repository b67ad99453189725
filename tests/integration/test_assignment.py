"""Suggesting teams (certflow.assessment.teams.suggest_teams) on a real database."""

from __future__ import annotations

from certflow.assessment.teams import suggest_teams
from certflow.models import Application, AssessorRelation
from tests.factories import make_assessor, make_team
from tests.web.test_pages_admin_support import candidate_in, eligible
from tests.web.test_pages_support import count_queries


def _pair(world, dinas, name, scheme=None, **kw):
    scheme = scheme or world.scheme
    lead = make_assessor(dinas, [scheme], name=f"{name} lead", **kw)
    member = make_assessor(dinas, [scheme], name=f"{name} member", **kw)
    return make_team(dinas, scheme, lead, [member], name=name), (lead, member)


def _load(world, db, team, n):
    """``n`` open assessments for ``team`` (candidates of Batam, assigned through the workflow)."""
    for _ in range(n):
        application = eligible(world, candidate_in(world.batam))
        world.fire(application, "assign_team", world.admin_kepri, data={"team": team.id})


def _names(suggestions):
    return [s.team.name if s.team else None for s in suggestions]


def test_the_lowest_load_team_without_conflict_is_proposed(world, db):
    busy, _ = _pair(world, world.bintan, "Tim Busy")
    related, (kin, _) = _pair(world, world.dinas_kepri, "Tim A Related")
    free, _ = _pair(world, world.dinas_kepri, "Tim Free")
    db.session.commit()
    _load(world, db, world.team, 1)
    _load(world, db, busy, 2)
    application = eligible(world)
    db.session.add(AssessorRelation(assessor_id=kin.id, user_id=world.candidate.id))
    db.session.commit()
    [suggestion] = suggest_teams(world.admin_kepri, [application])
    assert suggestion.team.id == free.id and suggestion.load == 0
    refused = {team.name: exc.rule for team, exc in suggestion.refusals}
    assert refused == {"Tim A Related": "no_conflict"}


def test_a_batch_spreads_over_the_teams_and_respects_capacity(world, db):
    one, _ = _pair(world, world.dinas_kepri, "Tim One", max_load=1)
    two, _ = _pair(world, world.dinas_kepri, "Tim Two", max_load=1)
    world.team.active = False
    db.session.commit()
    applications = [eligible(world, candidate_in(world.batam)) for _ in range(3)]
    suggestions = suggest_teams(world.admin_kepri, applications)
    assert _names(suggestions) == ["Tim One", "Tim Two", None]
    assert {exc.rule for _, exc in suggestions[2].refusals} == {"within_capacity"}
    assert one.id != two.id


def test_a_same_dinas_team_is_not_proposed_even_where_the_scheme_allows_it(world, db):
    world.scheme.allow_same_dinas = True
    batam_team, _ = _pair(world, world.batam, "Tim Batam")
    db.session.commit()
    _load(world, db, world.team, 1)
    application = eligible(world)
    [suggestion] = suggest_teams(world.admin_kepri, [application])
    assert suggestion.team.id == world.team.id
    assert [(t.id, e.rule) for t, e in suggestion.refusals] == [(batam_team.id, "no_conflict")]


def test_only_active_teams_of_the_scheme_and_of_the_scope_are_considered(world, db):
    pny, _ = _pair(world, world.dinas_kepri, "Tim PNY", scheme=world.other_scheme)
    batam_team, _ = _pair(world, world.batam, "Tim Batam")
    expired, (old, _) = _pair(world, world.dinas_kepri, "Tim Expired")
    db.session.commit()
    application = eligible(world, world.candidate, world.other_scheme)
    [suggestion] = suggest_teams(world.admin_kepri, [application])
    assert suggestion.team.id == pny.id
    psg = eligible(world, candidate_in(world.bintan))
    [by_batam] = suggest_teams(world.admin_batam, [psg])  # Bintan's candidate is not Batam's admin's
    assert by_batam.team is None
    assert {e.code for _, e in by_batam.refusals} == {"forbidden"}
    old.licence_expires = old.licence_expires.replace(year=2000)
    db.session.commit()
    [mine] = suggest_teams(world.admin_kepri, [eligible(world, candidate_in(world.batam))])
    assert mine.team is not None and expired.id in {t.id for t, e in mine.refusals if e.rule == "licences_valid"}


def test_a_suggestion_changes_nothing_and_costs_the_same_queries_for_2_or_6_candidates(world, db):
    _pair(world, world.dinas_kepri, "Tim Two")
    db.session.commit()
    few = [eligible(world, candidate_in(world.batam)) for _ in range(2)]
    more = few + [eligible(world, candidate_in(world.batam)) for _ in range(4)]
    db.session.expire_all()
    loaded = [db.session.get(Application, a.id) for a in few]
    with count_queries() as small:
        suggest_teams(world.admin_kepri, loaded)
    db.session.expire_all()
    loaded = [db.session.get(Application, a.id) for a in more]
    with count_queries() as large:
        suggest_teams(world.admin_kepri, loaded)
    assert large[0] == small[0]  # the relations and declarations of all candidates at once
    assert not db.session.dirty and not db.session.new
    assert {db.session.get(Application, a.id).state for a in more} == {"eligible"}
