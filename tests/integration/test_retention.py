"""Anonymising after the retention period (DOMAIN.md rule 8), with the clock moved: scope, what stays, twice."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certflow import clock, jobs
from certflow.models import (
    ApiToken,
    Application,
    Certificate,
    Document,
    Notification,
    OutboxMessage,
    SelfAssessmentAnswer,
    TransitionLog,
    User,
)
from certflow.privacy.export import personal_data
from certflow.privacy.retention import ANONYMOUS_NAME, anonymous_email, years_before
from tests.factories import make_user
from tests.privacy_support import PROFILE, full_records, one_schedule, second_person


@pytest.fixture()
def at(monkeypatch):
    """Move the clock to a day (09:00 in Jakarta): ``at(date)``."""

    def move(day):
        moment = datetime.combine(day, time(9), tzinfo=clock.LOCAL_TZ)
        monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))

    return move


def _run(db) -> dict:
    result = jobs.run_job("anonymise_expired_people")
    db.session.expire_all()
    return result


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _snapshot(db) -> list:
    users = db.session.execute(select(User.id, User.name, User.email, User.active).order_by(User.id)).all()
    apps = db.session.execute(
        select(Application.id, Application.state, Application.apl01).order_by(Application.id)
    ).all()
    certs = db.session.execute(select(Certificate.id, Certificate.holder_name, Certificate.status)).all()
    return [users, apps, certs, _count(db, Document), _count(db, Notification), _count(db, TransitionLog)]


def test_anonymises_after_the_period_keeping_the_certificates_public_facts(app, db, world, at, caplog):
    schedule = one_schedule(world)
    siti = world.candidate
    certified = full_records(world, siti, "SITI", schedule)
    cert = certified.certificate
    facts = (cert.number, cert.scheme_code, cert.scheme_name, cert.issued_on, cert.expires_on, cert.units)
    busy = second_person(world)  # an application still open
    world.new_application(busy)
    idle = make_user("candidate", world.batam, name="Ani Diam", **PROFILE)  # never did anything
    siti.whatsapp_number, siti.whatsapp_consent_at = "+6281234567890", clock.now()
    siti.training, siti.position = True, "Pekerja sosial pertama"
    db.session.commit()
    stored = [Path(app.config["UPLOAD_DIR"]) / d.stored_name for a in (certified,) for d in a.documents]
    siti_docs = _count(
        db, Document, Document.application_id.in_(select(Application.id).where(Application.candidate_id == siti.id))
    )
    assert siti_docs and all(p.is_file() for p in stored)
    logs_before = _count(db, TransitionLog)

    at(clock.today() + timedelta(days=4 * 365))  # within the period of everyone
    assert _run(db) == {"anonymised": 0, "files": 0}

    at(years_before(clock.now(), -2).date())  # six years on: the idle ones are due; Siti's certificate still counts
    assert cert.expires_on >= years_before(clock.now(), 5).astimezone(clock.LOCAL_TZ).date()
    assert _run(db) == {"anonymised": 2, "files": 0}  # idle, and the world's other candidate (no application)
    assert db.session.get(User, idle.id).name == ANONYMOUS_NAME
    assert db.session.get(User, world.other_candidate.id).name == ANONYMOUS_NAME
    assert db.session.get(User, siti.id).name == "Siti Candidate"

    at(cert.expires_on + timedelta(days=5 * 366))  # the certificate ended more than five years ago
    jobs.run_job("expire_certificates")
    caplog.set_level(logging.INFO, logger="certflow.privacy.retention")
    result = _run(db)
    assert result["anonymised"] == 1 and result["files"] == siti_docs
    assert f"anonymised person {siti.id}" in caplog.text and "Siti" not in caplog.text

    person = db.session.get(User, siti.id)
    assert (person.name, person.email, person.password_hash, person.active) == (
        ANONYMOUS_NAME,
        anonymous_email(siti.id),
        None,
        False,
    )
    assert person.education_field is None and person.practice_hours is None
    assert person.training is None and person.position is None  # the self-check answers kept at registration
    assert person.whatsapp_number is None and person.whatsapp_consent_at is None
    apps = db.session.scalars(select(Application).where(Application.candidate_id == siti.id)).all()
    assert len(apps) == 2 and {a.state for a in apps} == {"certified", "ineligible"}  # the records stay
    for a in apps:
        assert not {"phone", "address", "employee_id", "nik", "birth_date", "birth_place"} & set(a.apl01)
    assert set(
        db.session.scalars(
            select(SelfAssessmentAnswer.evidence).where(SelfAssessmentAnswer.application_id.in_([a.id for a in apps]))
        )
    ) == {""}
    assert _count(db, Document, Document.application_id.in_([a.id for a in apps])) == 0
    assert not any(p.exists() for p in stored)
    assert _count(db, Notification, Notification.user_id == siti.id) == 0
    assert _count(db, OutboxMessage, OutboxMessage.recipient_id == siti.id) == 0
    assert _count(db, ApiToken, ApiToken.user_id == siti.id) == 0
    assert _count(db, TransitionLog) > logs_before  # only the expiry was added; nothing removed
    cert = db.session.get(Certificate, cert.id)
    assert (cert.number, cert.scheme_code, cert.scheme_name, cert.issued_on, cert.expires_on, cert.units) == facts
    assert cert.status == "expired" and cert.holder_name == ANONYMOUS_NAME
    assert "Siti" not in str(personal_data(person)) and "SITI" not in str(personal_data(person))

    # the one with an open application, and every member of staff, are kept
    assert db.session.get(User, busy.id).name == "Rudi Lain"
    for staff in (world.admin_batam, world.certifier, world.sysadmin, world.lead.user):
        assert db.session.get(User, staff.id).name != ANONYMOUS_NAME

    # safe twice: nothing more changes
    before = _snapshot(db)
    assert _run(db) == {"anonymised": 0, "files": 0}
    assert _snapshot(db) == before


def test_recent_activity_restarts_the_period(app, db, world, at, monkeypatch):
    person = make_user("candidate", world.batam, name="Dedi Aktif", **PROFILE)
    db.session.commit()
    start = clock.today()
    db.session.add(
        ApiToken(
            user_id=person.id,
            token_hash="a" * 64,
            created_at=clock.now() + timedelta(days=730),
            expires_at=clock.now() + timedelta(days=731),
        )
    )
    db.session.commit()
    at(start + timedelta(days=5 * 366))  # five years after the account, three after the token
    assert _run(db)["anonymised"] == 2  # the world's two candidates, not this one
    assert db.session.get(User, person.id).name == "Dedi Aktif"
    at(start + timedelta(days=7 * 366 + 2))
    assert _run(db)["anonymised"] == 1
    assert db.session.get(User, person.id).email == anonymous_email(person.id)


def test_the_certification_body_sets_the_period(app, db, world, at, monkeypatch):
    make_user("candidate", world.batam, name="Eka Singkat", **PROFILE)
    db.session.commit()
    at(clock.today() + timedelta(days=400))
    assert _run(db)["anonymised"] == 0
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 1)
    # every account of the world is a year old too: only the candidates are in scope
    done = _run(db)["anonymised"]
    names = set(db.session.scalars(select(User.name).where(User.name != ANONYMOUS_NAME)))
    assert "Eka Singkat" not in names
    assert {"Admin Batam", "Certifier One", "System Admin", "Lead Assessor"} <= names
    assert done == _count(db, User, User.name == ANONYMOUS_NAME) == 3  # Eka and the world's two candidates


def test_years_before_handles_the_leap_day():
    assert years_before(datetime(2028, 2, 29, tzinfo=UTC), 5) == datetime(2023, 2, 28, tzinfo=UTC)
