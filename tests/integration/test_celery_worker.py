"""A real Celery worker on Redis delivers the outbox: each e-mail once, even when queued twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from sqlalchemy import select

from certflow import create_app
from certflow.extensions import db as _db
from certflow.models import OutboxMessage
from tests.conftest import REDIS_URL, redis_available, require_service

ROOT = Path(__file__).resolve().parents[2]
DELIVER = "certflow.notifications.tasks.deliver_outbox"
RELAY = "certflow.notifications.tasks.relay_outbox"


@pytest.fixture()
def worker(database_url, tmp_path):
    """A Celery worker process on Redis, on the test database, writing e-mails to a folder."""
    require_service(redis_available(), "Redis")
    queue = f"certflow-test-{uuid.uuid4().hex[:12]}"  # this test's own queue: other runs share the Redis
    mail_dir = tmp_path / "mail"
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_QUEUE=queue,
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(mail_dir),
        CERTFLOW_INSTANCE=str(tmp_path / "instance"),
        SECRET_KEY="worker-test",
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_COST="1024",
    )
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "celery_worker",
            "worker",
            "--pool=solo",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Celery(broker=REDIS_URL)
    client.conf.task_default_queue = queue
    try:
        yield client, mail_dir, queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        client.close()
        redis.Redis.from_url(REDIS_URL).delete(queue)


def _wait_for(predicate, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _sent_keys(mail_dir: Path) -> list[str]:
    if not mail_dir.exists():
        return []
    keys = []
    for path in mail_dir.glob("*.eml"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("X-Certflow-Key:"):
                keys.append(line.split(":", 1)[1].strip())
    return keys


def test_worker_delivers_each_outbox_message_exactly_once(world, db, worker, app):
    client, mail_dir, _queue = worker
    application = world.new_application()
    world.advance(application, "eligible")
    ids = list(db.session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
    keys = list(db.session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)))
    assert ids, "the transitions wrote outbox rows"

    for message_id in ids:  # every message queued twice: delivered once
        client.send_task(DELIVER, args=[message_id])
        client.send_task(DELIVER, args=[message_id])
    client.send_task(RELAY, kwargs={"older_than_seconds": 0})  # and relayed once more

    assert _wait_for(lambda: len(_sent_keys(mail_dir)) >= len(ids)), (mail_dir / "..").resolve()
    time.sleep(2)  # let any duplicate land before counting
    assert sorted(_sent_keys(mail_dir)) == sorted(keys)
    db.session.expire_all()
    statuses = set(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent"}


def test_commit_queues_delivery_through_the_broker(world, db, worker, app):
    """The after-commit hook queues each new outbox message on Redis; the worker sends it."""
    from certflow.applications.workflow import fire_application_event
    from certflow.models import Application

    client, mail_dir, queue = worker
    application_id = world.new_application().id
    settings = {k: v for k, v in app.config.items() if k.isupper()}
    settings.update(CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE=queue, OUTBOX_DISPATCH=True)
    producer = create_app(type("ProducerConfig", (), settings))
    try:
        with producer.app_context():
            application = _db.session.get(Application, application_id)
            fire_application_event(application, "submit", application.candidate)
            _db.session.commit()
            keys = list(_db.session.scalars(select(OutboxMessage.key)))
            _db.session.remove()
        assert keys
        assert _wait_for(lambda: sorted(_sent_keys(mail_dir)) == sorted(keys))
    finally:
        app.extensions["celery"].set_default()
