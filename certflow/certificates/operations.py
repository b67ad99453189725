"""Issuing certificates."""

from __future__ import annotations

import secrets
from datetime import date

from flask import current_app
from sqlalchemy import and_, or_

from certflow import clock
from certflow.extensions import db
from certflow.models import Application, Certificate

# Statuses the scheduled ``expire`` job moves to ``expired`` on the expiry date.
_EXPIRABLE = ("active", "suspended")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_number(scheme_code: str, year: int) -> str:
    """A unique, unguessable certificate number, e.g. ``PSG-2026-7K3M9Q2X``."""
    return f"{scheme_code}-{year}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


def normal_number(text: str | None) -> str:
    """A certificate number as stored, whatever case or spaces it is typed with (numbers are upper-case)."""
    return (text or "").strip().upper()


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def issue_certificate(app: Application) -> Certificate:
    """Issue the certificate of a certified application; its content is fixed from now on."""
    scheme = app.scheme
    issued = clock.today()
    cert = Certificate(
        number=new_number(scheme.code, issued.year),
        application_id=app.id,
        holder_id=app.candidate_id,
        holder_name=app.candidate.name,
        scheme_id=scheme.id,
        scheme_code=scheme.code,
        scheme_name=scheme.name,
        level=scheme.level,
        units=[{"code": u.code, "title": u.title} for u in scheme.units],
        issuer=current_app.config["CERT_ISSUER"],
        signatory=current_app.config["CERT_SIGNATORY"],
        issued_on=issued,
        expires_on=add_years(issued, scheme.validity_years),
        status="active",
    )
    db.session.add(cert)
    db.session.flush()
    db.session.expire(app, ["certificate"])  # a view-only relationship: read anew the next time
    return cert


def live_status(cert: Certificate) -> str:
    """The status to show now: a certificate on or past its expiry date is ``expired``
    even before the scheduled job runs (it is valid up to the day before ``expires_on``)."""
    if cert.status in _EXPIRABLE and cert.expires_on <= clock.today():
        return "expired"
    return cert.status


def live_status_filter(status: str):
    """A SQL condition selecting the certificates whose *live* status is ``status``."""
    today = clock.today()
    if status == "expired":
        return or_(
            Certificate.status == "expired",
            and_(Certificate.status.in_(_EXPIRABLE), Certificate.expires_on <= today),
        )
    if status in _EXPIRABLE:
        return and_(Certificate.status == status, Certificate.expires_on > today)
    return Certificate.status == status
