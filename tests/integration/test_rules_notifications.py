"""Every transition notifies exactly the groups its definition names: one notification and one e-mail each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.applications.workflow import fire_application_event, fire_certificate_event
from certflow.models import Certificate, Notification, OutboxMessage, TransitionLog
from tests.integration.test_rules_workflow import bring, rightful, routes, travel  # noqa: F401  (fixture)
from workflows import APPLICATION, CERTIFICATE


def groups_of(w, app, team_before=None) -> dict[str, set[int]]:
    """The user ids each recipient group stands for, for an application of Batam.

    The team is the one assigned — after the event, or before it (a released team hears of it).
    """
    return {
        "candidate": {w.candidate.id},
        "dinas_admins": {w.admin_batam.id, w.admin_kepri.id},  # its dinas and its province's; never Riau's
        "team": {w.lead.user.id, w.member.user.id} if w.team.id in (app.team_id, team_before) else set(),
        "certifiers": {w.certifier.id, w.certifier2.id},
    }


def assert_notified(db, log: TransitionLog, expected: set[int], *, certificate_id=None) -> None:
    notes = db.session.scalars(
        select(Notification).where(
            Notification.application_id == log.application_id,
            Notification.event == log.event,
            Notification.workflow == log.workflow,
        )
    ).all()
    assert sorted(n.user_id for n in notes) == sorted(expected), "one notification per recipient"
    assert all(n.certificate_id == certificate_id and n.read_at is None for n in notes)
    outbox = db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"transition:{log.id}:%"))).all()
    assert sorted(m.recipient_id for m in outbox) == sorted(expected), "one e-mail per recipient"
    assert {m.key for m in outbox} == {f"transition:{log.id}:{uid}" for uid in expected}
    assert all(m.status == "pending" and m.event == log.event and m.workflow == log.workflow for m in outbox)
    assert all(
        m.payload
        == {"from": log.from_state, "to": log.to_state, "reason": log.reason}
        | ({"number": m.payload["number"]} if certificate_id else {})
        | ({"until": m.payload["until"]} if log.to_state == "suspended" else {})
        for m in outbox
    )


@pytest.mark.parametrize(("event", "source", "dest", "appealed_from"), list(routes()))
def test_each_application_event_notifies_the_groups_it_names(world, db, travel, event, source, dest, appealed_from):  # noqa: F811
    w = world
    app = bring(w, w.new_application(), source, appealed_from=appealed_from)
    user, kw = rightful(w, app, event, travel)
    team_before = app.team_id
    fire_application_event(app, event, user, **kw)
    db.session.commit()

    log = db.session.scalar(
        select(TransitionLog)
        .where(TransitionLog.application_id == app.id, TransitionLog.workflow == "application")
        .order_by(TransitionLog.id.desc())
        .limit(1)
    )
    groups = groups_of(w, app, team_before)
    expected = set().union(*(groups[g] for g in APPLICATION.event(event).notify))
    assert_notified(db, log, expected)


# supersede and correct_name are fired with the certificate that replaces it (test_supersede_notifies_the_holder,
# tests/web/test_api_certificate_actions.py::test_name_correction_notifies_the_groups_it_names).
@pytest.mark.parametrize(
    "event", [ev.name for ev in CERTIFICATE.events if ev.name not in ("supersede", "correct_name")]
)
def test_each_certificate_event_notifies_the_groups_it_names(world, db, travel, event):  # noqa: F811
    w = world
    app = bring(w, w.new_application(), "certified")
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))
    if event == "reinstate":
        until = (clock.today() + timedelta(days=5)).isoformat()
        fire_certificate_event(cert, "suspend", w.certifier, reason="x", data={"until": until})
        db.session.commit()
    if event == "expire":
        travel(days=(cert.expires_on - clock.today()).days)
    user = None if event == "expire" else w.certifier
    until = (clock.today() + timedelta(days=5)).isoformat()
    fire_certificate_event(cert, event, user, reason="Because.", data={"until": until})
    db.session.commit()
    log = db.session.scalar(
        select(TransitionLog).where(TransitionLog.workflow == "certificate", TransitionLog.event == event)
    )
    groups = groups_of(w, app)
    expected = set().union(*(groups[g] for g in CERTIFICATE.event(event).notify))
    assert_notified(db, log, expected, certificate_id=cert.id)


def test_the_holder_is_told_until_when_the_certificate_is_suspended(app, world, db):
    from email import message_from_bytes, policy

    from certflow.notifications.messages import render_email

    w = world
    application = bring(w, w.new_application(), "certified")
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == application.id))
    until = clock.today() + timedelta(days=30)
    fire_certificate_event(
        cert, "suspend", w.certifier, reason="Keluhan sedang diperiksa", data={"until": until.isoformat()}
    )
    db.session.commit()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.event == "suspend", OutboxMessage.recipient_id == w.candidate.id)
    )
    assert message.payload["until"] == until.isoformat()
    with app.test_request_context():
        email = render_email(message)
    text = message_from_bytes(bytes(email), policy=policy.default).get_body(("plain",)).get_content()
    months = ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember").split()
    assert f"Dibekukan sampai {until.day} {months[until.month - 1]} {until.year}." in text, text
    # a reinstatement says no date: the suspension is over
    fire_certificate_event(cert, "reinstate", w.certifier, reason="Keluhan tidak terbukti")
    db.session.commit()
    reinstated = db.session.scalar(select(OutboxMessage).where(OutboxMessage.event == "reinstate").limit(1))
    assert "until" not in reinstated.payload


def test_supersede_notifies_the_holder(world, db):
    w = world
    old_app = bring(w, w.new_application(), "certified")
    old = db.session.scalar(select(Certificate).where(Certificate.application_id == old_app.id))
    renewal = w.new_application()
    renewal.previous_certificate_id = old.id
    db.session.commit()
    bring(w, renewal, "certified")
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.event == "supersede"))
    assert_notified(db, log, {w.candidate.id}, certificate_id=old.id)


def test_dinas_admins_of_a_kabupaten_without_its_own_admin_are_the_provinces(world, db):
    w = world
    app = w.new_application(w.other_candidate)  # Bintan: no admin of its own
    w.fire(app, "submit", w.other_candidate)
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.application_id == app.id))
    assert_notified(db, log, {w.other_candidate.id, w.admin_kepri.id})


def test_an_inactive_dinas_admin_is_not_notified(world, db):
    w = world
    w.admin_kepri.active = False
    db.session.commit()
    app = w.new_application()
    w.fire(app, "submit", w.candidate)
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.application_id == app.id))
    assert_notified(db, log, {w.candidate.id, w.admin_batam.id})


def test_someone_in_two_groups_is_notified_once(world, db):
    w = world
    w.admin_batam.set_roles({"dinas_admin", "candidate"})
    db.session.commit()
    app = w.new_application(w.admin_batam)  # the candidate is also a dinas admin of their own dinas
    w.fire(app, "submit", w.admin_batam)
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.application_id == app.id))
    assert_notified(db, log, {w.admin_batam.id, w.admin_kepri.id})


def test_outbox_keys_are_unique_over_a_whole_journey(world, db):
    w = world
    for _ in range(2):
        bring(w, w.new_application(), "certified")
    keys = db.session.scalars(select(OutboxMessage.key)).all()
    assert len(keys) == len(set(keys)) > 0
    per_log = db.session.execute(select(TransitionLog.id, TransitionLog.event)).all()
    transition_keys = [k for k in keys if k.startswith("transition:")]  # beside them: the agreement to sign
    assert {k.split(":")[1] for k in transition_keys} == {str(i) for i, _ in per_log}
    assert all(k.startswith(("transition:", "agreement:")) for k in keys), keys
