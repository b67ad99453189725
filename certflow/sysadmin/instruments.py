"""The instruments pages of a scheme: the assessment plan per unit, the observation checklist,
the question banks (edited one by one or imported from a spreadsheet) and the import template.

What may change is decided by ``certflow.assessment.instruments`` (frozen while the scheme is in
use, like its standard); a refusal re-renders the page with every message summarised at the top
and what was typed kept.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from certflow.assessment import instruments as service
from certflow.assessment import question_import
from certflow.core.converters import as_id
from certflow.core.errors import translate
from certflow.core.transaction import unit_of_work
from certflow.models import Scheme
from certflow.models.instruments import PLAN_METHODS, QUESTION_KINDS
from certflow.schemes import operations as schemes
from certflow.schemes import standard
from certflow.sysadmin.routes import bp
from certflow.web.refusals import REFUSALS, as_refusal, field_messages


def kind_labels() -> dict[str, str]:
    """Each kind of question as a reader names it."""
    return {
        "multiple_choice": _("Multiple choice (FR.IA.05)"),
        "essay": _("Essay (FR.IA.06)"),
        "oral": _("Oral question (FR.IA.07)"),
        "portfolio": _("Portfolio check (FR.IA.08)"),
    }


def method_labels() -> dict[str, str]:
    """Each assessment method as a reader names it."""
    return {
        "observation": _("Observation"),
        "portfolio": _("Portfolio"),
        "interview": _("Interview"),
        "written": _("Written test"),
        "oral": _("Oral questions"),
    }


def _load(scheme_id: int) -> Scheme:
    scheme = schemes.load_scheme(scheme_id)
    if scheme is None:
        abort(404)
    return scheme


def _unit(scheme: Scheme, raw) -> object:
    unit_id = as_id(raw) or 0
    unit = standard.get_item(scheme, "unit", unit_id)
    if unit is None:
        abort(404)
    return unit


def _page(scheme: Scheme, *, failed=None, errors=None, rows=None, status=200):
    return (
        render_template(
            "sysadmin/instruments.html",
            scheme=scheme,
            in_use=schemes.in_use(scheme),
            plans=service.plans_by_unit(scheme),
            banks=service.questions_by_unit(scheme),
            kinds=QUESTION_KINDS,
            kind_labels=kind_labels(),
            methods=PLAN_METHODS,
            method_labels=method_labels(),
            letters=service.LETTERS,
            failed=failed,
            errors=errors or {},
            rows=rows or [],
            values=request.form if request.method == "POST" else {},
            max_mib=question_import.MAX_BYTES // 2**20,
            max_rows=question_import.MAX_ROWS,
        ),
        status,
    )


def _refused(scheme_id: int, failed: str, exc: BaseException):
    return _page(_load(scheme_id), failed=failed, errors=field_messages(exc), status=as_refusal(exc).status)


@bp.get("/schemes/<int:scheme_id>/instruments")
def instruments(scheme_id: int):
    """The scheme's instruments (MUK)."""
    return _page(_load(scheme_id))


@bp.post("/schemes/<int:scheme_id>/instruments/plan/<int:unit_id>")
def save_plan(scheme_id: int, unit_id: int):
    """Save the evidence and methods of a unit's assessment plan."""
    scheme = _load(scheme_id)
    unit = _unit(scheme, str(unit_id))
    try:
        with unit_of_work():
            service.save_plan(scheme, unit, request.form.get("evidence", ""), request.form.getlist("methods"))
    except REFUSALS as exc:
        return _refused(scheme_id, f"plan-{unit_id}", exc)
    flash(_("The plan of %(code)s is saved.", code=unit.code), "success")
    return redirect(url_for("sysadmin.instruments", scheme_id=scheme_id, _anchor=f"unit-{unit_id}"), 303)


@bp.post("/schemes/<int:scheme_id>/instruments/questions")
def add_question(scheme_id: int):
    """Add a question to a unit's bank."""
    scheme = _load(scheme_id)
    unit = _unit(scheme, request.form.get("unit", ""))
    try:
        with unit_of_work():
            service.add_question(scheme, unit, request.form)
    except REFUSALS as exc:
        return _refused(scheme_id, f"add-{unit.id}", exc)
    flash(_("Question added to %(code)s.", code=unit.code), "success")
    return redirect(url_for("sysadmin.instruments", scheme_id=scheme_id, _anchor=f"unit-{unit.id}"), 303)


@bp.post("/schemes/<int:scheme_id>/instruments/questions/<int:question_id>/<action>")
def change_question(scheme_id: int, question_id: int, action: str):
    """Edit or remove a question."""
    scheme = _load(scheme_id)
    question = service.get_question(scheme, question_id)
    if question is None or action not in ("edit", "remove"):
        abort(404)
    unit_id = question.unit_id
    try:
        with unit_of_work():
            if action == "edit":
                service.edit_question(scheme, question, request.form)
                message = _("Question saved.")
            else:
                service.remove_question(scheme, question)
                message = _("Question removed.")
    except REFUSALS as exc:
        return _refused(scheme_id, f"{action}-q-{question_id}", exc)
    flash(message, "success")
    return redirect(url_for("sysadmin.instruments", scheme_id=scheme_id, _anchor=f"unit-{unit_id}"), 303)


@bp.post("/schemes/<int:scheme_id>/instruments/import")
def import_questions(scheme_id: int):
    """Import questions from an .xlsx or CSV file: every row checked, nothing added while one is bad."""
    scheme = _load(scheme_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(scheme, failed="import", errors={"file": _("Choose a file.")}, status=422)
    data = upload.stream.read(question_import.MAX_BYTES + 1)
    try:
        with unit_of_work():
            count = question_import.import_questions(scheme, upload.filename, data)
    except question_import.ImportRejected as exc:
        message = translate(exc.message, exc.params)
        return _page(_load(scheme_id), failed="import", errors={"file": message}, rows=exc.rows, status=422)
    except REFUSALS as exc:
        return _refused(scheme_id, "import", exc)
    flash(_("%(count)s questions imported.", count=count), "success")
    return redirect(url_for("sysadmin.instruments", scheme_id=scheme_id), 303)


@bp.get("/schemes/<int:scheme_id>/instruments/template.csv")
def import_template(scheme_id: int):
    """The import template: the header and an example row of each kind."""
    _load(scheme_id)
    return Response(
        question_import.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=bank-soal-template.csv"},
    )
