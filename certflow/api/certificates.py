"""API: certificates — the public check, the PDF, the lifecycle events, the list (see ../shared/API.md)."""

from __future__ import annotations

from flask import current_app, jsonify, request, send_file
from flask_babel import gettext
from sqlalchemy import false, select
from sqlalchemy.orm import joinedload

from certflow.api import bp
from certflow.api.auth import current_api_user, json_body, paginate, require_role
from certflow.api.errors import ApiError
from certflow.extensions import db
from certflow.models import Application, Certificate
from certflow.people.policy import dinas_scope, may_download_certificate
from certflow.services.certificates import live_status, live_status_filter
from certflow.services.pdf import certificate_pdf
from certflow.services.workflow import fire_certificate_event
from workflows import CERTIFICATE, InvalidTransition
from workflows.guards import Msg

LIFECYCLE_EVENTS = ("suspend", "reinstate", "withdraw")


def public_json(cert: Certificate) -> dict:
    """What anyone may know of a certificate: nothing personal beyond the holder's name."""
    return {
        "number": cert.number,
        "status": live_status(cert),
        "holder": cert.holder_name,
        "scheme": cert.scheme_code,
        "scheme_name": cert.scheme_name,
        "level": cert.level,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat(),
    }


def certificate_json(cert: Certificate) -> dict:
    """A certificate for those who manage it: the public fields plus the lifecycle details."""
    return {
        **public_json(cert),
        "id": cert.id,
        "application": cert.application_id,
        "version": cert.version,
        "status_reason": cert.status_reason,
        "suspended_until": cert.suspended_until.isoformat() if cert.suspended_until else None,
        "units": cert.units,
        "issuer": cert.issuer,
        "signatory": cert.signatory,
    }


def _not_found() -> ApiError:
    return ApiError(404, "not_found", gettext("Not found."))


def _by_number(number: str, *options) -> Certificate:
    cert = db.session.scalar(select(Certificate).where(Certificate.number == number).options(*options))
    if cert is None:
        raise _not_found()
    return cert


@bp.get("/certificates/<number>")
def public_certificate(number: str):
    """Public, no token: the live status of a certificate and the minimum about it."""
    return jsonify(public_json(_by_number(number)))


@bp.get("/certificates/<number>/pdf")
def certificate_pdf_file(number: str):
    """The certificate as a PDF, for the holder, certifiers, the admins of the holder's dinas."""
    cert = _by_number(number, joinedload(Certificate.application))
    if not may_download_certificate(current_api_user(), cert):
        raise _not_found()
    pdf = certificate_pdf(cert, current_app.config["BASE_URL"])
    return send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=f"{cert.number}.pdf")


@bp.post("/certificates/<number>/events")
def certificate_event(number: str):
    """Suspend, reinstate or withdraw a certificate (certifier)."""
    require_role("certifier")
    data = json_body()
    cert = _by_number(number, joinedload(Certificate.application))
    event = data.get("event")
    if event not in LIFECYCLE_EVENTS:
        raise ApiError(
            422,
            "validation_error",
            gettext("event must be one of: %(events)s.", events=", ".join(LIFECYCLE_EVENTS)),
        )
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ApiError(422, "validation_error", gettext("reason must be text."))
    extra = data.get("data")
    if extra is not None and not isinstance(extra, dict):
        raise ApiError(422, "validation_error", gettext("data must be a JSON object."))
    if live_status(cert) != cert.status:
        # Past its expiry date the certificate is expired, whether or not the job has run yet.
        raise InvalidTransition(
            Msg("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": "expired"}
        )
    fire_certificate_event(cert, event, current_api_user(), reason=reason, data=extra, version=data.get("version"))
    db.session.commit()
    return jsonify(certificate_json(cert))


@bp.get("/certificates")
def list_certificates():
    """Certificates, newest first: every one for certifiers and system admins, their scope's for dinas admins."""
    user = current_api_user()
    require_role("certifier", "admin", "dinas_admin")
    stmt = select(Certificate).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    if not user.roles & {"certifier", "admin"}:
        scope = dinas_scope(user)
        stmt = stmt.join(Application, Application.id == Certificate.application_id).where(
            Application.dinas_id.in_(scope) if scope is not None else false()
        )
    status = request.args.get("status")
    if status:
        if status not in CERTIFICATE.states:
            raise ApiError(
                422,
                "validation_error",
                gettext("status must be one of: %(states)s.", states=", ".join(CERTIFICATE.states)),
            )
        stmt = stmt.where(live_status_filter(status))
    scheme = request.args.get("scheme")
    if scheme:
        stmt = stmt.where(Certificate.scheme_code == scheme)
    items, total, page, per_page = paginate(stmt)
    return jsonify({"items": [certificate_json(c) for c in items], "total": total, "page": page, "per_page": per_page})
