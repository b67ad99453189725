"""A certifier's actions on many certificates at once, and the name correction by re-issue.

``bulk_certificate_event`` fires one lifecycle event on each number in its own transaction (commit
per number): a refused number (unknown, wrong state, a guard) is reported and the others are done;
each done one is logged and its holder told through the outbox, as a single event would be.

``reissue_with_name`` corrects the holder's name: a new certificate (a new number, the same
application, scheme, units and dates) is issued and the old one is superseded by it through the
``correct_name`` event (the certifier's reason kept in the log); both stay in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from certflow.applications.workflow import fire_certificate_event
from certflow.certificates.operations import live_status, new_number, normal_number
from certflow.core.errors import AppError, InvalidInput, NotFound, as_app_error
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Certificate, User
from workflows import InvalidTransition
from workflows.guards import N_, Msg

BULK_EVENTS = ("suspend", "reinstate", "withdraw")
BULK_MAX = 200
NAME_MAX = 160


@dataclass
class BulkResult:
    done: list[str]
    refused: list[tuple[str, AppError]]


def _not_expired(cert: Certificate, event: str) -> None:
    if live_status(cert) != cert.status:  # past its expiry date it is expired, whether or not the job ran
        raise InvalidTransition(
            Msg("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": "expired"}
        )


def bulk_certificate_event(
    user: User, event: str, numbers: list[str], reason: str | None, data: dict | None = None
) -> BulkResult:
    """Fire ``event`` on each certificate of ``numbers``, each in its own transaction (commits)."""
    result = BulkResult(done=[], refused=[])
    seen: set[str] = set()
    for raw in numbers:
        number = normal_number(raw)[:64]
        if number in seen:
            continue
        seen.add(number)
        try:
            with unit_of_work():
                cert = db.session.scalar(
                    select(Certificate).options(joinedload(Certificate.application)).where(Certificate.number == number)
                )
                if cert is None or "\x00" in number:
                    raise NotFound()
                _not_expired(cert, event)
                fire_certificate_event(cert, event, user, reason=reason, data=dict(data or {}))
        except Exception as exc:  # noqa: BLE001 — a refusal is reported; a fault raises again
            error = as_app_error(exc)
            if error is None:
                raise
            db.session.rollback()
            result.refused.append((number, error))
        else:
            result.done.append(number)
    return result


def reissue_with_name(cert: Certificate, user: User, holder_name: str, reason: str | None) -> Certificate:
    """Issue ``cert`` anew under a new number with ``holder_name``; the old one superseded by it (flushes only)."""
    name = " ".join((holder_name or "").split())
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(N_("Enter the holder’s corrected name (at most 160 characters)."), fields="holder_name")
    if name == cert.holder_name:
        raise InvalidInput(N_("The corrected name is the name the certificate already carries."), fields="holder_name")
    _not_expired(cert, "correct_name")  # the state and the role: the engine, when the event fires below
    new = Certificate(
        number=new_number(cert.scheme_code, cert.issued_on.year),
        application_id=cert.application_id,
        holder_id=cert.holder_id,
        holder_name=name,
        scheme_id=cert.scheme_id,
        scheme_code=cert.scheme_code,
        scheme_name=cert.scheme_name,
        level=cert.level,
        units=list(cert.units or []),
        issuer=cert.issuer,
        signatory=cert.signatory,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        status=cert.status,
        status_reason=cert.status_reason if cert.status == "suspended" else None,
        suspended_until=cert.suspended_until,
    )
    db.session.add(new)
    db.session.flush()
    # Checks the role and the state again (the engine), logs the certifier's reason, tells the holder.
    fire_certificate_event(cert, "correct_name", user, reason=reason, data={"by": new.number, "by_id": new.id})
    cert.reissued_as_id = new.id
    db.session.flush()
    if cert.application is not None:
        db.session.expire(cert.application, ["certificate"])
    return new


def reissue_history(cert: Certificate) -> list[Certificate]:
    """Every certificate of the same application, oldest first (the number history of name corrections)."""
    return list(
        db.session.scalars(
            select(Certificate).where(Certificate.application_id == cert.application_id).order_by(Certificate.id)
        )
    )
