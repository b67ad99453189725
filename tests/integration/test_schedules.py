"""Schedules (certflow.schedules): venues, the schedule workflow, placement, attendance, cancellation.

On both databases. Placement is ``assign_team`` with the schedule's team, each in its own
transaction, every refusal named; cancelling releases everyone and tells each person once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select

from certflow import clock
from certflow.core.errors import AppError, Forbidden, NotEditable, NotFound
from certflow.extensions import db as _db
from certflow.models import (
    Agreement,
    Application,
    AssessorRelation,
    Attendance,
    Notification,
    OutboxMessage,
    Schedule,
    ScheduleLog,
    TransitionLog,
)
from certflow.schedules import operations as ops
from certflow.schedules import venues
from tests.factories import make_schedule, make_user, make_venue
from workflows import Forbidden as WorkflowForbidden
from workflows import GuardFailed, InvalidTransition


def eligible(world, n: int, dinas=None):
    """``n`` eligible applications of candidates of Batam (or ``dinas``)."""
    out = []
    profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    for i in range(n):
        candidate = make_user("candidate", dinas or world.batam, name=f"Asesi {i + 1}", **profile)
        app = world.new_application(candidate)
        if dinas is None:
            world.advance(app, "eligible")
        else:  # another dinas's candidate, put straight into eligible
            app.state = "eligible"
            _db.session.commit()
        out.append(app)
    return out


def sign(apps, lead) -> None:
    now = clock.now()
    for app in apps:
        _db.session.add(
            Agreement(
                application_id=app.id,
                lead_id=lead.id,
                assessed_on=clock.today(),
                assessed_at=time(9, 0),
                venue="TUK",
                evidence=[],
                signed_by_candidate_at=now,
                signed_by_lead_at=now,
            )
        )
    _db.session.commit()


def fire(schedule, event_name, user, **kw):
    _db.session.refresh(schedule)
    fired = ops.fire_schedule_event(schedule, event_name, user, **kw)
    _db.session.commit()
    return fired


# -- venues -------------------------------------------------------------------------------------


def test_a_dinas_admin_keeps_venues_of_their_scope_and_verifies_them(world, db):
    venue = venues.create_venue(
        world.admin_batam, {"name": "TUK Sekupang", "kind": "sewaktu", "address": "Jl. RE Martadinata", "capacity": 30}
    )
    db.session.commit()
    assert venue.dinas_id == world.batam.id
    # the province admin sees it; another province's admin does not
    assert venues.get_visible_venue(world.admin_kepri, venue.id).id == venue.id
    with pytest.raises(NotFound):
        venues.get_visible_venue(world.admin_riau, venue.id)
    with pytest.raises(NotFound):
        venues.get_visible_venue(world.candidate, venue.id)
    venues.update_venue(world.admin_kepri, venue, {"capacity": 25})
    record = venues.verify_venue(world.admin_kepri, venue, True, "Ruang dan kursi lengkap.", {"room": True})
    db.session.commit()
    assert venue.capacity == 25
    assert venues.latest_verifications([venue.id])[venue.id].id == record.id
    assert record.verified_by_id == world.admin_kepri.id


def test_venue_input_is_checked_completely(world, db):
    with pytest.raises(AppError) as exc:
        venues.create_venue(world.admin_batam, {"name": "", "kind": "tent", "address": "x", "capacity": 0})
    assert set(exc.value.fields) == {"name", "kind", "capacity"}
    with pytest.raises(AppError) as exc:
        venues.create_venue(
            world.admin_batam,
            {"name": "A", "kind": "mandiri", "address": "x", "capacity": 5, "dinas": world.pekanbaru.id},
        )
    assert exc.value.fields == {"dinas": exc.value.fields["dinas"]}
    venue = make_venue(world.batam)
    with pytest.raises(AppError) as exc:
        venues.verify_venue(world.admin_batam, venue, True, "", {"room": False})
    assert "facilities_ok" in exc.value.fields


# -- creating a schedule -------------------------------------------------------------------------


def _new(world, **kw):
    day = clock.today() + timedelta(days=14)
    data = {
        "scheme": "PSG",
        "venue": kw.pop("venue_id", None),
        "starts_at": datetime.combine(day, time(9, 0), tzinfo=clock.LOCAL_TZ),
        "quota_min": 2,
        "quota_max": 20,
        "registration_closes": day - timedelta(days=3),
        "team": world.team.id,
    }
    data.update(kw)
    return data


def test_a_dinas_admin_creates_a_planned_schedule(world, db):
    venue = make_venue(world.batam, verified=True)
    schedule = ops.create_schedule(world.admin_kepri, _new(world, venue_id=venue.id))
    db.session.commit()
    assert (schedule.state, schedule.version, schedule.dinas_id) == ("planned", 1, world.batam.id)


def test_schedule_input_is_checked_completely(world, db):
    venue = make_venue(world.batam, capacity=10)
    with pytest.raises(AppError) as exc:
        ops.create_schedule(
            world.admin_kepri,
            _new(world, venue_id=venue.id, scheme="NOPE", quota_min=5, quota_max=50, starts_at=datetime(2030, 1, 1)),
        )
    assert {"scheme", "quota_max", "starts_at"} <= set(exc.value.fields)
    # a venue or a team of another scope is not offered
    with pytest.raises(AppError) as exc:
        ops.create_schedule(world.admin_riau, _new(world, venue_id=venue.id))
    assert {"venue", "team"} <= set(exc.value.fields)


# -- the workflow, start to end -------------------------------------------------------------------


def test_the_whole_schedule_from_planned_to_decided(world, db):
    schedule = make_schedule(world, quota=(2, 10))
    fire(schedule, "open", world.admin_kepri)
    apps = eligible(world, 3)
    result = ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    assert result.placed == [a.id for a in apps] and result.refused == []
    for app in apps:
        db.session.refresh(app)
        assert (app.state, app.team_id, app.schedule_id) == ("team_assigned", world.team.id, schedule.id)
    # confirm needs every agreement signed
    with pytest.raises(GuardFailed) as exc:
        fire(schedule, "confirm", world.admin_kepri)
    assert exc.value.rule == "agreements_signed"
    db.session.rollback()
    event_name, missing = ops.missing_for_next_step(db.session.get(Schedule, schedule.id))
    assert event_name == "confirm" and [m.rule for m in missing] == ["agreements_signed"]
    sign(apps, world.lead)
    fire(schedule, "confirm", world.admin_kepri)
    # hold needs the attendance, recorded by the lead from the event's day
    with pytest.raises(GuardFailed) as exc:
        fire(schedule, "hold", world.lead.user)
    assert exc.value.rule == "attendance_recorded"
    db.session.rollback()
    schedule = db.session.get(Schedule, schedule.id)
    with pytest.raises(NotEditable):
        ops.record_attendance(schedule, world.lead.user, [apps[0].id])
    schedule.starts_at = clock.now() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(Forbidden):
        ops.record_attendance(schedule, world.admin_kepri, [apps[0].id])
    recorded = ops.record_attendance(schedule, world.lead.user, [apps[0].id, apps[1].id])
    db.session.commit()
    assert recorded == {apps[0].id: True, apps[1].id: True, apps[2].id: False}
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 3
    fire(schedule, "hold", world.lead.user)
    with pytest.raises(GuardFailed) as exc:
        fire(schedule, "report", world.lead.user, data={"notes": "  "})
    assert exc.value.rule == "notes_given"
    db.session.rollback()
    # only the lead reports; the plenary decides
    with pytest.raises(WorkflowForbidden):
        fire(schedule, "report", world.admin_kepri, data={"notes": "Lancar."})
    db.session.rollback()
    fire(schedule, "report", world.lead.user, data={"notes": "Semua berjalan lancar."})
    with pytest.raises(WorkflowForbidden):
        fire(schedule, "decide", world.certifier)
    db.session.rollback()
    fire(schedule, "decide", world.certifier, plenary=True)
    schedule = db.session.get(Schedule, schedule.id)
    assert schedule.state == "decided" and schedule.report_notes == "Semua berjalan lancar."
    logs = db.session.scalars(
        select(ScheduleLog).where(ScheduleLog.schedule_id == schedule.id).order_by(ScheduleLog.id)
    )
    assert [(log.event, log.from_state, log.to_state) for log in logs] == [
        ("open", "planned", "open"),
        ("confirm", "open", "ready"),
        ("hold", "ready", "held"),
        ("report", "held", "reported"),
        ("decide", "reported", "decided"),
    ]


def test_a_stale_version_is_refused(world, db):
    schedule = make_schedule(world)
    with pytest.raises(Exception) as exc:
        ops.fire_schedule_event(schedule, "open", world.admin_kepri, version=schedule.version + 1)
    assert getattr(exc.value, "code", None) == "stale_version"
    db.session.rollback()
    fire(schedule, "open", world.admin_kepri, version=1)
    assert schedule.version == 2


def test_events_check_state_role_and_relation(world, db):
    schedule = make_schedule(world)
    with pytest.raises(InvalidTransition):
        ops.fire_schedule_event(schedule, "confirm", world.admin_kepri)
    with pytest.raises(WorkflowForbidden):  # another province's admin (who could not even see it)
        ops.fire_schedule_event(schedule, "open", world.admin_riau)
    with pytest.raises(WorkflowForbidden):
        ops.fire_schedule_event(schedule, "open", world.lead.user)
    with pytest.raises(GuardFailed) as exc:
        ops.fire_schedule_event(schedule, "cancel", world.admin_batam, reason=" ")
    assert exc.value.rule == "reason_given"


def test_open_needs_the_team_licensed_through_the_event_and_registration_open(world, db):
    world.member.licence_expires = clock.today() + timedelta(days=3)
    db.session.commit()
    schedule = make_schedule(world, days_ahead=10)
    with pytest.raises(GuardFailed) as exc:
        ops.fire_schedule_event(schedule, "open", world.admin_kepri)
    assert exc.value.rule == "team_licensed" and "Member Assessor" in str(exc.value)
    db.session.rollback()
    late = make_schedule(world, closes_in=-1)
    with pytest.raises(GuardFailed) as exc:
        ops.fire_schedule_event(late, "open", world.admin_kepri)
    assert exc.value.rule == "team_licensed" or exc.value.rule == "registration_open"


# -- placement -----------------------------------------------------------------------------------


def test_placing_forty_with_one_conflict_refuses_that_one_by_name(world, db):
    schedule = make_schedule(world, state="open", quota=(1, 40))
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 100
    apps = eligible(world, 40)
    db.session.add(AssessorRelation(assessor_id=world.member.id, user_id=apps[17].candidate_id, kind="relative"))
    db.session.commit()
    result = ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    assert len(result.placed) == 39
    (refused,) = result.refused
    assert refused["application"] == apps[17].id
    assert (refused["code"], refused["rule"]) == ("guard_failed", "no_conflict")
    assert "Member Assessor" in refused["message"]
    db.session.refresh(apps[17])
    assert apps[17].state == "eligible" and apps[17].schedule_id is None


def test_placement_keeps_the_quota_and_the_registration_deadline(world, db):
    schedule = make_schedule(world, state="open", quota=(1, 2))
    apps = eligible(world, 3)
    result = ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    assert len(result.placed) == 2
    assert [(r["application"], r["rule"]) for r in result.refused] == [(apps[2].id, "quota_not_full")]
    closed = make_schedule(world, state="open", closes_in=-1)
    result = ops.place_candidates(closed, world.admin_kepri, [apps[2].id])
    assert [r["rule"] for r in result.refused] == ["registration_open"]


def test_placement_refuses_what_the_admin_may_not_see_and_a_closed_schedule(world, db):
    schedule = make_schedule(world, state="open")
    (app,) = eligible(world, 1)
    riau_app = eligible(world, 1, dinas=world.pekanbaru)[0]
    result = ops.place_candidates(schedule, world.admin_kepri, [riau_app.id, 10**9])
    assert [r["code"] for r in result.refused] == ["not_found", "not_found"]
    with pytest.raises(Forbidden):
        ops.place_candidates(schedule, world.admin_riau, [app.id])
    planned = make_schedule(world)
    with pytest.raises(NotEditable):
        ops.place_candidates(planned, world.admin_kepri, [app.id])


def test_placement_tells_each_candidate_and_the_team_once(world, db):
    schedule = make_schedule(world, state="open")
    apps = eligible(world, 3)
    ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    placed = db.session.execute(
        select(Notification.user_id, func.count())
        .where(Notification.event == "schedule_placed")
        .group_by(Notification.user_id)
    ).all()
    assert sorted(placed) == sorted((a.candidate_id, 1) for a in apps)
    team = db.session.execute(
        select(Notification.user_id, func.count())
        .where(Notification.event == "schedule_team_placed")
        .group_by(Notification.user_id)
    ).all()
    assert sorted(team) == sorted([(world.lead.user_id, 1), (world.member.user_id, 1)])
    # the application's own "team assigned" is not sent once per candidate to the team
    assert (
        db.session.scalar(select(func.count()).select_from(Notification).where(Notification.event == "assign_team"))
        == 0
    )


# -- cancelling ----------------------------------------------------------------------------------


def test_cancelling_releases_everyone_and_tells_them_once(world, db):
    schedule = make_schedule(world, state="open")
    apps = eligible(world, 3)
    assert len(ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps]).placed) == 3
    db.session.execute(Notification.__table__.delete())
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    fire(schedule, "cancel", world.admin_kepri, reason="Gedung tidak tersedia.")
    schedule = db.session.get(Schedule, schedule.id)
    assert schedule.state == "cancelled" and schedule.cancel_reason == "Gedung tidak tersedia."
    for app in apps:
        db.session.refresh(app)
        assert (app.state, app.team_id, app.schedule_id) == ("eligible", None, None)
    releases = db.session.scalars(
        select(TransitionLog).where(TransitionLog.event == "release").order_by(TransitionLog.id)
    ).all()
    assert [(r.application_id, r.actor_id, r.reason) for r in releases] == [
        (a.id, None, "Gedung tidak tersedia.") for a in apps
    ]
    told = db.session.execute(
        select(Notification.user_id, Notification.event, func.count()).group_by(
            Notification.user_id, Notification.event
        )
    ).all()
    expected = {a.candidate_id for a in apps} | {world.lead.user_id, world.member.user_id}
    assert sorted(told) == sorted((uid, "cancel", 1) for uid in expected)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(expected)


def test_a_cancellation_without_reason_changes_nothing(world, db):
    schedule = make_schedule(world, state="open")
    apps = eligible(world, 2)
    ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    with pytest.raises(GuardFailed):
        fire(schedule, "cancel", world.admin_kepri, reason="")
    db.session.rollback()
    assert all(db.session.get(Application, a.id).state == "team_assigned" for a in apps)


# -- statements --------------------------------------------------------------------------------


def _statements_to_place(world, n: int) -> int:
    schedule = make_schedule(world, state="open", quota=(1, 40))
    apps = eligible(world, n)
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        result = ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    assert len(result.placed) == n
    return len(seen)


def test_placing_costs_a_constant_number_of_statements_per_candidate(world, db):
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 100
    db.session.commit()
    two, five, eight = (_statements_to_place(world, n) for n in (2, 5, 8))
    per_candidate = (five - two) / 3
    assert per_candidate == (eight - five) / 3
    assert per_candidate <= 30, per_candidate


# -- reminders (certflow.jobs.remind_schedules) and the words of the notifications -----------------


@pytest.fixture()
def at(monkeypatch):
    """Move the clock to a day (09:00 in Jakarta)."""

    def move(day):
        moment = datetime.combine(day, time(9), tzinfo=clock.LOCAL_TZ)
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))

    return move


def _told(event_name):
    return sorted(
        _db.session.execute(
            select(Notification.user_id, func.count())
            .where(Notification.event == event_name)
            .group_by(Notification.user_id)
        ).all()
    )


def test_the_event_is_reminded_3_days_and_1_day_before_each_once(world, db, at):
    from certflow import jobs

    schedule = make_schedule(world, state="open", days_ahead=10)
    apps = eligible(world, 2)
    ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    day = event_date_of(schedule)
    everyone = {a.candidate_id for a in apps} | {world.lead.user_id, world.member.user_id}
    at(day - timedelta(days=5))
    jobs.remind_schedules()
    assert _told("schedule_coming") == []
    at(day - timedelta(days=3))
    jobs.remind_schedules()
    jobs.remind_schedules()
    assert _told("schedule_coming") == sorted((u, 1) for u in everyone)
    at(day - timedelta(days=2))
    jobs.remind_schedules()
    assert _told("schedule_coming") == sorted((u, 1) for u in everyone)
    at(day - timedelta(days=1))
    jobs.remind_schedules()
    jobs.remind_schedules()
    assert _told("schedule_coming") == sorted((u, 2) for u in everyone)


def test_an_overdue_report_is_reminded_to_the_lead_and_the_admins_once(world, db, at):
    from certflow import jobs

    schedule = make_schedule(world, state="ready", days_ahead=1)
    day = event_date_of(schedule)
    at(day + timedelta(days=1))
    jobs.remind_schedules()
    assert _told("schedule_report_overdue") == []
    at(day + timedelta(days=4))
    jobs.remind_schedules()
    jobs.remind_schedules()
    told = {u for u, n in _told("schedule_report_overdue")}
    assert world.lead.user_id in told and world.admin_kepri.id in told and world.admin_batam.id in told
    assert world.member.user_id not in told
    assert all(n == 1 for _u, n in _told("schedule_report_overdue"))


def event_date_of(schedule):
    return schedule.starts_at.astimezone(clock.LOCAL_TZ).date()


def test_a_schedule_notification_says_what_when_and_where(world, db, app):
    from flask_babel import force_locale

    from certflow.notifications.messages import notification_text

    schedule = make_schedule(world, state="open")
    apps = eligible(world, 1)
    ops.place_candidates(schedule, world.admin_kepri, [apps[0].id])
    row = db.session.scalar(select(Notification).where(Notification.event == "schedule_placed"))
    with app.test_request_context(), force_locale("en"):
        text = notification_text(row.event, row.application_id, row.params)
    assert "You are placed on an assessment schedule" in text
    assert schedule.venue.name in text and "09:00" in text and "PSG" in text
    fire(schedule, "cancel", world.admin_kepri, reason="Banjir")
    row = db.session.scalar(select(Notification).where(Notification.event == "cancel"))
    with app.test_request_context(), force_locale("id"):
        text = notification_text(row.event, row.application_id, row.params)
    assert "Jadwal dibatalkan" in text and "Banjir" in text
