"""Conflicts of interest (DOMAIN.md rule 5), capacity and conflict declarations, on real data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.models import AssessorRelation, ConflictDeclaration, TransitionLog
from tests.factories import make_assessor, make_team
from tests.integration.test_rules_workflow import bring, refused
from workflows import GuardFailed


def _eligible(world, candidate=None):
    return bring(world, world.new_application(candidate), "eligible")


def _team_with(world, db, *assessors, name="Tim Konflik"):
    team = make_team(world.dinas_kepri, world.scheme, world.lead, list(assessors), name=name)
    db.session.commit()
    return team


def _conflict(world, db, app, team, **data):
    err = refused(db, GuardFailed, app, "assign_team", world.admin_kepri, data={"team": team.id, **data})
    assert err.rule == "no_conflict"
    return err


def test_an_assessor_never_assesses_themself(world, db):
    w = world
    self_assessor = make_assessor(w.bintan, [w.scheme], user=w.candidate)  # not of Batam: only "self" applies
    team = _team_with(w, db, self_assessor)
    err = _conflict(w, db, _eligible(w), team)
    assert err.params["assessor"] == "Siti Candidate"
    assert "themself" in err.params["rule"]


def test_a_declared_relation_blocks(world, db):
    w = world
    db.session.add(AssessorRelation(assessor_id=w.member.id, user_id=w.candidate.id, kind="relative"))
    db.session.commit()
    err = _conflict(w, db, _eligible(w), w.team)
    assert err.params["assessor"] == "Member Assessor" and "relation" in err.params["rule"]


def test_a_relation_to_someone_else_does_not_block(world, db):
    w = world
    db.session.add(AssessorRelation(assessor_id=w.member.id, user_id=w.other_candidate.id))
    db.session.commit()
    app = _eligible(w)
    w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})


def test_a_declared_conflict_blocks(world, db):
    w = world
    app = _eligible(w)
    db.session.add(ConflictDeclaration(application_id=app.id, assessor_id=w.lead.id, conflict=True))
    db.session.commit()
    err = _conflict(w, db, app, w.team)
    assert err.params["assessor"] == "Lead Assessor" and "declared a conflict" in err.params["rule"]


def test_a_declared_absence_of_conflict_does_not_block(world, db):
    w = world
    app = _eligible(w)
    db.session.add(ConflictDeclaration(application_id=app.id, assessor_id=w.lead.id, conflict=False))
    db.session.commit()
    w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})


def test_same_dinas_is_blocked_by_default_even_with_a_reason(world, db):
    w = world
    team = _team_with(w, db, w.same_dinas_assessor)
    app = _eligible(w)
    err = _conflict(w, db, app, team)
    assert err.params["assessor"] == "Batam Assessor" and "own dinas" in err.params["rule"]
    _conflict(w, db, app, team, override_reason="We have nobody else.")


def test_same_dinas_is_allowed_by_the_scheme_only_with_a_recorded_reason(world, db):
    w = world
    w.scheme.allow_same_dinas = True
    team = _team_with(w, db, w.same_dinas_assessor)
    app = _eligible(w)
    for missing in ({}, {"override_reason": ""}, {"override_reason": "   "}):
        err = _conflict(w, db, app, team, **missing)
        assert "override_reason" in err.params["rule"]
    w.fire(
        app, "assign_team", w.admin_kepri, data={"team": team.id, "override_reason": "Only Batam has PSG assessors."}
    )
    assert app.state == "team_assigned"
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.event == "assign_team"))
    assert log.data == {"team": team.id, "override_reason": "Only Batam has PSG assessors."}


@pytest.mark.parametrize("bad", [5, ["a reason"], {"why": "x"}, True])
def test_an_override_reason_that_is_not_text_is_refused_not_a_crash(world, db, bad):
    w = world
    w.scheme.allow_same_dinas = True
    team = _team_with(w, db, w.same_dinas_assessor)
    err = _conflict(w, db, _eligible(w), team, override_reason=bad)
    assert "override_reason" in err.params["rule"]


def test_the_first_conflicted_member_is_named(world, db):
    w = world
    db.session.add(AssessorRelation(assessor_id=w.member.id, user_id=w.candidate.id))
    team = _team_with(w, db, w.member, w.same_dinas_assessor)
    err = _conflict(w, db, _eligible(w), team)
    assert err.params["assessor"] in {"Member Assessor", "Batam Assessor"}


# -- capacity -----------------------------------------------------------------------------------


def test_an_assessor_at_full_capacity_blocks_the_assignment(world, db):
    w = world
    w.member.max_load = 1
    db.session.commit()
    first, second = _eligible(w), _eligible(w)
    w.fire(first, "assign_team", w.admin_kepri, data={"team": w.team.id})
    err = refused(db, GuardFailed, second, "assign_team", w.admin_kepri, data={"team": w.team.id})
    assert err.rule == "within_capacity"
    assert err.params == {"assessor": "Member Assessor", "load": 1, "max_load": 1}
    # in assessment still counts; once decided, the load is freed
    w.declare(first)
    w.fire(first, "start_assessment", w.lead.user)
    refused(db, GuardFailed, second, "assign_team", w.admin_kepri, data={"team": w.team.id}, rule="within_capacity")
    w.score_all(first, w.lead)
    w.fire(first, "recommend", w.lead.user, data={"recommendation": "K"})
    w.fire(second, "assign_team", w.admin_kepri, data={"team": w.team.id})
    assert second.state == "team_assigned"


def test_load_counts_open_assessments_of_every_team(world, db):
    w = world
    other = make_team(w.dinas_kepri, w.scheme, w.member, [w.lead], name="Tim Kepri 2")
    w.lead.max_load = 2
    db.session.commit()
    a, b, c = _eligible(w), _eligible(w), _eligible(w)
    w.fire(a, "assign_team", w.admin_kepri, data={"team": w.team.id})
    w.fire(b, "assign_team", w.admin_kepri, data={"team": other.id})
    refused(db, GuardFailed, c, "assign_team", w.admin_kepri, data={"team": w.team.id}, rule="within_capacity")
    w.fire(a, "withdraw", w.candidate)
    w.fire(c, "assign_team", w.admin_kepri, data={"team": w.team.id})


# -- declarations before the assessment starts ------------------------------------------------------


def test_start_assessment_needs_every_members_declaration(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    err = refused(db, GuardFailed, app, "start_assessment", w.lead.user, rule="conflicts_declared")
    assert sorted(err.params["names"].split(", ")) == ["Lead Assessor", "Member Assessor"]
    w.declare(app, w.lead)
    err = refused(db, GuardFailed, app, "start_assessment", w.lead.user, rule="conflicts_declared")
    assert err.params == {"names": "Member Assessor"}
    w.declare(app, w.member)
    w.fire(app, "start_assessment", w.lead.user)
    assert app.state == "in_assessment"


def test_start_assessment_refused_when_a_member_declares_a_conflict(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app, w.lead)
    w.declare(app, w.member, conflict=True)
    err = refused(db, GuardFailed, app, "start_assessment", w.lead.user, rule="conflicts_declared")
    assert err.params == {"names": "Member Assessor"} and "declared a conflict" in err.message


def test_declarations_of_other_applications_do_not_count(world, db):
    w = world
    other = bring(w, w.new_application(), "team_assigned")
    w.declare(other)
    app = bring(w, w.new_application(), "team_assigned")
    refused(db, GuardFailed, app, "start_assessment", w.lead.user, rule="conflicts_declared")
