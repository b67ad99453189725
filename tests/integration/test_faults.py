"""Faults, with real processes: Redis stopped, a worker killed mid-delivery, an SMTP server refusing.

Each test runs its own redis-server on a spare port (the machine's shared Redis is never
stopped) and a Celery worker on it; transitions are fired in this process by an app whose
commits queue deliveries on that Redis, exactly as gunicorn's do.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from certflow import create_app
from certflow.applications.workflow import fire_application_event
from certflow.extensions import db as _db
from certflow.models import Application, OutboxMessage, User
from tests.conftest import require_service
from tests.integration.test_notif_support import (
    Processes,
    SmtpServer,
    process_env,
    require_aiosmtpd,
    tool_available,
    wait_for,
)


@pytest.fixture()
def rig(app, db, tmp_path):
    """Our own Redis, a real SMTP server, and a process manager; everything stopped afterwards."""
    require_service(tool_available("redis-server"), "redis-server")
    require_aiosmtpd()
    procs = Processes(tmp_path)
    try:
        with SmtpServer() as smtp:
            _, port = procs.redis()
            yield procs, smtp, port
    finally:
        procs.stop_all()
        app.extensions["celery"].set_default()


def producer_for(app, broker_url: str):
    """An app like gunicorn's: its commits queue deliveries on ``broker_url``."""
    settings = {k: v for k, v in app.config.items() if k.isupper()}
    settings.update(CELERY_BROKER_URL=broker_url, OUTBOX_DISPATCH=True)
    return create_app(type("ProducerConfig", (), settings))


def fire(producer, application_id: int, event: str, user_id: int | None, **kw) -> float:
    """Fire ``event`` and commit in ``producer``; the seconds the whole request took."""
    started = time.monotonic()
    with producer.app_context():
        application = _db.session.get(Application, application_id)
        user = _db.session.get(User, user_id) if user_id else None
        fire_application_event(application, event, user, **kw)
        _db.session.commit()
        _db.session.remove()
    return time.monotonic() - started


def outbox(db) -> list[OutboxMessage]:
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def every_message_sent_once(db, smtp, extra: float = 2.0) -> list[OutboxMessage]:
    """Wait until every outbox row is sent and the server has them all; then check for duplicates."""

    def done() -> bool:
        rows = outbox(db)
        return bool(rows) and all(m.status == "sent" for m in rows) and len(smtp.keys()) >= len(rows)

    assert wait_for(done, 60, 0.3), ([(m.key, m.status, m.attempts) for m in outbox(db)], smtp.keys())
    time.sleep(extra)
    rows = outbox(db)
    assert smtp.duplicates() == {}
    assert sorted(smtp.keys()) == sorted(m.key for m in rows)
    return rows


def test_redis_down_transitions_succeed_and_every_e_mail_arrives_once_after(
    world, db, app, database_url, rig, tmp_path
):
    procs, smtp, port = rig
    broker = f"redis://127.0.0.1:{port}/0"
    procs.worker(process_env(database_url, broker, smtp.port, tmp_path), beat=True)
    producer = producer_for(app, broker)
    application = world.new_application()
    world.mark_documents(application, "valid")
    app_id = application.id

    fire(producer, app_id, "submit", world.candidate.id)
    assert wait_for(lambda: len(smtp.keys()) == 3, 30), smtp.keys()  # Redis up: straight through

    redis_proc = next(p for p in procs.procs if p.args[0] == "redis-server")
    procs.stop(redis_proc)  # the broker goes away…
    took = [
        fire(producer, app_id, "approve", world.admin_batam.id),  # …and people keep working
        fire(producer, app_id, "assign_team", world.admin_kepri.id, data={"team": world.team.id}),
    ]
    assert max(took) < 5, took  # a down broker does not hold a request up
    world.declare(application)
    world.agree(application)  # the agreement to sign: the candidate's e-mail waits in the outbox too
    took.append(fire(producer, app_id, "start_assessment", world.lead.user.id))
    db.session.rollback()
    assert db.session.get(Application, app_id).state == "in_assessment"
    time.sleep(2)
    assert len(smtp.keys()) == 3  # nothing could be queued meanwhile

    procs.redis(port)  # Redis is back, empty: the tasks queued before are gone too
    rows = every_message_sent_once(db, smtp)
    assert {m.event for m in rows} == {"submit", "approve", "assign_team", "agreement_to_sign", "start_assessment"}


def test_worker_killed_mid_delivery_sends_the_e_mail_once_after_restart(world, db, app, database_url, rig, tmp_path):
    procs, smtp, port = rig
    broker = f"redis://127.0.0.1:{port}/0"
    env = process_env(database_url, broker, smtp.port, tmp_path, OUTBOX_LEASE_SECONDS=4)
    application = world.new_application()
    smtp.hold_for = world.candidate.email  # the server takes the message's DATA and does not answer yet

    worker = procs.worker(env, name="doomed", beat=True)
    producer = producer_for(app, broker)
    fire(producer, application.id, "submit", world.candidate.id)
    assert smtp.holding.wait(30), procs.log_of(worker)
    target_key = next(m.key for m in outbox(db) if m.recipient_id == world.candidate.id)
    target = next(m for m in outbox(db) if m.key == target_key)
    assert (target.status, target.attempts) == ("sending", 1)

    procs.kill(worker)  # SIGKILL while the SMTP server holds the DATA answer
    assert wait_for(lambda: smtp.dropped == [target_key], 10)  # the server never accepted it

    procs.worker(env, name="restarted", beat=True)
    rows = every_message_sent_once(db, smtp)
    target = next(m for m in rows if m.key == target_key)
    assert target.attempts == 2  # taken over once its lease ran out, by the relay
    assert smtp.keys().count(target_key) == 1


def test_smtp_refusing_for_a_while_is_retried_and_delivered_once(world, db, app, database_url, rig, tmp_path):
    procs, smtp, port = rig
    broker = f"redis://127.0.0.1:{port}/0"
    env = process_env(database_url, broker, smtp.port, tmp_path, OUTBOX_MAX_ATTEMPTS=4)
    application = world.new_application()
    # The candidate's mailbox refuses twice, then takes the message; the Batam admin's refuses for ever.
    smtp.refuse_for.update({world.candidate.email: 2, world.admin_batam.email: 10**6})
    procs.worker(env)
    producer = producer_for(app, broker)
    fire(producer, application.id, "submit", world.candidate.id)
    keys = {m.recipient_id: m.key for m in outbox(db)}
    flaky, broken, fine = keys[world.candidate.id], keys[world.admin_batam.id], keys[world.admin_kepri.id]

    def settled() -> bool:
        return {m.key: m.status for m in outbox(db)}.get(broken) == "failed" and flaky in smtp.keys()

    assert wait_for(settled, 60, 0.3), [(m.key, m.status, m.attempts) for m in outbox(db)]
    time.sleep(2)
    rows = {m.key: m for m in outbox(db)}
    assert smtp.duplicates() == {}
    assert sorted(smtp.keys()) == sorted([flaky, fine])
    assert (rows[flaky].status, rows[flaky].attempts, rows[fine].attempts) == ("sent", 3, 1)
    assert rows[broken].status == "failed" and rows[broken].attempts == 4 and "451" in rows[broken].last_error
    assert smtp.refused.count(broken) == 4 and smtp.refused.count(flaky) == 2
