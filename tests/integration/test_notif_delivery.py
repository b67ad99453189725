"""Delivery from the outbox, in process, to a real SMTP server: at most once, retried, relayed, failed visibly."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.celery_app import visibility_timeout
from certflow.extensions import db as _db
from certflow.models import OutboxMessage
from certflow.notifications import delivery
from tests.integration.test_notif_support import SmtpServer, require_aiosmtpd


@pytest.fixture()
def smtp(app, monkeypatch):
    """A real SMTP server, and the app sending to it."""
    require_aiosmtpd()
    with SmtpServer() as server:
        for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port}.items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
        yield server


@pytest.fixture()
def messages(world, db):
    """The outbox rows of one submitted application (candidate + two dinas admins)."""
    application = world.new_application()
    world.fire(application, "submit", world.candidate)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(rows) == 3
    return rows


def _row(db, message_id: int) -> OutboxMessage:
    db.session.rollback()
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def test_a_message_is_sent_once_however_often_its_task_runs(db, smtp, messages):
    first = messages[0]
    assert delivery.deliver(first.id).status == "sent"
    assert delivery.deliver(first.id).status == "skipped"
    assert smtp.keys() == [first.key]
    row = _row(db, first.id)
    assert (row.status, row.attempts, row.lease_until) == ("sent", 1, None)
    assert row.sent_at is not None


def test_racing_deliveries_of_one_message_send_it_once(app, db, smtp, messages):
    smtp.delay = 0.3  # the SMTP conversation is slow, so the racers overlap
    target = messages[0].id
    outcomes, start = [], threading.Barrier(4)

    def racer():
        with app.app_context():
            start.wait()
            outcomes.append(delivery.deliver(target).status)
            _db.session.remove()

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert smtp.keys() == [messages[0].key]
    assert _row(db, target).attempts == 1


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(app, db, smtp, messages, monkeypatch):
    target = messages[0]
    assert delivery.claim(target.id) == 1  # a worker claims the message… and dies before sending
    assert delivery.deliver(target.id).status == "skipped"  # the lease still holds: no second sender
    assert delivery.unconfirmed(after_seconds=0) == [m.id for m in messages[1:]]  # not the one in flight

    later = clock.now() + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert target.id in delivery.unconfirmed()  # the relay takes the lapsed lease over
    outcome = delivery.deliver(target.id)
    assert (outcome.status, outcome.attempt) == ("sent", 2)
    assert smtp.keys() == [target.key]


def test_a_late_confirmation_does_not_overwrite_a_newer_attempt(app, db, messages, monkeypatch):
    target = messages[0].id
    assert delivery.claim(target) == 1
    later = clock.now() + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert delivery.claim(target) == 2  # attempt 2 took over
    assert delivery._finish(target, 1, status="failed") is False  # attempt 1 is fenced off
    assert _row(db, target).status == "sending"


def test_a_refusing_server_means_a_retry_with_backoff_then_delivery(app, db, smtp, messages):
    target = messages[0]
    smtp.refuse_for[target.recipient.email] = 2
    first = delivery.deliver(target.id)
    assert first.status == "retry" and 0 < first.retry_in <= app.config["OUTBOX_RETRY_BASE_SECONDS"]
    row = _row(db, target.id)
    assert row.status == "pending" and "451" in row.last_error
    assert row.lease_until > clock.now()  # the relay leaves it to the scheduled retry
    assert target.id not in delivery.unconfirmed(after_seconds=0)
    assert delivery.deliver(target.id).status == "retry"
    assert delivery.deliver(target.id).status == "sent"
    assert smtp.keys() == [target.key] and len(smtp.refused) == 2
    assert _row(db, target.id).attempts == 3


def test_backoff_grows_exponentially_with_jitter_up_to_a_ceiling(app):
    with app.app_context():
        base, cap = app.config["OUTBOX_RETRY_BASE_SECONDS"], app.config["OUTBOX_RETRY_MAX_SECONDS"]
        for attempt in range(1, 12):
            ceiling = min(cap, base * 2 ** (attempt - 1))
            delays = {delivery.retry_delay(attempt) for _ in range(20)}
            assert all(ceiling / 2 <= d <= ceiling for d in delays)
            assert len(delays) > 1  # jitter
        assert max(delivery.retry_delay(30) for _ in range(50)) <= cap


def test_a_message_that_keeps_failing_ends_failed_logged_and_counted(app, db, smtp, messages, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    # Alembic's fileConfig (migrations/env.py, run by the app fixture) disables loggers that existed then.
    monkeypatch.setattr(logging.getLogger("certflow.notifications.delivery"), "disabled", False)
    smtp.refuse_all = True
    target = messages[0].id
    with caplog.at_level(logging.ERROR, logger="certflow.notifications.delivery"):
        outcomes = [delivery.deliver(target).status for _ in range(4)]
    assert outcomes == ["retry", "retry", "failed", "skipped"]
    row = _row(db, target)
    assert (row.status, row.attempts) == ("failed", 3) and "451" in row.last_error
    assert any("failed for good" in r.message for r in caplog.records)
    assert delivery.outbox_counts()["failed"] == 1
    assert target not in delivery.unconfirmed(after_seconds=0)  # the relay leaves failed messages alone

    smtp.refuse_all = False
    assert delivery.requeue_failed() == [target]  # an admin sends the failed ones again
    db.session.commit()
    assert delivery.deliver(target).status == "sent"


def test_a_permanent_refusal_fails_at_once(app, db, smtp, messages, monkeypatch):
    import smtplib

    assert delivery.permanent(smtplib.SMTPDataError(550, b"no such user"))
    assert not delivery.permanent(smtplib.SMTPDataError(451, b"later"))
    assert not delivery.permanent(ConnectionRefusedError())
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nobody listens: retried, not failed
    assert delivery.deliver(messages[0].id).status == "retry"


def test_the_relay_queues_only_what_is_unconfirmed_and_each_once_per_window(app, db, messages, monkeypatch):
    ids = [m.id for m in messages]
    assert delivery.unconfirmed() == []  # just written: the after-commit task has them
    later = clock.now() + timedelta(seconds=app.config["OUTBOX_RELAY_AFTER_SECONDS"] + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert delivery.unconfirmed() == ids
    assert delivery.unconfirmed() == []  # another relay at the same time queues nothing twice
    even_later = later + timedelta(seconds=app.config["OUTBOX_RELAY_AFTER_SECONDS"] + 1)
    monkeypatch.setattr(clock, "now", lambda: even_later)
    assert delivery.unconfirmed(limit=2) == ids[:2]  # still unconfirmed: queued again, in batches


def test_redis_never_redelivers_a_task_before_its_longest_retry(app):
    cfg = app.config
    assert visibility_timeout(cfg) > cfg["OUTBOX_RETRY_MAX_SECONDS"] + cfg["OUTBOX_LEASE_SECONDS"]
    settings = {k: v for k, v in cfg.items() if k.isupper()}
    settings["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"
    from certflow import create_app

    redis_app = create_app(type("RedisConfig", (), settings))
    try:
        conf = redis_app.extensions["celery"].conf
        assert conf.broker_transport_options["visibility_timeout"] == visibility_timeout(cfg)
        assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
        from certflow.notifications.tasks import deliver_outbox

        assert deliver_outbox.acks_late and deliver_outbox.reject_on_worker_lost
        schedule = conf.beat_schedule
        assert schedule["relay-outbox"]["task"] == "certflow.notifications.tasks.relay_outbox"
        assert {e["args"][0] for n, e in schedule.items() if n.startswith("job-")} >= {
            "expire_revisions",
            "remind_expiring_certificates",
            "end_suspensions",
        }
    finally:
        app.extensions["celery"].set_default()


def test_the_e_mail_is_in_the_recipients_language_with_both_parts_and_a_link(app, db, smtp, world, messages):
    world.admin_batam.locale = "en"
    db.session.commit()
    for m in messages:
        delivery.deliver(m.id)
    by_user = {m.recipient_id: smtp.by_key(m.key) for m in messages}
    english, indonesian = by_user[world.admin_batam.id], by_user[world.candidate.id]  # candidate: default id
    assert english["Subject"] == "[certflow] Application submitted"
    assert indonesian["Subject"] != english["Subject"]
    app_id = messages[0].application_id
    # each links to the recipient's own page for the record: the candidate's, the dinas admin's
    for mail, page in ((english, f"/applications/{app_id}"), (indonesian, f"/candidate/applications/{app_id}")):
        assert mail["Message-ID"] == f"<{mail['X-Certflow-Key'].replace(':', '.')}@certflow.local>"
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        link = app.config["BASE_URL"] + page
        assert f"{link}\n" in text.replace("\r\n", "\n") and f'href="{link}"' in html
    assert "Hello Admin Batam" in english.get_body(("plain",)).get_content()
