"""Public pages, no login: certificate verification (``/verify/<number>`` never changes address)
and the certification schemes — what each certifies, who may apply, the steps and how long they take."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from certflow.applications.operations import scheme_units
from certflow.candidate.progress import main_path, side_states
from certflow.certificates.operations import live_status, normal_number
from certflow.extensions import db
from certflow.models import Certificate, Scheme, Unit
from certflow.reports.figures import median_days_in_state
from workflows import APPLICATION

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
