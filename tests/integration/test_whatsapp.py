"""WhatsApp beside e-mail, against a local stand-in of the provider's HTTP API (the edge of the world).

The stand-in (``Provider``) is a threading HTTP server that checks the token, keeps the messages it
took by their ``Idempotency-Key`` (a key seen before is answered again, not sent again: what a
provider honouring the header does) and answers as each test scripts it: refusals (4xx), failures
(5xx), answers slower than the client waits. Delivery goes through the same outbox as e-mail.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import OutboxMessage
from certflow.notifications import delivery, whatsapp
from certflow.notifications.messages import event_title
from tests.web.test_pages_support import Browser, fresh

TOKEN = "stand-in-token"


class Provider:
    """A stand-in of a WhatsApp provider's HTTP API on a free local port."""

    def __init__(self):
        self.script: list[tuple] = []  # what to answer next, one entry a request: ("ok",), (status, body), ("slow", s)
        self.requests: list[dict] = []  # every request received
        self.sent: dict[str, dict] = {}  # the messages sent to phones, by idempotency key
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key")
                provider.requests.append({"key": key, "body": body, "auth": self.headers.get("Authorization")})
                step = provider.script.pop(0) if provider.script else ("ok",)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    step = (401, {"error": "invalid token"})
                if step[0] in ("ok", "slow"):
                    provider.sent.setdefault(key, body)  # taken (once per key), then answered
                    if step[0] == "slow":
                        time.sleep(step[1])
                    self._answer(200, {"id": f"wamid.{len(provider.sent)}"})
                else:
                    self._answer(step[0], step[1])

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client stopped waiting
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def provider(app, monkeypatch):
    """The stand-in, and the app configured to send WhatsApp messages to it."""
    with Provider() as stand_in:
        monkeypatch.setitem(app.config, "WHATSAPP_API_URL", stand_in.url)
        monkeypatch.setitem(app.config, "WHATSAPP_TOKEN", TOKEN)
        monkeypatch.setitem(app.config, "WHATSAPP_TIMEOUT", 0.5)
        yield stand_in


def _consent(user, number="+6281234567890") -> None:
    user.whatsapp_number = number
    user.whatsapp_consent_at = clock.now()


@pytest.fixture()
def submitted(world, db, provider):
    """An application submitted: the candidate wants WhatsApp; one dinas admin has a number but no
    consent, the other neither. The outbox rows, by channel."""
    _consent(world.candidate)
    world.admin_batam.whatsapp_number = "+6281111111111"
    db.session.commit()
    application = world.new_application()
    world.fire(application, "submit", world.candidate)
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return application, rows


def _row(db, message_id: int) -> OutboxMessage:
    db.session.rollback()
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _whatsapp_rows(rows):
    return [r for r in rows if r.channel == "whatsapp"]


def test_only_a_person_with_number_and_consent_gets_a_whatsapp_row_beside_the_e_mail(world, submitted):
    _application, rows = submitted
    emails = [r for r in rows if r.channel == "email"]
    assert {r.recipient_id for r in emails} == {world.candidate.id, world.admin_batam.id, world.admin_kepri.id}
    (wa,) = _whatsapp_rows(rows)
    assert wa.recipient_id == world.candidate.id
    candidate_email = next(r for r in emails if r.recipient_id == world.candidate.id)
    assert wa.key == candidate_email.key + ":whatsapp"
    assert (wa.event, wa.application_id) == (candidate_email.event, candidate_email.application_id)
    assert wa.status == "pending"


def test_a_whatsapp_message_is_its_title_and_link_sent_once_with_the_idempotency_key(app, db, provider, submitted):
    application, rows = submitted
    (wa,) = _whatsapp_rows(rows)
    assert delivery.deliver(wa.id).status == "sent"
    assert delivery.deliver(wa.id).status == "skipped"  # a second task for it: nothing more
    assert len(provider.requests) == 1
    request = provider.requests[0]
    assert request["key"] == wa.key and request["auth"] == f"Bearer {TOKEN}"
    assert request["body"]["to"] == "+6281234567890" and request["body"]["type"] == "text"
    text = request["body"]["text"]["body"]
    link = f"{app.config['BASE_URL']}/candidate/applications/{application.id}"
    assert text == f"[certflow] Permohonan diajukan\n{link}"  # Indonesian: the candidate has no other language
    assert "\\u" not in json.dumps(request["body"], ensure_ascii=False)
    row = _row(db, wa.id)
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_refusal_is_not_retried_and_is_recorded_for_the_admin(app, db, world, provider, submitted):
    _application, rows = submitted
    (wa,) = _whatsapp_rows(rows)
    provider.script = [(400, {"error": {"message": "Recipient is not a valid WhatsApp user"}})]
    outcome = delivery.deliver(wa.id)
    assert (outcome.status, outcome.retry_in) == ("failed", None)
    row = _row(db, wa.id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "HTTP 400" in row.last_error and "not a valid WhatsApp user" in row.last_error
    assert delivery.deliver(wa.id).status == "skipped"
    assert len(provider.requests) == 1 and provider.sent == {}
    # the system admin sees it among the failed messages, with the provider's words
    fresh(db)
    page = Browser(app).login(world.sysadmin).get("/notifications/?lang=en").text
    assert f"WhatsApp of {world.candidate.email}" in page and "not a valid WhatsApp user" in page


def test_a_failing_provider_is_retried_with_backoff_then_given_up_visibly(app, db, monkeypatch, provider, submitted):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    _application, rows = submitted
    (wa,) = _whatsapp_rows(rows)
    provider.script = [(503, {"error": "busy"})] * 3
    first, second = delivery.deliver(wa.id), delivery.deliver(wa.id)
    assert (first.status, second.status) == ("retry", "retry")
    base = app.config["OUTBOX_RETRY_BASE_SECONDS"]
    assert base / 2 <= first.retry_in <= base and base <= second.retry_in <= 2 * base  # backoff doubles
    row = _row(db, wa.id)
    assert (row.status, row.attempts) == ("pending", 2) and "HTTP 503" in row.last_error
    assert row.lease_until > clock.now()  # the relay leaves it to the retry meanwhile
    assert delivery.deliver(wa.id).status == "failed"
    row = _row(db, wa.id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert delivery.outbox_counts()["failed"] == 1
    assert len(provider.requests) == 3 and provider.sent == {}


def test_a_time_out_is_retried_with_the_same_key_and_the_person_gets_one_message(db, provider, submitted):
    _application, rows = submitted
    (wa,) = _whatsapp_rows(rows)
    provider.script = [("slow", 1.5)]  # the provider takes the message, then answers after the client gave up
    outcome = delivery.deliver(wa.id)
    assert outcome.status == "retry"
    assert "no answer within" in _row(db, wa.id).last_error
    assert delivery.deliver(wa.id).status == "sent"
    assert [r["key"] for r in provider.requests] == [wa.key, wa.key]
    assert list(provider.sent) == [wa.key]  # one message on the phone
    assert _row(db, wa.id).attempts == 2


def test_an_unreachable_provider_is_retried(app, db, monkeypatch, provider, submitted):
    _application, rows = submitted
    (wa,) = _whatsapp_rows(rows)
    monkeypatch.setitem(app.config, "WHATSAPP_API_URL", "http://127.0.0.1:9/v1/messages")  # nobody listens
    assert delivery.deliver(wa.id).status == "retry"
    assert "could not reach the provider" in _row(db, wa.id).last_error


def test_consent_withdrawn_before_delivery_sends_nothing(db, world, provider, submitted):
    _application, rows = submitted
    (wa,) = _whatsapp_rows(rows)
    world.candidate.whatsapp_consent_at = None
    db.session.commit()
    assert delivery.deliver(wa.id).status == "failed"
    row = _row(db, wa.id)
    assert row.status == "failed" and "no longer" in row.last_error
    assert provider.requests == []


def test_without_a_configured_provider_nobody_gets_whatsapp(app, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "WHATSAPP_API_URL", None)
    _consent(world.candidate)
    db.session.commit()
    application = world.new_application()
    world.fire(application, "submit", world.candidate)
    channels = db.session.scalars(select(OutboxMessage.channel)).all()
    assert channels and set(channels) == {"email"}


def test_reminders_get_their_whatsapp_copy_once(db, world, provider):
    from certflow.notifications.reminders import add_reminders

    _consent(world.candidate)
    db.session.commit()
    reminder = {
        "key": f"reminder:test:{world.candidate.id}",
        "user": world.candidate.id,
        "event": "certificate_expiring",
        "application": None,
        "certificate": None,
        "params": {"number": "X", "date": "2027-01-01", "days": 30},
    }
    assert add_reminders([reminder]) == 1
    assert add_reminders([reminder]) == 0  # written again (another worker, the same job): nothing new
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.channel, r.key) for r in rows] == [
        ("email", reminder["key"]),
        ("whatsapp", reminder["key"] + ":whatsapp"),
    ]
    assert delivery.deliver(rows[1].id).status == "sent"
    assert provider.requests[0]["body"]["text"]["body"].startswith(f"[certflow] {event_title('certificate_expiring')}")


def test_account_e_mails_never_go_to_whatsapp(db, world, provider):
    from certflow.people.passwords import queue_account_email

    _consent(world.candidate)
    db.session.commit()
    queue_account_email(world.candidate, "password_reset")
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    assert whatsapp.add_copies([row.id]) == []  # a set-password link goes by e-mail only
    db.session.commit()
    assert set(db.session.scalars(select(OutboxMessage.channel))) == {"email"}
