"""Public pages: certificate verification, no login. ``/verify/<number>`` never changes address."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Certificate
from certflow.services.certificates import live_status

bp = Blueprint("public", __name__)

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


@bp.after_request
def _live_and_unindexed(response):
    """The status is live, so never cached; the holder's name is not for search engines."""
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _clean(number: str | None) -> str:
    return (number or "").strip().upper()[:40]


@bp.get("/verify")
def verify_search():
    """A plain search form; ``?number=`` goes to the certificate's page."""
    number = _clean(request.args.get("number"))
    if number:
        return redirect(url_for("public.verify", number=number))
    return render_template("public/verify.html", cert=None, number="")


@bp.get("/verify/<number>")
def verify(number: str):
    """The live status of a certificate, with the holder's name, scheme, level and dates — nothing else."""
    cert = db.session.scalar(select(Certificate).where(Certificate.number == _clean(number)))
    if cert is None:
        return render_template("public/verify.html", cert=None, number=number, not_found=True), 404
    status = live_status(cert)
    return render_template(
        "public/verify.html",
        cert=cert,
        number=cert.number,
        status=status,
        status_label=STATUS_LABELS[status],
        status_explanation=STATUS_EXPLANATIONS[status],
    )
