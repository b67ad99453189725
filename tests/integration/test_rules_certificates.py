"""Recertification and the certificate lifecycle: suspend, reinstate, withdraw, expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.applications.workflow import StaleVersion, fire_certificate_event
from certflow.models import Certificate, TransitionLog
from tests.integration.test_rules_workflow import bring, refused, travel  # noqa: F401  (fixture)
from workflows import Forbidden, GuardFailed, InvalidTransition


def _certificate(world, db) -> Certificate:
    app = bring(world, world.new_application(), "certified")
    return db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))


def _fire(world, db, cert, event, user, **kw):
    fired = fire_certificate_event(cert, event, user, **kw)
    db.session.commit()
    return fired


def _cert_logs(db, cert) -> list[TransitionLog]:
    return db.session.scalars(
        select(TransitionLog)
        .where(TransitionLog.workflow == "certificate", TransitionLog.subject_id == cert.id)
        .order_by(TransitionLog.id)
    ).all()


# -- recertification ----------------------------------------------------------------------------------


def test_recertification_supersedes_the_old_certificate_with_no_gap(world, db, travel):  # noqa: F811
    w = world
    old = _certificate(w, db)
    travel(days=4 * 365)
    for assessor in (w.lead, w.member):
        assessor.licence_expires = clock.today() + timedelta(days=365)
    renewal = w.new_application()
    renewal.previous_certificate_id = old.id
    db.session.commit()
    bring(w, renewal, "certified")

    new = db.session.scalar(select(Certificate).where(Certificate.application_id == renewal.id))
    db.session.refresh(old)
    assert (old.status, new.status) == ("superseded", "active")
    assert old.superseded_by_id == new.id and old.status_reason == new.number
    # the old one ends the day the new one starts, inside its validity: no gap
    [supersede] = _cert_logs(db, old)
    assert (supersede.event, supersede.from_state, supersede.to_state) == ("supersede", "active", "superseded")
    assert supersede.actor_id is None and supersede.data == {"by": new.number}
    assert supersede.at.astimezone(clock.LOCAL_TZ).date() == new.issued_on == clock.today()
    assert new.issued_on <= old.expires_on
    [certify] = db.session.scalars(
        select(TransitionLog).where(TransitionLog.application_id == renewal.id, TransitionLog.event == "certify")
    ).all()
    assert certify.at == supersede.at


def test_a_first_certification_supersedes_nothing(world, db):
    cert = _certificate(world, db)
    assert cert.status == "active" and _cert_logs(db, cert) == []


def test_a_withdrawn_certificate_is_not_superseded_by_a_recertification(world, db):
    w = world
    old = _certificate(w, db)
    _fire(w, db, old, "withdraw", w.certifier, reason="Misconduct.")
    renewal = w.new_application()
    renewal.previous_certificate_id = old.id
    db.session.commit()
    bring(w, renewal, "certified")
    db.session.refresh(old)
    assert old.status == "withdrawn" and old.superseded_by_id is None


# -- suspend, reinstate, withdraw -----------------------------------------------------------------------


def test_suspend_needs_a_reason_and_an_end_date_after_today(world, db):
    w = world
    cert = _certificate(w, db)
    until = (clock.today() + timedelta(days=90)).isoformat()
    for kw, rule in (
        ({"data": {"until": until}}, "reason_given"),
        ({"reason": "Under investigation."}, "end_date_set"),
        ({"reason": "x", "data": {"until": clock.today().isoformat()}}, "end_date_set"),
        ({"reason": "x", "data": {"until": "soon"}}, "end_date_set"),
    ):
        refused(db, GuardFailed, fire_certificate_event, cert, "suspend", w.certifier, rule=rule, **kw)
    _fire(w, db, cert, "suspend", w.certifier, reason="Under investigation.", data={"until": until})
    assert cert.status == "suspended" and cert.suspended_until.isoformat() == until
    assert cert.status_reason == "Under investigation."
    [log] = _cert_logs(db, cert)
    assert (log.event, log.from_state, log.to_state, log.actor_id) == ("suspend", "active", "suspended", w.certifier.id)
    assert log.data == {"until": until} and log.application_id == cert.application_id


def test_reinstate_returns_a_suspended_certificate_to_active(world, db):
    w = world
    cert = _certificate(w, db)
    until = (clock.today() + timedelta(days=30)).isoformat()
    _fire(w, db, cert, "suspend", w.certifier, reason="Investigation.", data={"until": until})
    refused(db, GuardFailed, fire_certificate_event, cert, "reinstate", w.certifier2, rule="reason_given")
    _fire(w, db, cert, "reinstate", w.certifier2, reason="Cleared.")
    assert cert.status == "active" and cert.suspended_until is None
    refused(db, InvalidTransition, fire_certificate_event, cert, "reinstate", w.certifier, reason="Again.")


@pytest.mark.parametrize("suspended_first", [False, True])
@pytest.mark.parametrize("by", ["certifier", "system"])
def test_withdraw(world, db, suspended_first, by):
    w = world
    cert = _certificate(w, db)
    if suspended_first:
        until = (clock.today() + timedelta(days=30)).isoformat()
        _fire(w, db, cert, "suspend", w.certifier, reason="Investigation.", data={"until": until})
    user = w.certifier if by == "certifier" else None
    refused(db, GuardFailed, fire_certificate_event, cert, "withdraw", user, rule="reason_given")
    _fire(w, db, cert, "withdraw", user, reason="Licence revoked.")
    assert cert.status == "withdrawn"
    for event in ("reinstate", "suspend", "withdraw", "expire"):
        refused(db, InvalidTransition, fire_certificate_event, cert, event, w.certifier, reason="x")


# -- expire -----------------------------------------------------------------------------------------------


def test_expire_only_on_or_after_the_expiry_date(world, db, travel):  # noqa: F811
    w = world
    cert = _certificate(w, db)
    refused(db, GuardFailed, fire_certificate_event, cert, "expire", None, rule="expiry_passed")
    days_left = (cert.expires_on - clock.today()).days
    travel(days=days_left - 1)
    assert clock.today() == cert.expires_on - timedelta(days=1)
    refused(db, GuardFailed, fire_certificate_event, cert, "expire", None, rule="expiry_passed")
    travel(days=1)
    assert clock.today() == cert.expires_on
    _fire(w, db, cert, "expire", None)
    assert cert.status == "expired"
    [log] = _cert_logs(db, cert)
    assert log.actor_id is None and log.event == "expire"


def test_a_suspended_certificate_expires_too(world, db, travel):  # noqa: F811
    w = world
    cert = _certificate(w, db)
    _fire(w, db, cert, "suspend", w.certifier, reason="x", data={"until": (clock.today() + timedelta(1)).isoformat()})
    travel(days=(cert.expires_on - clock.today()).days + 10)
    _fire(w, db, cert, "expire", None)
    assert cert.status == "expired"


# -- who may ----------------------------------------------------------------------------------------------


def test_only_certifiers_suspend_reinstate_and_withdraw(world, db):
    w = world
    cert = _certificate(w, db)
    until = (clock.today() + timedelta(days=30)).isoformat()
    others = (w.candidate, w.admin_batam, w.admin_kepri, w.sysadmin, w.lead.user, w.other_candidate)
    for user in others:
        refused(db, Forbidden, fire_certificate_event, cert, "suspend", user, reason="x", data={"until": until})
        refused(db, Forbidden, fire_certificate_event, cert, "withdraw", user, reason="x")
    _fire(w, db, cert, "suspend", w.certifier, reason="x", data={"until": until})
    for user in others:
        refused(db, Forbidden, fire_certificate_event, cert, "reinstate", user, reason="x")


def test_only_the_system_expires_and_supersedes(world, db, travel):  # noqa: F811
    w = world
    cert = _certificate(w, db)
    travel(days=(cert.expires_on - clock.today()).days)
    for user in (w.certifier, w.sysadmin, w.candidate):
        refused(db, Forbidden, fire_certificate_event, cert, "expire", user)
        refused(db, Forbidden, fire_certificate_event, cert, "supersede", user)


def test_a_stale_certificate_version_is_refused(world, db):
    w = world
    cert = _certificate(w, db)
    refused(
        db, StaleVersion, fire_certificate_event, cert, "withdraw", w.certifier, reason="x", version=cert.version + 1
    )
    _fire(w, db, cert, "withdraw", w.certifier, reason="x", version=cert.version)
    assert cert.status == "withdrawn" and cert.version == 2
