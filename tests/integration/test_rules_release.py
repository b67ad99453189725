"""Releasing an assigned team (``release``): back to eligible, the team and its declarations gone, told."""

from __future__ import annotations

from sqlalchemy import func, select

from certflow.applications.workflow import fire_application_event
from certflow.models import Application, ConflictDeclaration, Notification, OutboxMessage, Score, TransitionLog
from tests.integration.test_rules_workflow import bring, logs_of, refused
from workflows import APPLICATION, Forbidden, GuardFailed, InvalidTransition

REASON = "Jadwal uji kompetensi dibatalkan."


def _declarations(db, app) -> list[tuple[int, bool]]:
    return db.session.execute(
        select(ConflictDeclaration.assessor_id, ConflictDeclaration.conflict)
        .where(ConflictDeclaration.application_id == app.id)
        .order_by(ConflictDeclaration.assessor_id)
    ).all()


def test_the_dinas_admin_releases_the_team(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app)  # both members declared no conflict
    version = app.version

    fired = fire_application_event(app, "release", w.admin_batam, reason=REASON, version=version)
    db.session.commit()

    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert (fired.source, fired.dest) == ("team_assigned", "eligible")
    assert app.state == "eligible" and app.team_id is None and app.version == version + 1
    assert _declarations(db, app) == [], "a new assignment starts clean"
    log = logs_of(db, app)[-1]
    assert (log.event, log.from_state, log.to_state, log.actor_id, log.reason) == (
        "release",
        "team_assigned",
        "eligible",
        w.admin_batam.id,
        REASON,
    )
    assert log.workflow_version == APPLICATION.version == 4  # 3: the agreement; 4: resubmit guard
    told = {w.candidate.id, w.lead.user.id, w.member.user.id}
    notes = db.session.scalars(select(Notification.user_id).where(Notification.event == "release")).all()
    assert sorted(notes) == sorted(told), "the candidate and the released team, once each"
    outbox = db.session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.event == "release")).all()
    assert sorted(outbox) == sorted(told)


def test_the_system_releases_a_team(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    w.fire(app, "release", None, reason="Jadwal dibatalkan.")
    assert app.state == "eligible" and app.team_id is None
    assert logs_of(db, app)[-1].actor_id is None


def test_a_declared_conflict_outlives_the_release_and_still_blocks_that_assessor(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app, w.lead)
    w.declare(app, w.member, conflict=True)
    w.fire(app, "release", w.admin_kepri, reason="Anggota tim berkonflik.")
    assert _declarations(db, app) == [(w.member.id, True)]
    refused(db, GuardFailed, app, "assign_team", w.admin_kepri, data={"team": w.team.id}, rule="no_conflict")


def test_release_needs_a_reason(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    for reason in (None, "", "   "):
        refused(db, GuardFailed, app, "release", w.admin_batam, reason=reason, rule="reason_given")
    app = db.session.get(Application, app.id)
    assert app.state == "team_assigned" and app.team_id == w.team.id


def test_release_is_refused_to_another_dinas_admin_and_to_the_team(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    for user in (w.admin_riau, w.candidate, w.lead.user, w.certifier, w.sysadmin):
        refused(db, Forbidden, app, "release", user, reason=REASON)
    assert db.session.get(Application, app.id).state == "team_assigned"


def test_release_is_refused_once_the_assessment_started(world, db):
    w = world
    app = bring(w, w.new_application(), "in_assessment")
    refused(db, InvalidTransition, app, "release", w.admin_batam, reason=REASON)
    assert db.session.get(Application, app.id).team_id == w.team.id


def test_release_is_refused_when_a_score_was_recorded_since_the_assignment(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    w.score_all(app, w.lead)  # not possible through the pages in this state; the guard holds anyway
    refused(db, GuardFailed, app, "release", w.admin_batam, reason=REASON, rule="assessment_not_started")


def test_a_new_assignment_after_a_release_works(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app)
    w.fire(app, "release", w.admin_batam, reason=REASON)
    w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})
    assert app.state == "team_assigned" and app.team_id == w.team.id
    # the team declares again before the lead can start
    refused(db, GuardFailed, app, "start_assessment", w.lead.user, rule="conflicts_declared")
    w.declare(app)
    w.fire(app, "start_assessment", w.lead.user)
    assert app.state == "in_assessment"
    events = [log.event for log in logs_of(db, app)]
    assert events[-4:] == ["assign_team", "release", "assign_team", "start_assessment"]


def test_a_reassessment_team_can_be_released_though_the_kept_scores_stay(world, db):
    w = world
    app = bring(w, w.new_application(), "not_yet_competent")
    w.fire(app, "request_reassessment", w.candidate)
    kept = db.session.scalar(select(func.count(Score.id)).where(Score.application_id == app.id))
    assert kept > 0, "the K units' scores are kept"
    w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})
    w.fire(app, "release", w.admin_kepri, reason=REASON)
    assert app.state == "eligible" and app.team_id is None
    assert db.session.scalar(select(func.count(Score.id)).where(Score.application_id == app.id)) == kept
    assert db.session.scalar(select(func.count(TransitionLog.id)).where(TransitionLog.event == "release")) == 1
