"""The scheduled jobs with the clock moved: the right reminders to the right people, once; the system's transitions."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow import jobs as scheduled
from certflow.applications.workflow import fire_certificate_event
from certflow.extensions import db as _db
from certflow.models import Application, Certificate, Notification, OutboxMessage, TransitionLog
from tests.factories import make_assessor
from tests.web.test_pages_support import count_queries


@pytest.fixture()
def at(monkeypatch):
    """Move the clock to a day (09:00 in Jakarta) or a moment: ``at(date)``."""

    def move(when):
        moment = when if isinstance(when, datetime) else datetime.combine(when, time(9), tzinfo=clock.LOCAL_TZ)
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))

    return move


def reminders(db, event: str) -> list[tuple[str, int]]:
    """(key, recipient) of every reminder outbox row of ``event``; checks each has one in-app twin."""
    db.session.rollback()
    rows = db.session.execute(
        select(OutboxMessage.key, OutboxMessage.recipient_id).where(OutboxMessage.event == event)
    ).all()
    notes = Counter(db.session.scalars(select(Notification.user_id).where(Notification.event == event)))
    assert notes == Counter(r[1] for r in rows), "one in-app notification per reminder e-mail"
    return sorted(rows)


def run_twice(job) -> dict:
    first = job()
    job()  # a second run (another worker, a retried task) adds nothing
    return first


def transitions(db, event: str) -> list[TransitionLog]:
    db.session.rollback()
    return db.session.scalars(select(TransitionLog).where(TransitionLog.event == event)).all()


def test_revision_deadline_reminder_once_then_withdrawn_the_day_after(world, db, at):
    today = clock.today()
    deadline = today + timedelta(days=10)
    application = world.new_application()
    world.fire(application, "submit", world.candidate)
    world.fire(application, "request_revision", world.admin_batam, reason="Sign it", data={"deadline": str(deadline)})

    at(deadline - timedelta(days=4))
    assert run_twice(scheduled.remind_revision_deadlines) == {"reminders": 0}
    at(deadline - timedelta(days=3))
    assert run_twice(scheduled.remind_revision_deadlines) == {"reminders": 1}
    at(deadline)
    scheduled.remind_revision_deadlines()
    key = f"reminder:revision:{application.id}:{deadline}:{world.candidate.id}"
    assert reminders(db, "revision_deadline") == [(key, world.candidate.id)]

    assert scheduled.expire_revisions() == {"done": 0, "skipped": 0}  # the deadline day itself still counts
    at(deadline + timedelta(days=1))
    assert run_twice(scheduled.expire_revisions) == {"done": 1, "skipped": 0}
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "withdrawn"
    (log,) = transitions(db, "expire_revision")
    assert log.actor_id is None and (log.from_state, log.to_state) == ("revision_requested", "withdrawn")
    told = {m.recipient_id for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == log.event))}
    assert told == {world.candidate.id, world.admin_batam.id, world.admin_kepri.id}


def test_a_resubmitted_application_is_neither_reminded_nor_withdrawn(world, db, at):
    deadline = clock.today() + timedelta(days=2)
    application = world.new_application()
    world.fire(application, "submit", world.candidate)
    world.fire(application, "request_revision", world.admin_batam, reason="Sign it", data={"deadline": str(deadline)})
    world.fire(application, "resubmit", world.candidate)
    at(deadline + timedelta(days=1))
    assert scheduled.remind_revision_deadlines() == {"reminders": 0}
    assert scheduled.expire_revisions() == {"done": 0, "skipped": 0}


def test_overdue_assessment_tells_the_team_and_the_admins_once(world, db, at, app):
    start = clock.now()
    application = world.advance(world.new_application(), "team_assigned")
    due = app.config["ASSESSMENT_DUE_DAYS"]

    at(start + timedelta(days=due) - timedelta(hours=1))
    assert scheduled.remind_overdue_assessments() == {"reminders": 0}
    at(start + timedelta(days=due, hours=1))
    team_and_admins = {world.lead.user.id, world.member.user.id, world.admin_batam.id, world.admin_kepri.id}
    assert run_twice(scheduled.remind_overdue_assessments) == {"reminders": len(team_and_admins)}
    world.declare(application)
    world.fire(application, "start_assessment", world.lead.user)  # in assessment: still the same assignment
    at(start + timedelta(days=due + 5))
    assert scheduled.remind_overdue_assessments() == {"reminders": 0}
    sent = reminders(db, "assessment_overdue")
    assert {r for _, r in sent} == team_and_admins and len(sent) == len(team_and_admins)


def test_certificate_reminders_at_90_60_30_and_7_days_each_once_then_expired(world, db, at):
    application = world.advance(world.new_application(), "certified")
    cert = application.certificate
    expires = cert.expires_on
    holder = world.candidate.id

    for days_before, expected in [(91, 0), (90, 1), (75, 0), (60, 1), (31, 0), (30, 1), (8, 0), (7, 1), (1, 0)]:
        at(expires - timedelta(days=days_before))
        assert run_twice(scheduled.remind_expiring_certificates) == {"reminders": expected}, days_before
    keys = [k for k, _ in reminders(db, "certificate_expiring")]
    assert keys == sorted(f"reminder:cert:{cert.id}:{d}:{holder}" for d in (90, 60, 30, 7))

    at(expires - timedelta(days=1))
    assert scheduled.expire_certificates() == {"done": 0, "skipped": 0}
    at(expires)
    assert run_twice(scheduled.expire_certificates) == {"done": 1, "skipped": 0}
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).status == "expired"
    assert len(transitions(db, "expire")) == 1


def test_a_late_run_sends_only_the_reminder_now_due(world, db, at):
    cert = world.advance(world.new_application(), "certified").certificate
    at(cert.expires_on - timedelta(days=25))  # the job did not run for months
    assert scheduled.remind_expiring_certificates() == {"reminders": 1}
    assert [k for k, _ in reminders(db, "certificate_expiring")] == [f"reminder:cert:{cert.id}:30:{world.candidate.id}"]


def test_licence_reminders_to_the_assessor_and_their_dinas_admins(world, db, at):
    expires = clock.today() + timedelta(days=200)
    assessor = make_assessor(world.batam, [world.scheme], expires=expires, name="Expiring Assessor")
    db.session.commit()
    people = {assessor.user_id, world.admin_batam.id, world.admin_kepri.id}

    at(expires - timedelta(days=91))
    assert scheduled.remind_expiring_licences() == {"reminders": 0}
    at(expires - timedelta(days=90))
    assert run_twice(scheduled.remind_expiring_licences) == {"reminders": 3}
    at(expires - timedelta(days=7))
    assert run_twice(scheduled.remind_expiring_licences) == {"reminders": 3}  # the 30-day one was missed
    sent = reminders(db, "licence_expiring")
    assert Counter(r for _, r in sent) == Counter({p: 2 for p in people})
    assert {k.split(":")[4] for k, _ in sent} == {"90", "7"}


def test_a_suspension_reaching_its_end_date_is_withdrawn_unless_reinstated(world, db, at):
    first = world.advance(world.new_application(), "certified").certificate
    second = world.advance(world.new_application(), "certified").certificate
    until = clock.today() + timedelta(days=20)
    for cert in (first, second):
        db.session.refresh(cert)
        fire_certificate_event(cert, "suspend", world.certifier, reason="Complaint", data={"until": str(until)})
        db.session.commit()

    at(until - timedelta(days=7))
    assert run_twice(scheduled.remind_ending_suspensions) == {"reminders": 4}  # two certificates × two certifiers
    assert {r for _, r in reminders(db, "suspension_ending")} == {world.certifier.id, world.certifier2.id}
    db.session.refresh(second)
    fire_certificate_event(second, "reinstate", world.certifier, reason="Complaint unfounded")
    db.session.commit()

    at(until - timedelta(days=1))
    assert scheduled.end_suspensions() == {"done": 0, "skipped": 0}
    at(until)
    assert run_twice(scheduled.end_suspensions) == {"done": 1, "skipped": 0}
    db.session.expire_all()
    assert db.session.get(Certificate, first.id).status == "withdrawn"
    assert db.session.get(Certificate, second.id).status == "active"
    (log,) = transitions(db, "withdraw")
    assert log.actor_id is None and log.reason and log.subject_id == first.id


def test_reminder_jobs_take_a_constant_number_of_queries_per_batch(world, db, at, app, monkeypatch):
    expires = clock.today() + timedelta(days=600)  # the world's own assessors are far from their dates then
    for n in range(3):
        make_assessor(world.batam, [world.scheme], expires=expires, name=f"A{n}")
    db.session.commit()
    at(expires - timedelta(days=30))
    with count_queries() as few:
        scheduled.remind_expiring_licences()
    for n in range(12):
        make_assessor(world.pekanbaru, [world.scheme], expires=expires, name=f"B{n}")
    db.session.commit()
    at(expires - timedelta(days=7))
    with count_queries() as many:
        assert scheduled.remind_expiring_licences() == {
            "reminders": 3 * 3 + 12 * 2
        }  # Pekanbaru: the Riau province admin
    assert many[0] == few[0]

    monkeypatch.setitem(app.config, "SCHEDULED_BATCH", 4)  # more batches, each the same few queries
    at(expires - timedelta(days=1))
    assert scheduled.remind_expiring_licences() == {"reminders": 0}


def test_jobs_run_at_once_on_several_workers_act_once(app, world, db, at):
    today = clock.today()
    apps = []
    for candidate in (world.candidate, world.other_candidate):
        a = world.new_application(candidate)
        world.fire(a, "submit", candidate)
        admin = world.admin_batam if candidate is world.candidate else world.admin_kepri
        world.fire(a, "request_revision", admin, reason="Sign", data={"deadline": str(today + timedelta(days=1))})
        apps.append(a)
    certs = [world.advance(world.new_application(), "certified").certificate]

    at(certs[0].expires_on)  # five years on: the revision deadlines passed too
    results, errors, start = [], [], threading.Barrier(3)

    def worker():
        with app.app_context():
            try:
                start.wait()
                results.append(scheduled.run_all())
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(r["expire_revisions"]["done"] for r in results) == 2
    assert sum(r["expire_certificates"]["done"] for r in results) == 1
    assert len(transitions(db, "expire_revision")) == 2 and len(transitions(db, "expire")) == 1


def test_unknown_job_name_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        scheduled.run_job("format_the_disk")
    assert set(scheduled.JOBS) >= {"expire_revisions", "remind_expiring_certificates", "end_suspensions"}
