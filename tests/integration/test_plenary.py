"""The plenary decision: one record, certify/decline per line, all or nothing, every refused line named."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from certflow.core.errors import AppError, Forbidden
from certflow.core.transaction import unit_of_work
from certflow.models import Certificate, Notification, PlenaryDecision, PlenaryLine, ScheduleLog
from certflow.schedules.plenary import record_plenary
from tests.plenary_support import lines_for, reported_schedule


def _record(w, schedule, lines, number="SK/001/2026", members=None):
    with unit_of_work():
        return record_plenary(
            schedule, w.certifier, number, "2026-12-01", members or [w.certifier.id, w.certifier2.id], lines
        )


def test_the_happy_path_certifies_declines_and_decides_the_schedule(world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "K", "BK"])
    _record(w, schedule, lines_for(apps, ["K", "K", "BK"]))

    decision = db.session.scalar(select(PlenaryDecision))
    assert (decision.number, decision.decided_on, decision.schedule_id) == (
        "SK/001/2026",
        date(2026, 12, 1),
        schedule.id,
    )
    assert sorted(m.user_id for m in decision.member_rows) == sorted([w.certifier.id, w.certifier2.id])
    assert [(ln.application_id, ln.decision) for ln in decision.lines] == [
        (apps[0].id, "K"),
        (apps[1].id, "K"),
        (apps[2].id, "BK"),
    ]
    for app in apps:
        db.session.refresh(app)
    assert [a.state for a in apps] == ["certified", "certified", "not_yet_competent"]
    certs = db.session.scalars(select(Certificate.application_id)).all()
    assert sorted(certs) == sorted([apps[0].id, apps[1].id])
    db.session.refresh(schedule)
    assert schedule.state == "decided"
    [log] = db.session.scalars(select(ScheduleLog).where(ScheduleLog.schedule_id == schedule.id)).all()
    assert (log.event, log.from_state, log.to_state, log.data) == (
        "decide",
        "reported",
        "decided",
        {"number": "SK/001/2026"},
    )
    # each candidate is told of their decision (the certify/decline events' own notifications), once
    for app, event in zip(apps, ["certify", "certify", "decline"], strict=True):
        told = db.session.scalars(
            select(Notification.event).where(
                Notification.user_id == app.candidate_id, Notification.event.in_(("certify", "decline"))
            )
        ).all()
        assert told == [event]


def test_one_bad_line_decides_nothing_and_every_bad_line_is_named(world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK", "K"])
    lines = lines_for(apps, ["K", "K", "K"])  # the second: K on a BK recommendation (the guard refuses)
    lines.append({"application": apps[0].id, "decision": "K"})  # a duplicate
    lines.append({"application": 99999, "decision": "BK", "reason": "x"})  # not on the schedule
    with pytest.raises(AppError) as caught:
        _record(w, schedule, lines)
    named = {(r["application"], r["code"]) for r in caught.value.attach["lines"]}
    assert named == {(apps[0].id, "duplicate_line"), (99999, "not_on_schedule")}
    # the lines that could be read are then checked by their guards: fix the unreadable ones
    with pytest.raises(AppError) as caught:
        _record(w, schedule, lines_for(apps, ["K", "K", "BK"]))
    [refusal] = caught.value.attach["lines"]
    assert refusal["application"] == apps[1].id and refusal["code"] == "guard_failed"
    assert refusal["message"]
    for app in apps:
        db.session.refresh(app)
        assert app.state == "assessed"
    db.session.refresh(schedule)
    assert schedule.state == "reported"
    assert db.session.scalar(select(func.count()).select_from(PlenaryDecision)) == 0
    assert db.session.scalar(select(func.count()).select_from(PlenaryLine)) == 0
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_a_missing_candidate_and_a_bk_without_reason_are_refused(world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK"])
    with pytest.raises(AppError) as caught:
        _record(w, schedule, [{"application": apps[1].id, "decision": "BK"}])
    named = {(r["application"], r["code"]) for r in caught.value.attach["lines"]}
    assert named == {(apps[0].id, "missing_line")}
    with pytest.raises(AppError) as caught:
        _record(w, schedule, lines_for(apps, ["K", "K"])[:1] + [{"application": apps[1].id, "decision": "BK"}])
    assert [(r["application"], r["code"]) for r in caught.value.attach["lines"]] == [(apps[1].id, "guard_failed")]


def test_only_a_reported_schedule_by_certifiers(world, db):
    w = world
    schedule, apps = reported_schedule(w, candidates=1)
    with pytest.raises(Forbidden), unit_of_work():
        record_plenary(schedule, w.admin_batam, "SK/2", "2026-12-01", [w.certifier.id], lines_for(apps))
    with pytest.raises(AppError) as caught:
        _record(w, schedule, lines_for(apps), members=[w.admin_batam.id])
    assert caught.value.fields == {"members": ""}
    _record(w, schedule, lines_for(apps))
    db.session.refresh(schedule)
    with pytest.raises(AppError) as caught:
        _record(w, schedule, lines_for(apps), number="SK/3")
    assert caught.value.code == "invalid_transition"
