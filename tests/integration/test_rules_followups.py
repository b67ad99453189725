"""Rules settled after the first review: carried K units, involvement, scheme load, suspended renewals."""

from __future__ import annotations

from sqlalchemy import select

from certflow.applications.workflow import fire_certificate_event
from certflow.models import Application, Certificate, ConflictDeclaration, Team, TeamMember
from certflow.people.policy import application_actor
from tests.factories import make_assessor, make_team
from tests.integration.test_rules_workflow import bring, refused
from workflows import GuardFailed


def test_a_reassessment_by_a_new_lead_needs_only_the_bk_units_scored(world, db):
    w = world
    app = bring(w, w.new_application(), "not_yet_competent")
    w.fire(app, "request_reassessment", w.candidate)
    assert app.reassessment_units == ["PSG.U1"]
    # a new team with another lead takes over
    new_lead = make_assessor(w.dinas_kepri, [w.scheme], name="New Lead")
    team2 = make_team(w.dinas_kepri, w.scheme, new_lead, [w.member], name="Tim Kepri 2")
    db.session.commit()
    w.fire(app, "assign_team", w.admin_kepri, data={"team": team2.id})
    w.declare(app, new_lead)  # the member declared already in the first assessment
    w.fire(app, "start_assessment", new_lead.user)
    refused(db, GuardFailed, app, "recommend", new_lead.user, data={"recommendation": "K"}, rule="all_criteria_scored")
    w.score_all(app, new_lead, bk_units=())  # the new lead scores everything K …
    # … but only the BK unit had to be scored: with U2's scores gone the K of U2 is carried over
    from certflow.models import Criterion, Score, Unit

    u2 = select(Criterion.id).join(Unit, Unit.id == Criterion.unit_id).where(Unit.code == "PSG.U2")
    db.session.execute(Score.__table__.delete().where(Score.assessor_id == new_lead.id, Score.criterion_id.in_(u2)))
    db.session.commit()
    w.fire(app, "recommend", new_lead.user, data={"recommendation": "K"})
    w.fire(app, "certify", w.certifier)
    assert app.state == "certified"


def test_a_certifier_who_declared_for_the_candidate_is_never_independent(world, db):
    w = world
    w.member.user.set_roles(w.member.user.roles | {"certifier"})
    db.session.commit()
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app, w.member)
    # the team is unassigned (the application withdrawn here) — the declaration remains
    app.state, app.team_id = "withdrawn", None
    db.session.commit()
    assert db.session.scalar(select(ConflictDeclaration.id).where(ConflictDeclaration.application_id == app.id))
    relations = application_actor(w.member.user, app).relations
    assert "independent" not in relations and "appeal_handler" not in relations
    assert "independent" in application_actor(w.certifier, app).relations


def test_the_schemes_maximum_load_caps_an_assessors_own(world, db):
    w = world
    w.scheme.max_load = 1
    w.lead.max_load = 10
    db.session.commit()
    bring(w, w.new_application(), "team_assigned")
    second = bring(w, w.new_application(), "eligible")
    err = refused(db, GuardFailed, second, "assign_team", w.admin_kepri, data={"team": w.team.id})
    assert err.rule == "within_capacity" and err.params["max_load"] == 1


def test_a_suspended_certificate_is_superseded_by_recertification(world, db):
    w = world
    first = bring(w, w.new_application(), "certified")
    old = db.session.scalar(select(Certificate).where(Certificate.application_id == first.id))
    fire_certificate_event(old, "suspend", w.certifier, reason="Complaint under review.", data={"until": "2999-01-01"})
    db.session.commit()
    renewal = w.new_application()
    renewal.previous_certificate_id = old.id
    db.session.commit()
    bring(w, renewal, "certified")
    db.session.refresh(old)
    assert old.status == "superseded"


def test_team_members_come_in_a_stable_order(world, db):
    team = db.session.get(Team, world.team.id)
    ids = [m.assessor_id for m in team.member_rows]
    assert ids == sorted(ids)
    assert all(isinstance(m, TeamMember) for m in team.member_rows)
    assert db.session.scalar(select(Application.id)) is None
