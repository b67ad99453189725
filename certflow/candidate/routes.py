"""Pages of candidates (asesi): their applications, the next thing to do, the actions, the certificate.

The forms (APL-01, APL-02) are in ``apl``, the documents in ``documents``. Every page loads
only the candidate's own applications (anybody else's is a 404), calls a service, and
commits once; state changes go through ``fire_application_event`` as on every page.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certflow.applications.operations import (
    CLOSED_STATES,
    EDITABLE_STATES,
    RENEWABLE_STATUSES,
    create_application,
)
from certflow.assessment import written_tests
from certflow.candidate.common import bp, own_application_or_404
from certflow.candidate.records import load_record, load_records
from certflow.certificates.pdf import certificate_pdf
from certflow.core.errors import translate
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Certificate, Schedule, Scheme
from certflow.people.policy import application_actor
from certflow.web.events import actions, fire_from_form
from certflow.web.refusals import REFUSALS, refusal
from workflows import APPLICATION, engine_for
from workflows.guards import eligibility_failures

__all__ = ["bp"]


def scheme_choices(records) -> list[dict]:
    """The active schemes a candidate may apply for, each with the certificate it would renew
    and the open application that blocks a new one, if any."""
    schemes = db.session.scalars(select(Scheme).where(Scheme.active.is_(True)).order_by(Scheme.name, Scheme.code))
    live = {
        c.scheme_id: c.number
        for c in db.session.scalars(
            select(Certificate)
            .where(Certificate.holder_id == current_user.id, Certificate.status.in_(RENEWABLE_STATUSES))
            .order_by(Certificate.issued_on)
        )
    }
    open_ids = {r.app.scheme_id: r.app.id for r in records if r.app.state not in CLOSED_STATES}
    return [
        {
            "code": s.code,
            "name": s.name,
            "level": s.level,
            "renews": live.get(s.id),
            "open_id": open_ids.get(s.id),
        }
        for s in schemes
    ]


def _schedules_of(records) -> dict:
    """The schedules the candidate's applications are placed on (one query, none if there is none)."""
    ids = {r.app.schedule_id for r in records if r.app.schedule_id is not None}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Schedule).where(Schedule.id.in_(ids)))}


def _home(*, error: str | None = None, chosen: str | None = None, status: int = 200):
    records = load_records(current_user)
    return (
        render_template(
            "candidate/home.html",
            records=records,
            schedules=_schedules_of(records),
            choices=scheme_choices(records),
            error=error,
            chosen=chosen if chosen is not None else request.args.get("scheme", ""),
        ),
        status,
    )


@bp.get("/")
def home():
    """Each of the candidate's applications with its progress and the one next thing to do; a new one."""
    return _home()


@bp.post("/applications")
def create():
    """Open a draft application for a scheme (a recertification if the candidate holds its live certificate)."""
    g.page_path = url_for("candidate.home")
    code = request.form.get("scheme", "").strip()[:32]
    records = load_records(current_user)
    choice = next((c for c in scheme_choices(records) if c["code"] == code), None)
    if choice is None:
        return _home(error=_("Choose a scheme from the list."), chosen=code, status=422)
    try:
        with unit_of_work():
            app = create_application(current_user, code, choice["renews"])
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _home(error=message, chosen=code, status=status)
    if choice["renews"]:
        flash(_("Your application for recertification is open. Start with the application form."), "success")
    else:
        flash(_("Your application is open. Start with the application form."), "success")
    return redirect(url_for("candidate.application", application_id=app.id), 303)


def _application_page(application_id: int, *, error=None, failed=None, values=None, status=200):
    record = load_record(current_user, application_id)
    if record is None:
        abort(404)
    app = record.app
    engine = engine_for(APPLICATION.name)
    events = engine.allowed_events(app.state, application_actor(current_user, app))
    warnings = []
    # The rules of the route chosen; with none chosen yet, the form is what to do (the next step says so),
    # and the scheme's older single rule set is for applications sent before a route was asked (legacy).
    if app.state in EDITABLE_STATES and record.facts.route_name:
        warnings = [page_message_of(f) for f in eligibility_failures(record.facts)]
    return (
        render_template(
            "candidate/application.html",
            record=record,
            app=app,
            actions=actions(engine.definition, app, current_user, events),
            editable=app.state in EDITABLE_STATES,
            warnings=warnings,
            written_test=written_tests.latest_test(app.id),
            error=error,
            failed=failed,
            values=values or {},
        ),
        status,
    )


def page_message_of(failure) -> str:
    """A guard's failure in the reader's words."""
    return translate(failure.message, failure.params)


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    """One application: where it stands, what to do next, the revision asked for, the actions."""
    return _application_page(application_id)


# Sending the application (first or again) asks for the candidate's declaration, as on the paper APL-01.
DECLARED_EVENTS = ("submit", "resubmit")


@bp.post("/applications/<int:application_id>/events/<event>")
def fire(application_id: int, event: str):
    """Submit, resubmit, withdraw, appeal, request reassessment: the engine decides what may happen."""
    app = own_application_or_404(application_id)
    if event in DECLARED_EVENTS and request.form.get("declaration") != "yes":
        return _application_page(
            application_id,
            error=_("Tick the declaration that the data and documents are true before sending."),
            failed=event,
            values=request.form,
            status=422,
        )
    return fire_from_form(
        app, event, current_user, "candidate.application", lambda **page: _application_page(application_id, **page)
    )


@bp.get("/applications/<int:application_id>/certificate.pdf")
def certificate(application_id: int):
    """The certificate of a certified application, as a PDF, for its holder only."""
    app = own_application_or_404(application_id)
    cert = app.certificate
    if cert is None or cert.holder_id != current_user.id:
        abort(404)
    pdf = certificate_pdf(cert, current_app.config["BASE_URL"])
    response = send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=f"{cert.number}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


from certflow.candidate import apl, assessment, documents, written_test  # noqa: E402,F401  (the forms, records, documents and test pages)
