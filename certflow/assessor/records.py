"""The lead's record pages: the FR.AK.01 agreement (write the terms, sign) and FR.AK.02 per unit.

Every member of the team reads them; only the lead writes and signs (the operations decide).
A refused save re-renders the form with every message summarised at the top and what was typed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from certflow.assessment import agreements
from certflow.assessment import records as recs
from certflow.assessor.routes import _context, _load, bp
from certflow.core.transaction import unit_of_work
from certflow.models.assessment import METHODS
from certflow.web.refusals import REFUSALS, field_messages, refusal

AGREEMENT_FIELDS = {
    "date": _l("Date"),
    "time": _l("Time"),
    "venue": _l("Venue (TUK)"),
    "evidence": _l("Evidence to be gathered"),
}


class RecordForm(FlaskForm):
    """The CSRF token of the record forms (their fields are drawn per unit by the templates)."""


def _summary(exc, labels) -> list[str]:
    """Every message of a refused save, each with the label of its field."""
    out = []
    for name, text in field_messages(exc).items():
        key = name.split("[", 1)[0].split(".", 1)[0]
        label = labels.get(key)
        out.append(f"{label}: {text}" if label else text)
    return out


def _posted_methods(prefix: str, code: str) -> list[str]:
    return [m for m in request.form.getlist(f"{prefix}-{code}") if m in METHODS]


# -- FR.AK.01 -------------------------------------------------------------------------------------


def _render(template: str, app, assessor, editable_state: str, status: int, *, problems=None, **page):
    """A record page of the team: the lead edits it while the application is in ``editable_state``."""
    ctx = _context(app, assessor)
    editable = ctx["is_lead"] and app.state == editable_state
    page = {"form": RecordForm(), "problems": problems or [], "methods": METHODS, "editable": editable, **page}
    return render_template(template, **page, **ctx), status


def _agreement_page(app, assessor, *, values=None, problems=None, status=200):
    agreement = agreements.agreement_of(app, current=False)
    units = agreements.scheme_units(app)
    if values is None:
        planned = {e["unit"]: e["methods"] for e in (agreement.evidence if agreement else [])}
        planned_terms = {} if agreement else agreements.schedule_terms(app)  # the schedule's, when on one
        values = {
            "date": agreement.assessed_on.isoformat() if agreement else planned_terms.get("date", ""),
            "time": agreement.assessed_at.strftime("%H:%M") if agreement else planned_terms.get("time", ""),
            "venue": agreement.venue if agreement else planned_terms.get("venue", ""),
            "methods": {u.code: planned.get(u.code, []) for u in units},
        }
    return _render(
        "assessor/agreement.html",
        app,
        assessor,
        agreements.AGREEMENT_STATE,
        status,
        agreement=agreement,
        current=agreement is not None and agreements.is_current(agreement, app),
        units=units,
        values=values,
        problems=problems,
    )


@bp.route("/applications/<int:application_id>/agreement", methods=["GET", "POST"])
def agreement(application_id: int):
    """FR.AK.01: the team reads it; the lead writes the terms while the team is assigned."""
    app, assessor = _load(application_id)
    if request.method == "GET":
        return _agreement_page(app, assessor)
    units = agreements.scheme_units(app)
    values = {
        "date": request.form.get("date", "").strip(),
        "time": request.form.get("time", "").strip(),
        "venue": request.form.get("venue", ""),
        "methods": {u.code: _posted_methods("methods", u.code) for u in units},
    }
    form = RecordForm()
    if not form.validate():
        return _agreement_page(
            app, assessor, values=values, problems=[_("The form has expired; send it again.")], status=400
        )
    data = {
        "date": values["date"],
        "time": values["time"],
        "venue": values["venue"],
        "evidence": [{"unit": c, "methods": m} for c, m in values["methods"].items() if m],
    }
    try:
        with unit_of_work():
            agreements.write_agreement(app, current_user, data)
    except REFUSALS as exc:
        _message, status = refusal(exc)
        app, assessor = _load(application_id)
        return _agreement_page(app, assessor, values=values, problems=_summary(exc, AGREEMENT_FIELDS), status=status)
    flash(_("The agreement is saved; the candidate is asked to read and sign it."), "success")
    return redirect(url_for(".agreement", application_id=app.id), 303)


@bp.post("/applications/<int:application_id>/agreement/sign")
def sign_agreement(application_id: int):
    """The lead signs the terms as written."""
    app, assessor = _load(application_id)
    if not RecordForm().validate():
        return _agreement_page(app, assessor, problems=[_("The form has expired; send it again.")], status=400)
    try:
        with unit_of_work():
            agreements.sign_agreement(app, current_user)
    except REFUSALS as exc:
        message, status = refusal(exc)
        app, assessor = _load(application_id)
        return _agreement_page(app, assessor, problems=[message], status=status)
    flash(_("You signed the assessment agreement."), "success")
    return redirect(url_for(".agreement", application_id=app.id), 303)


# -- FR.AK.02 -------------------------------------------------------------------------------------

RECORD_FIELDS = {"records": _l("Assessment record")}


def _record_page(app, assessor, *, values=None, problems=None, status=200):
    rows = recs.unit_records(app)
    if values is None:
        values = {r["unit"]: {"methods": r["methods"], "feedback": r["feedback"]} for r in rows}
    return _render(
        "assessor/record.html",
        app,
        assessor,
        recs.UNIT_RECORD_STATE,
        status,
        rows=rows,
        values=values,
        problems=problems,
    )


@bp.route("/applications/<int:application_id>/record", methods=["GET", "POST"])
def record(application_id: int):
    """FR.AK.02: per unit the result from the scores; the lead writes the methods used and the feedback."""
    app, assessor = _load(application_id)
    if request.method == "GET":
        return _record_page(app, assessor)
    units = [u.code for u in agreements.scheme_units(app)]
    values = {
        code: {"methods": _posted_methods("methods", code), "feedback": request.form.get(f"feedback-{code}", "")}
        for code in units
    }
    if not RecordForm().validate():
        return _record_page(
            app, assessor, values=values, problems=[_("The form has expired; send it again.")], status=400
        )
    records = [{"unit": code, **v} for code, v in values.items() if v["methods"] or v["feedback"].strip()]
    missing = [code for code, v in values.items() if v["feedback"].strip() and not v["methods"]]
    if missing or not records:
        problems = (
            [_("Choose the methods used for unit %(unit)s.", unit=code) for code in missing]
            if missing
            else [_("Nothing to save: choose the methods used for at least one unit.")]
        )
        return _record_page(app, assessor, values=values, problems=problems, status=422)
    try:
        with unit_of_work():
            recs.save_unit_records(app, current_user, records)
    except REFUSALS as exc:
        _message, status = refusal(exc)
        app, assessor = _load(application_id)
        return _record_page(app, assessor, values=values, problems=_summary(exc, RECORD_FIELDS), status=status)
    flash(_("The assessment record is saved."), "success")
    return redirect(url_for(".record", application_id=app.id), 303)
