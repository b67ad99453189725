"""API: certificates — the public check, the PDF, the lifecycle events, the list (see ../shared/API.md)."""

from __future__ import annotations

from flask import current_app, send_file
from flask_babel import gettext
from sqlalchemy import false, select
from sqlalchemy.orm import joinedload

from certflow.api import bp
from certflow.api.auth import current_api_user, paginate, require_role
from certflow.api.errors import ApiError
from certflow.api.schemas import certificates as s
from certflow.api.spec import answer, body, operation, query
from certflow.applications.workflow import fire_certificate_event
from certflow.certificates.operations import live_status, live_status_filter, normal_number
from certflow.certificates.pdf import certificate_pdf
from certflow.core.schemas import invalid
from certflow.extensions import db
from certflow.models import Application, Certificate
from certflow.people.policy import dinas_scope, may_download_certificate
from workflows import CERTIFICATE, InvalidTransition
from workflows.guards import N_, Msg

LIFECYCLE_EVENTS = ("suspend", "reinstate", "withdraw")
TAG = "Certificates"


def _public_fields(cert: Certificate) -> dict:
    return {
        "number": cert.number,
        "status": live_status(cert),
        "holder": cert.holder_name,
        "scheme": cert.scheme_code,
        "scheme_name": cert.scheme_name,
        "level": cert.level,
        "issued_on": cert.issued_on,
        "expires_on": cert.expires_on,
    }


def public_out(cert: Certificate) -> s.PublicCertificate:
    """What anyone may know of a certificate: nothing personal beyond the holder's name."""
    return s.PublicCertificate(**_public_fields(cert))


def certificate_out(cert: Certificate) -> s.CertificateOut:
    """A certificate for those who manage it: the public fields plus the lifecycle details."""
    return s.CertificateOut(
        **_public_fields(cert),
        id=cert.id,
        application=cert.application_id,
        version=cert.version,
        status_reason=cert.status_reason,
        suspended_until=cert.suspended_until,
        units=cert.units,
        issuer=cert.issuer,
        signatory=cert.signatory,
    )


def _not_found() -> ApiError:
    return ApiError(404, "not_found", N_("Not found."))


def by_number(number: str, *options) -> Certificate:
    if len(number) > 64 or "\x00" in number:
        raise _not_found()
    cert = db.session.scalar(select(Certificate).where(Certificate.number == normal_number(number)).options(*options))
    if cert is None:
        raise _not_found()
    return cert


@bp.get("/certificates/<number>")
@operation(resp=s.PublicCertificate, errors=(404,), public=True, tag=TAG)
def public_certificate(number: str):
    """Public, no token: the live status of a certificate and the minimum about it."""
    return answer(public_out(by_number(number)))


@bp.get("/certificates/<number>/pdf")
@operation(content="application/pdf", errors=(404,), tag=TAG)
def certificate_pdf_file(number: str):
    """The certificate as a PDF, for the holder, certifiers, the admins of the holder's dinas."""
    cert = by_number(number, joinedload(Certificate.application))
    if not may_download_certificate(current_api_user(), cert):
        raise _not_found()
    pdf = certificate_pdf(cert, current_app.config["BASE_URL"])
    return send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=f"{cert.number}.pdf")


@bp.post("/certificates/<number>/events")
@operation(json=s.CertificateEvent, resp=s.CertificateOut, errors=(403, 404, 409), tag=TAG)
def certificate_event(number: str):
    """Suspend, reinstate or withdraw a certificate (certifier)."""
    require_role("certifier")
    data = body()
    cert = by_number(number, joinedload(Certificate.application))
    event, reason, extra = data.event, data.reason, data.data
    if live_status(cert) != cert.status:
        # Past its expiry date the certificate is expired, whether or not the job has run yet.
        raise InvalidTransition(
            Msg("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": "expired"}
        )
    fire_certificate_event(cert, event, current_api_user(), reason=reason, data=extra, version=data.version)
    db.session.commit()
    return answer(certificate_out(cert))


@bp.get("/certificates")
@operation(query=s.CertificateQuery, resp=s.CertificatePage, errors=(403,), tag=TAG)
def list_certificates():
    """Certificates, newest first: every one for certifiers and system admins, their scope's for dinas admins."""
    user = current_api_user()
    require_role("certifier", "admin", "dinas_admin")
    args = query()
    stmt = select(Certificate).order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    if not user.roles & {"certifier", "admin"}:
        scope = dinas_scope(user)
        stmt = stmt.join(Application, Application.id == Certificate.application_id).where(
            Application.dinas_id.in_(scope) if scope is not None else false()
        )
    if args.status:
        if args.status not in CERTIFICATE.states:
            raise invalid({"status": gettext("must be one of %(states)s", states=", ".join(CERTIFICATE.states))})
        stmt = stmt.where(live_status_filter(args.status))
    if args.scheme:
        stmt = stmt.where(Certificate.scheme_code == args.scheme)
    items, total, page, per_page = paginate(stmt, args)
    items = [certificate_out(c) for c in items]
    return answer(s.CertificatePage(items=items, total=total, page=page, per_page=per_page))
