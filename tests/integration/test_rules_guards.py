"""The guards of submission, verification and team assignment, with real data in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from certflow import clock
from certflow.applications.facts import ApplicationFacts
from certflow.models import Application, AssessorScheme, Document, SelfAssessmentAnswer, TransitionLog
from tests.factories import make_assessor, make_team
from tests.integration.test_rules_workflow import bring, deadline, refused, travel  # noqa: F401  (fixture)
from workflows import Forbidden, GuardFailed

# -- submit -----------------------------------------------------------------------------------


def test_submit_with_everything_in_place(world, db):
    app = world.new_application()
    world.fire(app, "submit", world.candidate)
    assert app.state == "submitted"


def test_submit_refused_when_a_required_document_is_missing(world, db):
    app = world.new_application()
    db.session.execute(delete(Document).where(Document.application_id == app.id, Document.kind == "work_letter"))
    db.session.commit()
    err = refused(db, GuardFailed, app, "submit", world.candidate, rule="documents_uploaded")
    assert err.params == {"kinds": "work_letter"}


def test_a_document_marked_invalid_does_not_count_as_uploaded(world, db):
    app = world.new_application()
    app.documents[0].status = "invalid"
    db.session.commit()
    refused(db, GuardFailed, app, "submit", world.candidate, rule="documents_uploaded")


def test_submit_refused_when_the_self_assessment_is_incomplete(world, db):
    app = world.new_application()
    one = db.session.scalar(select(SelfAssessmentAnswer.id).where(SelfAssessmentAnswer.application_id == app.id))
    db.session.execute(delete(SelfAssessmentAnswer).where(SelfAssessmentAnswer.id == one))
    db.session.commit()
    err = refused(db, GuardFailed, app, "submit", world.candidate, rule="self_assessment_complete")
    assert err.params == {"count": 1}


@pytest.mark.parametrize("field", ["education_field", "education_level", "practice_hours"])
def test_submit_refused_when_apl01_is_incomplete(world, db, field):
    app = world.new_application()
    app.apl01 = {k: v for k, v in app.apl01.items() if k != field}
    db.session.commit()
    err = refused(db, GuardFailed, app, "submit", world.candidate, rule="apl01_complete")
    assert err.params == {"fields": field}


def test_submit_refused_when_apl01_has_an_empty_field(world, db):
    app = world.new_application()
    app.apl01 = {**app.apl01, "education_level": ""}
    db.session.commit()
    refused(db, GuardFailed, app, "submit", world.candidate, rule="apl01_complete")


# -- request_revision, reject, approve ------------------------------------------------------


def test_request_revision_needs_a_reason_and_a_future_deadline(world, db):
    app = bring(world, world.new_application(), "submitted")
    admin = world.admin_batam
    refused(db, GuardFailed, app, "request_revision", admin, data={"deadline": deadline()}, rule="reason_given")
    refused(db, GuardFailed, app, "request_revision", admin, reason="Rescan.", rule="deadline_set")
    today = clock.today().isoformat()
    refused(db, GuardFailed, app, "request_revision", admin, reason="x", data={"deadline": today}, rule="deadline_set")
    world.fire(app, "request_revision", admin, reason="Rescan.", data={"deadline": deadline(3)})
    assert app.revision_deadline == clock.today() + timedelta(days=3)
    assert app.revision_reason == "Rescan."
    world.fire(app, "resubmit", world.candidate)
    assert app.state == "submitted" and app.revision_deadline is None


def test_resubmit_refused_until_every_invalid_document_is_replaced(world, db):
    app = bring(world, world.new_application(), "submitted")
    diploma = next(d for d in app.documents if d.kind == "diploma")
    diploma.status = "invalid"
    next(d for d in app.documents if d.kind == "work_letter").status = "valid"
    db.session.commit()
    world.fire(app, "request_revision", world.admin_batam, reason="Rescan.", data={"deadline": deadline(3)})
    err = refused(db, GuardFailed, app, "resubmit", world.candidate, rule="invalid_documents_replaced")
    assert err.params == {"kinds": "diploma"}
    assert ApplicationFacts(app, {}, world.candidate).unreplaced_documents == ["diploma"]
    assert ApplicationFacts.many([app], world.candidate)[app.id].unreplaced_documents == ["diploma"]
    db.session.add(
        Document(
            application_id=app.id,
            kind="diploma",
            filename="diploma-new.pdf",
            stored_name=f"{app.id}-new-diploma",
            content_type="application/pdf",
            size=100,
        )
    )
    db.session.commit()
    world.fire(app, "resubmit", world.candidate)
    assert app.state == "submitted"


def test_resubmit_refused_when_the_invalid_document_is_deleted_and_not_replaced(world, db):
    app = bring(world, world.new_application(), "submitted")
    for doc in app.documents:
        doc.status = "invalid" if doc.kind == "diploma" else "valid"
    db.session.commit()
    world.fire(app, "request_revision", world.admin_batam, reason="Rescan.", data={"deadline": deadline(3)})
    db.session.execute(delete(Document).where(Document.application_id == app.id, Document.kind == "diploma"))
    db.session.commit()
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    refused(db, GuardFailed, app, "resubmit", world.candidate, rule="documents_uploaded")


def test_reject_needs_a_reason(world, db):
    app = bring(world, world.new_application(), "submitted")
    refused(db, GuardFailed, app, "reject", world.admin_batam, reason="   ", rule="reason_given")
    world.fire(app, "reject", world.admin_batam, reason="  Not a social worker.  ")
    assert app.decided_by_id == world.admin_batam.id and app.decided_at is not None


def test_approve_refused_until_every_document_is_valid(world, db):
    app = bring(world, world.new_application(), "submitted")
    err = refused(db, GuardFailed, app, "approve", world.admin_batam, rule="documents_valid")
    assert err.params == {"kinds": "diploma, work_letter"}
    app.documents[0].status = "valid"
    db.session.commit()
    err = refused(db, GuardFailed, app, "approve", world.admin_batam, rule="documents_valid")
    assert err.params == {"kinds": "work_letter"}
    world.mark_documents(app, "valid")
    world.fire(app, "approve", world.admin_batam)
    assert app.state == "eligible"


def _submitted_with(world, db, scheme=None, **apl01) -> Application:
    """A submitted application sent before a route was asked (legacy): the older single rule set judges it."""
    app = world.new_application(scheme=scheme)
    app.apl01 = {**app.apl01, **apl01}
    db.session.commit()
    world.fire(app, "submit", world.candidate)
    world.as_legacy(app)
    world.mark_documents(app, "valid")
    return app


def test_approve_refused_when_education_is_not_accepted(world, db):
    app = _submitted_with(world, db, education_field="other")
    err = refused(db, GuardFailed, app, "approve", world.admin_batam, rule="scheme_rules_met")
    assert err.params["field"] == "other"


@pytest.mark.parametrize(
    ("hours", "ok"), [(1343, False), ("100", False), ("lots", False), (1344, True), ("2000", True)]
)
def test_approve_needs_the_schemes_practice_hours(world, db, hours, ok):
    app = _submitted_with(world, db, practice_hours=hours)
    if ok:
        world.fire(app, "approve", world.admin_batam)
        assert app.state == "eligible"
    else:
        err = refused(db, GuardFailed, app, "approve", world.admin_batam, rule="scheme_rules_met")
        assert err.params["minimum"] == 1344


def test_a_scheme_without_education_rules_accepts_other_backgrounds(world, db):
    app = _submitted_with(world, db, scheme=world.other_scheme, education_field="other", practice_hours=0)
    world.fire(app, "approve", world.admin_batam)
    assert app.state == "eligible"


# -- assign_team ------------------------------------------------------------------------------


def _eligible(world) -> Application:
    return bring(world, world.new_application(), "eligible")


def _assign(world, db, app, team, rule=None, admin=None, **data):
    admin = admin or world.admin_kepri
    if rule is None:
        world.fire(app, "assign_team", admin, data={"team": team.id if team else None, **data})
        return None
    return refused(db, GuardFailed, app, "assign_team", admin, data={"team": team.id, **data}, rule=rule)


def test_assign_team_needs_a_team_the_admin_manages(world, db):
    app = _eligible(world)
    odd = (
        "abc",
        None,
        999999,
        -1,
        0,
        10**12,
        2**63,
        10**30,
        float("inf"),
        float("nan"),
        1.5,
        True,
        "9" * 5000,
        [world.team.id],
    )
    for data in ({}, *({"team": value} for value in odd)):
        refused(db, GuardFailed, app, "assign_team", world.admin_kepri, data=data, rule="team_chosen")
    # Tim Kepri 1 belongs to the province dinas: outside Batam's admin's scope
    refused(db, GuardFailed, app, "assign_team", world.admin_batam, data={"team": world.team.id}, rule="team_chosen")
    world.team.active = False
    db.session.commit()
    refused(db, GuardFailed, app, "assign_team", world.admin_kepri, data={"team": world.team.id}, rule="team_chosen")
    world.team.active = True
    db.session.commit()
    _assign(world, db, app, world.team)
    assert app.state == "team_assigned" and app.team_id == world.team.id


def test_assign_team_accepts_the_team_id_as_a_string(world, db):
    app = _eligible(world)
    world.fire(app, "assign_team", world.admin_kepri, data={"team": str(world.team.id)})
    assert app.team_id == world.team.id


def test_assign_team_refuses_a_team_of_another_scheme(world, db):
    w = world
    pny_team = make_team(w.dinas_kepri, w.other_scheme, w.lead, [w.member], name="Tim PNY")
    db.session.commit()
    err = _assign(w, db, _eligible(w), pny_team, rule="team_for_scheme")
    assert err.params == {"team": "Tim PNY", "team_scheme": "PNY", "scheme": "PSG"}


def test_assign_team_refuses_a_team_too_small(world, db):
    w = world
    solo = make_team(w.dinas_kepri, w.scheme, w.lead, [], name="Tim Solo")
    db.session.commit()
    err = _assign(w, db, _eligible(w), solo, rule="team_big_enough")
    assert err.params == {"team": "Tim Solo", "size": 1, "minimum": 2}


def test_assign_team_follows_the_schemes_minimum_size(world, db):
    w = world
    w.scheme.min_team_size = 3
    db.session.commit()
    app = _eligible(w)
    _assign(w, db, app, w.team, rule="team_big_enough")
    w.scheme.min_team_size = 2
    db.session.commit()
    _assign(w, db, app, w.team)


def test_assign_team_refuses_an_expired_licence(world, db):
    w = world
    w.member.licence_expires = clock.today() - timedelta(days=1)
    db.session.commit()
    err = _assign(w, db, _eligible(w), w.team, rule="licences_valid")
    assert err.params == {"assessor": "Member Assessor"}
    assert "expired" in err.message


def test_assign_team_accepts_a_licence_expiring_today(world, db):
    w = world
    w.member.licence_expires = clock.today()
    db.session.commit()
    _assign(w, db, _eligible(w), w.team)


def test_assign_team_refuses_a_licence_not_covering_the_scheme(world, db):
    w = world
    db.session.execute(
        delete(AssessorScheme).where(AssessorScheme.assessor_id == w.member.id, AssessorScheme.scheme_id == w.scheme.id)
    )
    db.session.commit()
    db.session.expire_all()
    err = _assign(w, db, _eligible(w), w.team, rule="licences_valid")
    assert err.params == {"assessor": "Member Assessor", "scheme": "PSG"}


@pytest.mark.parametrize("whose", ["assessor", "user"])
def test_assign_team_refuses_an_inactive_assessor(world, db, whose):
    w = world
    (w.member if whose == "assessor" else w.member.user).active = False
    db.session.commit()
    err = _assign(w, db, _eligible(w), w.team, rule="licences_valid")
    assert "not active" in err.message


def test_team_facts_are_gathered_in_a_constant_number_of_queries(world, db):
    """No N+1: a bigger team costs no more queries."""
    from sqlalchemy import event

    w = world

    def count_queries(team) -> int:
        app = db.session.get(Application, _eligible(w).id)
        db.session.expire_all()
        app = db.session.get(Application, app.id)
        n = [0]

        def inc(*a, **k):
            n[0] += 1

        event.listen(db.engine, "before_cursor_execute", inc)
        try:
            facts = ApplicationFacts(app, {"team": team.id}, w.admin_kepri)
            assert facts.team is not None and len(facts.team.members) == len(team.member_rows)
        finally:
            event.remove(db.engine, "before_cursor_execute", inc)
        return n[0]

    small = count_queries(w.team)
    more = [make_assessor(w.dinas_kepri, [w.scheme], name=f"Extra {i}") for i in range(6)]
    big = make_team(w.dinas_kepri, w.scheme, w.lead, [w.member, *more], name="Tim Besar")
    db.session.commit()
    assert count_queries(big) == small


# -- expire_revision (the scheduler) ---------------------------------------------------------------


def test_a_revision_expires_only_after_its_deadline(world, db, travel):  # noqa: F811
    w = world
    app = bring(w, w.new_application(), "submitted")
    w.fire(app, "request_revision", w.admin_batam, reason="Rescan.", data={"deadline": deadline(3)})
    travel(days=3)  # the deadline day itself: the candidate may still resubmit
    refused(db, GuardFailed, app, "expire_revision", None, rule="deadline_passed")
    for person in (w.admin_batam, w.sysadmin, w.candidate):
        refused(db, Forbidden, app, "expire_revision", person)
    travel(days=1)
    w.fire(app, "expire_revision", None)
    assert app.state == "withdrawn"
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.event == "expire_revision"))
    assert log.actor_id is None and log.from_state == "revision_requested"
