"""Bulk lifecycle events and the name correction by re-issue, through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certflow import clock
from certflow.extensions import db as _db
from certflow.models import Application, Certificate, Notification, OutboxMessage, TransitionLog
from tests.web.test_api_certificates import certified_in, token


@pytest.fixture()
def three(world, db) -> list[Certificate]:
    apps = [certified_in(world, world.batam) for _ in range(3)]
    return [_db.session.scalar(select(Certificate).where(Certificate.application_id == a.id)) for a in apps]


def bulk(client, headers, **body):
    return client.post("/api/v1/certificates/events", json=body, headers=headers)


def told(user_id: int, event: str) -> int:
    return _db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.event == event)
    )


def test_bulk_suspend_with_one_refused_number_does_the_others(client, world, three):
    a, b, c = three
    headers = token(client, world.certifier)
    assert bulk(client, headers, event="withdraw", reason="Fraud", numbers=[b.number]).status_code == 200
    until = (clock.today() + timedelta(days=30)).isoformat()
    r = bulk(
        client,
        headers,
        event="suspend",
        reason="Audit of the event",
        numbers=[a.number, b.number, "NOPE-2026-00000000", c.number.lower()],
        data={"until": until},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["done"] == [a.number, c.number]
    assert [(x["number"], x["code"]) for x in body["refused"]] == [
        (b.number, "invalid_transition"),
        ("NOPE-2026-00000000", "not_found"),
    ]
    assert all(x["message"] for x in body["refused"])
    _db.session.expire_all()
    for cert in (a, c):
        cert = _db.session.get(Certificate, cert.id)
        assert cert.status == "suspended" and cert.status_reason == "Audit of the event"
        assert cert.suspended_until.isoformat() == until
        assert told(cert.holder_id, "suspend") == 1
        assert _db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient_id == cert.holder_id, OutboxMessage.event == "suspend")
        )
    assert _db.session.get(Certificate, b.id).status == "withdrawn"
    assert told(b.holder_id, "suspend") == 0


def test_bulk_withdraw_needs_a_reason_for_each(client, world, three):
    headers = token(client, world.certifier)
    r = bulk(client, headers, event="withdraw", numbers=[c.number for c in three])
    assert r.status_code == 200
    assert r.get_json()["done"] == [] and {x["code"] for x in r.get_json()["refused"]} == {"guard_failed"}


@pytest.mark.parametrize("who", ["candidate", "admin_batam", "sysadmin"])
def test_only_certifiers_act_in_bulk(client, world, three, who):
    headers = token(client, getattr(world, who))
    r = bulk(client, headers, event="withdraw", reason="x", numbers=[three[0].number])
    assert r.status_code == 403
    assert _db.session.get(Certificate, three[0].id).status == "active"


def test_bulk_refuses_bad_bodies(client, world):
    headers = token(client, world.certifier)
    assert bulk(client, headers, event="expire", reason="x", numbers=["A"]).status_code == 422
    assert bulk(client, headers, event="withdraw", reason="x", numbers=[]).status_code == 422
    assert bulk(client, headers, event="withdraw", reason="x", numbers=["A"] * 201).status_code == 422
    assert client.post("/api/v1/certificates/events", json={"event": "withdraw"}).status_code == 401


def reissue(client, headers, number, **body):
    return client.post(f"/api/v1/certificates/{number}/reissue", json=body, headers=headers)


def test_name_correction_reissues_and_keeps_both_in_history(client, world, three):
    old = three[0]
    headers = token(client, world.certifier)
    r = reissue(client, headers, old.number, holder_name="  Siti   Rahmawati ", reason="Typo in the name", version=1)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    new_number = body["certificate"]["number"]
    assert body["replaces"] == old.number and new_number != old.number
    assert body["certificate"]["holder"] == "Siti Rahmawati" and body["certificate"]["status"] == "active"
    assert body["certificate"]["expires_on"] == old.expires_on.isoformat()

    _db.session.expire_all()
    old = _db.session.get(Certificate, old.id)
    new = _db.session.scalar(select(Certificate).where(Certificate.number == new_number))
    assert old.status == "superseded" and old.superseded_by_id == new.id and old.reissued_as_id == new.id
    assert old.holder_name != "Siti Rahmawati"  # the old one is kept as it was issued
    app = _db.session.get(Application, old.application_id)
    assert app.certificate.id == new.id  # the application's certificate is the re-issue
    log = _db.session.scalars(
        select(TransitionLog).where(TransitionLog.workflow == "certificate", TransitionLog.subject_id == old.id)
    ).all()
    assert [(x.event, x.reason, x.actor_id) for x in log] == [("correct_name", "Typo in the name", world.certifier.id)]
    assert told(old.holder_id, "correct_name") == 1
    # both public: the old one says superseded, the new one active
    assert client.get(f"/api/v1/certificates/{old.number}").get_json()["status"] == "superseded"
    assert client.get(f"/api/v1/certificates/{new_number}").get_json()["status"] == "active"
    # the old credential's revocation bit is set
    from tests.web.test_api_credentials import bits

    assert bits(client, old.number) == {"revocation": True, "suspension": False}
    assert bits(client, new_number) == {"revocation": False, "suspension": False}


def test_name_correction_refusals(client, world, three):
    old = three[0]
    headers = token(client, world.certifier)
    assert reissue(client, headers, old.number, holder_name=old.holder_name, reason="x").status_code == 422
    assert reissue(client, headers, old.number, holder_name="New Name").status_code == 422  # no reason
    assert reissue(client, headers, old.number, holder_name="New Name", reason="x", version=7).status_code == 409
    assert reissue(client, headers, "NOPE-2026-00000000", holder_name="New Name", reason="x").status_code == 404
    assert reissue(client, token(client, world.admin_batam), old.number, holder_name="N", reason="x").status_code == 403
    assert reissue(client, headers, old.number, holder_name="New Name", reason="ok").status_code == 201
    # superseded now: no second correction of the old number
    assert reissue(client, headers, old.number, holder_name="Other Name", reason="x").status_code == 409
    assert _db.session.scalar(select(func.count()).select_from(Certificate)) == 4


def test_name_correction_notifies_the_groups_it_names(client, world, db):
    from tests.integration.test_rules_notifications import assert_notified, groups_of
    from workflows import CERTIFICATE

    app = world.advance(world.new_application(), "certified")
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))
    r = reissue(client, token(client, world.certifier), cert.number, holder_name="Corrected Name", reason="Typo")
    assert r.status_code == 201
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.event == "correct_name"))
    groups = groups_of(world, app)
    expected = set().union(*(groups[g] for g in CERTIFICATE.event("correct_name").notify))
    assert_notified(db, log, expected, certificate_id=cert.id)
