"""Public pages, no login: certificate verification (``/verify/<number>`` never changes address)
and the certification schemes — what each certifies, who may apply, the steps and how long they take."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from certflow.applications.operations import scheme_units
from certflow.candidate.progress import main_path, side_states
from certflow.certificates.operations import live_status, normal_number
from certflow.certificates.pdf import certificate_pdf
from certflow.certificates.signing import issuer_certificate_pem
from certflow.extensions import db
from certflow.models import Certificate, Scheme, Unit
from certflow.people.policy import may_download_certificate
from certflow.reports.figures import median_days_in_state
from workflows import APPLICATION

bp = Blueprint("public", __name__)

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
# An example in the real number format (scheme code, year, eight Crockford base-32 characters).
NUMBER_EXAMPLE = "PSG-2026-7K3M9Q2X"

STATUS_LABELS = {
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
    "superseded": _l("Superseded"),
}
STATUS_EXPLANATIONS = {
    "active": _l("This certificate is valid."),
    "suspended": _l("This certificate is suspended and is not valid at the moment."),
    "withdrawn": _l("This certificate was withdrawn and is no longer valid."),
    "expired": _l("This certificate has expired and is no longer valid."),
    "superseded": _l("This certificate was replaced by a newer certificate of the same holder."),
}
HEADLINES = {
    "active": _l("Valid"),
    "suspended": _l("Suspended — not valid at the moment"),
    "withdrawn": _l("Withdrawn — no longer valid"),
    "expired": _l("Expired — no longer valid"),
    "superseded": _l("Replaced by a newer certificate"),
}


SCHEME_ENDPOINTS = ("public.schemes", "public.scheme")


@bp.after_request
def _live_and_unindexed(response):
    """The status is live, so never cached; the holder's name is not for search engines.

    (The scheme pages are meant to be found: they keep the default headers.)
    """
    if request.endpoint in SCHEME_ENDPOINTS:
        return response
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _clean(number: str | None) -> str:
    return normal_number(number)[:40]


@bp.get("/verify")
def verify_search():
    """A plain search form; ``?number=`` goes to the certificate's page."""
    number = _clean(request.args.get("number"))
    if number:
        return redirect(url_for("public.verify", number=number))
    return render_template("public/verify.html", cert=None, number="", example=NUMBER_EXAMPLE)


def linkedin_add_url(cert: Certificate, page_url: str) -> str:
    """LinkedIn's public "add to profile" address, filled with the certification's fields."""
    fields = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{cert.scheme_name} ({cert.scheme_code})",
        "organizationName": cert.issuer,
        "issueYear": cert.issued_on.year,
        "issueMonth": cert.issued_on.month,
        "expirationYear": cert.expires_on.year,
        "expirationMonth": cert.expires_on.month,
        "certUrl": page_url,
        "certId": cert.number,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(fields)}"


def _certificate(number: str) -> tuple[Certificate | None, str | None]:
    """The certificate of ``number`` and the number of the one that replaced it (one statement)."""
    newer = aliased(Certificate)
    row = db.session.execute(
        select(Certificate, newer.number)
        .outerjoin(newer, newer.id == Certificate.superseded_by_id)
        .where(Certificate.number == _clean(number))
    ).first()
    return (row[0], row[1]) if row else (None, None)


@bp.get("/verify/<number>")
def verify(number: str):
    """The live status of a certificate at a glance, what was certified and by whom, and ways to share it."""
    cert, newer_number = _certificate(number)
    if cert is None:
        page = render_template("public/verify.html", cert=None, number=number, not_found=True, example=NUMBER_EXAMPLE)
        return page, 404
    status = live_status(cert)
    page_url = f"{current_app.config['BASE_URL'].rstrip('/')}{url_for('public.verify', number=cert.number)}"
    return render_template(
        "public/verify.html",
        cert=cert,
        number=cert.number,
        status=status,
        status_label=STATUS_LABELS[status],
        status_explanation=STATUS_EXPLANATIONS[status],
        headline=HEADLINES[status],
        example=NUMBER_EXAMPLE,
        newer_number=newer_number,
        page_url=page_url,
        linkedin_url=linkedin_add_url(cert, page_url) if status == "active" else None,
        may_download=current_user.is_authenticated and may_download_certificate(current_user, cert),
    )


@bp.get("/issuer-certificate.pem")
def issuer_certificate():
    """The issuer's certificate (PEM): what anyone validates the signature of a certificate PDF against."""
    response = current_app.response_class(issuer_certificate_pem(), mimetype="application/x-pem-file")
    response.headers["Content-Disposition"] = "attachment; filename=issuer-certificate.pem"
    return response


@bp.get("/verify/<number>/certificate.pdf")
def verify_pdf(number: str):
    """The signed PDF, from the verification page, for those who may download it (else 404)."""
    cert, _newer = _certificate(number)
    if cert is None or not (current_user.is_authenticated and may_download_certificate(current_user, cert)):
        abort(404)
    pdf = certificate_pdf(cert, current_app.config["BASE_URL"])
    return send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=f"{cert.number}.pdf")


# -- the schemes --------------------------------------------------------------------------------


@bp.get("/schemes")
def schemes():
    """Every scheme open for applications, with what it certifies and who may apply."""
    rows = db.session.scalars(select(Scheme).where(Scheme.active.is_(True)).order_by(Scheme.name, Scheme.code)).all()
    units = dict(db.session.execute(select(Unit.scheme_id, func.count(Unit.id)).group_by(Unit.scheme_id)).all())
    return render_template("public/schemes.html", schemes=rows, unit_counts=units)


def application_steps(medians: dict) -> list[dict]:
    """The main path of the application workflow: each step, its usual time, and the event that moves it on."""
    path = main_path(APPLICATION)
    steps = []
    for i, state in enumerate(path):
        following = path[i + 1] if i + 1 < len(path) else None
        moves = [
            ev
            for ev in APPLICATION.events
            if following and any(r.source == state and r.dest == following for r in ev.routes)
        ]
        steps.append({"state": state, "days": medians.get(state), "moves": moves, "final": following is None})
    return steps


@bp.get("/schemes/<code>")
def scheme(code: str):
    """One scheme: units → elements → criteria, who may apply, the steps to a certificate and their usual time."""
    found = db.session.scalar(select(Scheme).where(Scheme.code == code[:32], Scheme.active.is_(True)))
    if found is None:
        abort(404)
    medians = median_days_in_state(None, scheme_id=found.id)
    return render_template(
        "public/scheme.html",
        scheme=found,
        units=scheme_units(found.id),
        steps=application_steps(medians),
        sides=side_states(APPLICATION),
        events={ev.name: ev for ev in APPLICATION.events},
    )


from certflow.public import selfcheck  # noqa: E402,F401  (register the self-check page)
