"""The production processes — gunicorn, a Celery worker, Celery beat — on Redis, e-mail to a real SMTP server.

A candidate's journey from submission to certificate is driven through the HTTP API of a
running gunicorn; every transition's e-mails must arrive at the SMTP server, each exactly
once, and beat's work (the relay of rows nobody queued, a scheduled reminder) too.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import timedelta

import pytest
import redis
from sqlalchemy import select

from certflow import clock
from certflow.models import OutboxMessage
from tests.conftest import REDIS_URL, redis_available, require_service
from tests.factories import PASSWORD
from tests.integration.test_notif_support import Processes, SmtpServer, process_env, require_aiosmtpd, wait_for
from tests.web.test_api_applications_support import criteria_codes


class Http:
    """A JSON client of the running gunicorn, as one user."""

    def __init__(self, base: str, user=None):
        self.base = base
        self.token = None
        if user is not None:
            status, body = self.call("POST", "/auth/tokens", {"email": user.email, "password": PASSWORD})
            assert status == 201, body
            self.token = body["token"]

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        """One request to ``/api/v1<path>``: (status, JSON body)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def event(self, app_id: int, event: str, **body) -> dict:
        """Fire an event; asserts it worked and returns the application."""
        status, result = self.call("POST", f"/applications/{app_id}/events", {"event": event, **body})
        assert status == 200, (event, status, result)
        return result


@pytest.fixture()
def processes(db, tmp_path):
    """Start processes; all are stopped after the test, before the database is emptied."""
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()


def _outbox(db) -> list[OutboxMessage]:
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_journey_through_gunicorn_worker_and_beat_sends_every_e_mail_once(world, db, database_url, processes, tmp_path):
    require_service(redis_available(), "Redis")
    require_aiosmtpd()
    redis.Redis.from_url(REDIS_URL).flushdb()
    codes = criteria_codes(world.scheme)

    # Before the processes start: transitions whose e-mails nobody queued (only the relay can send
    # them), and a revision due tomorrow (beat's scheduled job reminds the candidate).
    waiting = world.new_application(world.candidate, world.other_scheme)
    world.fire(waiting, "submit", world.candidate)
    deadline = clock.today() + timedelta(days=1)
    world.fire(waiting, "request_revision", world.admin_batam, reason="Sign", data={"deadline": str(deadline)})
    application = world.new_application()
    assert {m.status for m in _outbox(db)} == {"pending"}

    with SmtpServer() as smtp:
        env = process_env(database_url, REDIS_URL, smtp.port, tmp_path, SCHEDULED_JOBS_SECONDS=3)
        _, base = processes.gunicorn(env)
        processes.worker(env, pool="prefork")
        beat = processes.beat(env)

        candidate, admin_batam, admin_kepri = (
            Http(base, u) for u in (world.candidate, world.admin_batam, world.admin_kepri)
        )
        lead, member, certifier = (Http(base, u) for u in (world.lead.user, world.member.user, world.certifier))
        app_id = application.id
        candidate.event(app_id, "submit")
        _, detail = admin_batam.call("GET", f"/applications/{app_id}")
        for document in detail["documents"]:
            assert admin_batam.call("PATCH", f"/documents/{document['id']}", {"status": "valid"})[0] == 200
        admin_batam.event(app_id, "approve")
        admin_kepri.event(app_id, "assign_team", data={"team": world.team.id})
        for assessor in (lead, member):
            assert assessor.call("POST", f"/applications/{app_id}/conflict-declaration", {"conflict": False})[0] == 200
        units = sorted({c.rsplit(".", 2)[0] for c in codes})
        terms = {
            "date": (clock.today() + timedelta(days=3)).isoformat(),
            "time": "08:30",
            "evidence": [{"unit": u, "methods": ["observation"]} for u in units],
        }
        assert lead.call("PUT", f"/applications/{app_id}/agreement", terms)[0] == 200
        for signer in (candidate, lead):
            assert signer.call("POST", f"/applications/{app_id}/agreement/sign")[0] == 200
        lead.event(app_id, "start_assessment")
        scores = [{"criterion": c, "result": "K", "evidence": "Observed"} for c in codes]
        assert lead.call("PUT", f"/applications/{app_id}/scores", {"scores": scores})[0] == 200
        lead.event(app_id, "recommend", data={"recommendation": "K"})
        assert certifier.event(app_id, "certify")["state"] == "certified"

        def all_sent() -> bool:
            rows = _outbox(db)
            return (
                any(m.event == "revision_deadline" for m in rows)
                and all(m.status == "sent" for m in rows)
                and len(smtp.keys()) >= len(rows)
            )

        assert wait_for(all_sent, 90, 0.5), (
            smtp.keys(),
            [(m.key, m.status) for m in _outbox(db)],
            processes.log_of(beat),
        )
        time.sleep(3)  # a duplicate, if any, would land now
        rows = _outbox(db)

    assert smtp.duplicates() == {}
    assert sorted(smtp.keys()) == sorted(m.key for m in rows)
    by_event = defaultdict(set)
    for m in rows:
        if m.application_id == app_id:
            by_event[m.event].add(m.recipient_id)
    admins = {world.admin_batam.id, world.admin_kepri.id}
    team = {world.lead.user.id, world.member.user.id}
    me = world.candidate.id
    assert by_event == {
        "submit": {me} | admins,
        "approve": {me},
        "assign_team": {me} | team,
        "agreement_to_sign": {me},
        "start_assessment": {me} | team,
        "recommend": {me} | admins | {world.certifier.id, world.certifier2.id},
        "certify": {me} | admins | team,
    }
    reminder = next(m for m in rows if m.event == "revision_deadline")
    assert reminder.recipient_id == me and smtp.by_key(reminder.key)["To"] == world.candidate.email
    assert all(m.attempts == 1 for m in rows)
