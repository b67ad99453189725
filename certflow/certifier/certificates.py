"""The certifier's certificate pages: search, the lifecycle (suspend, reinstate, withdraw), the PDF."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from certflow.applications.certificate_actions import BULK_EVENTS, reissue_history
from certflow.applications.workflow import fire_certificate_event
from certflow.certificates.operations import live_status, live_status_filter, normal_number
from certflow.certificates.pdf import certificate_pdf
from certflow.certifier.routes import _page_of, bp
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Certificate, TransitionLog, User
from certflow.people.policy import certificate_actor, may_download_certificate
from certflow.web.events import event_inputs, flash_done, form_payload
from certflow.web.refusals import REFUSALS, refusal
from workflows import CERTIFICATE, InvalidTransition, engine_for
from workflows.guards import Msg

SEARCH_MAX = 80

# The events of a certificate's lifecycle a certifier fires (expiry and supersession are the system's).
LIFECYCLE_EVENTS = ("suspend", "reinstate", "withdraw")


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere (its own % and _ taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@bp.get("/certificates")
def certificates():
    """Certificates, newest first: search by number or holder, filter by live status."""
    return certificates_page(request.args)


def certificates_page(args, status_code: int = 200, **bulk):
    """The certificate list for the search in ``args``; ``bulk``: the outcome (or refusal) of a bulk action."""
    q = args.get("q", "").strip()[:SEARCH_MAX]
    status = args.get("status", "")
    status = status if status in CERTIFICATE.states else ""
    stmt = select(Certificate)
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(Certificate.number.ilike(pattern, escape="\\"), Certificate.holder_name.ilike(pattern, escape="\\"))
        )
    if status:
        stmt = stmt.where(live_status_filter(status))
    items, total, page, pages = _page_of(stmt, (Certificate.issued_on.desc(), Certificate.id.desc()))
    return render_template(
        "certifier/certificates.html",
        certificates=[(c, live_status(c)) for c in items],
        q=q,
        status=status,
        statuses=CERTIFICATE.states,
        total=total,
        page=page,
        pages=pages,
        bulk_events=BULK_EVENTS,
        **bulk,
    ), status_code


def _certificate_or_404(number: str) -> Certificate:
    number = normal_number(number)[:40]
    cert = db.session.scalar(
        select(Certificate).options(joinedload(Certificate.application)).where(Certificate.number == number)
    )
    if cert is None:
        abort(404)
    return cert


def _certificate_page(cert: Certificate, *, error=None, failed=None, values=None, status=200):
    live = live_status(cert)
    numbers = reissue_history(cert)
    events = []
    if live == cert.status:  # past its expiry date a certificate is expired, whatever the job has done
        events = [
            e
            for e in engine_for("certificate").allowed_events(cert.status, certificate_actor(current_user))
            if e in LIFECYCLE_EVENTS
        ]
    history = db.session.scalars(
        select(TransitionLog)
        .options(joinedload(TransitionLog.actor).lazyload(User.role_rows))
        .where(TransitionLog.workflow == "certificate", TransitionLog.subject_id == cert.id)
        .order_by(TransitionLog.at, TransitionLog.id)
    ).all()
    return (
        render_template(
            "certifier/certificate.html",
            cert=cert,
            live=live,
            events=[(e, CERTIFICATE.event(e).input_names) for e in events],
            history=history,
            numbers=numbers if len(numbers) > 1 else [],
            may_correct=live in ("active", "suspended"),
            error=error,
            failed=failed,
            values=values or {},
        ),
        status,
    )


@bp.get("/certificates/<number>")
def certificate(number: str):
    """One certificate: what it certifies, its live status and history, the lifecycle actions, the PDF."""
    return _certificate_page(_certificate_or_404(number))


@bp.post("/certificates/<number>/events/<event>")
def certificate_event(number: str, event: str):
    """Suspend (reason and end date), reinstate (reason) or withdraw (reason) a certificate."""
    if event not in LIFECYCLE_EVENTS:
        abort(404)
    cert = _certificate_or_404(number)
    reason, data = form_payload(event_inputs(CERTIFICATE, event), request.form)
    try:
        with unit_of_work():
            if live_status(cert) != cert.status:
                raise InvalidTransition(
                    Msg("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": "expired"}
                )
            fire_certificate_event(
                cert, event, current_user, reason=reason, data=data, version=request.form.get("version", "")
            )
    except REFUSALS as exc:
        message, code = refusal(exc)
        g.page_path = url_for(".certificate", number=number)
        values = {k: request.form.get(k, "") for k in ("reason", "until")}
        return _certificate_page(_certificate_or_404(number), error=message, failed=event, values=values, status=code)
    flash_done(event, cert.status, certificate=True)
    return redirect(url_for(".certificate", number=cert.number), 303)


@bp.get("/certificates/<number>/pdf")
def certificate_file(number: str):
    """The certificate as a PDF download."""
    cert = _certificate_or_404(number)
    if not may_download_certificate(current_user, cert):
        abort(404)
    pdf = certificate_pdf(cert, current_app.config["BASE_URL"])
    return send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=f"{cert.number}.pdf")
