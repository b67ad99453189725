"""Pages of assessors: their queue, conflict declarations, scoring, the lead's consolidation.

An assessor reaches a candidate only through a team they are on: any other candidate
(or a candidate whose team was released) is a 404, whatever else the user may see.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certflow import clock
from certflow.assessment import written_tests
from certflow.assessment.scoring import check_scores, declarations, declare_conflict, save_scores
from certflow.assessor.common import METHOD_LABELS, criteria_tree, only_for, send_document
from certflow.assessor.forms import ConflictForm
from certflow.assessor.queue import ASSESSMENT_DAYS, assessor_queue, assigned_dates, due_date
from certflow.assessor.sheet import build_sheet, problems_by_criterion, read_sheet
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Assessor, Document
from certflow.models.assessment import OPEN_ASSESSMENT_STATES
from certflow.people.policy import application_actor, assessor_of, team_assessor
from certflow.web.events import fire_from_form
from certflow.web.labels import state_label
from certflow.web.refusals import REFUSALS, refusal
from workflows import APPLICATION, engine_for

bp = Blueprint("assessor", __name__, url_prefix="/assessor")
only_for(bp, "assessor")

# The events an assessor fires from these pages (the engine decides who may: the lead).
# The lead's events (start the assessment, recommend), as the definition names them.
ASSESSOR_EVENTS = tuple(ev.name for ev in APPLICATION.events if "assessor" in ev.roles)
# What the assessor sees of the APL-01 form: what the assessment needs, not the contact details.
APL01_SHOWN = ("education_field", "education_level", "practice_hours", "workplace", "position")


def _load(application_id: int) -> tuple[Application, Assessor]:
    """The application and the user's assessor record, if they are on its team; else 404."""
    app = db.session.get(Application, application_id)
    assessor = team_assessor(current_user, app) if app is not None else None
    if assessor is None:
        abort(404)
    return app, assessor


def _context(app: Application, assessor: Assessor) -> dict:
    """What the candidate's pages share: the lead flag, the due date, the lead's allowed events."""
    actor = application_actor(current_user, app)
    events = [e for e in engine_for("application").allowed_events(app.state, actor) if e in ASSESSOR_EVENTS]
    assigned = assigned_dates([app.id]).get(app.id)
    return {
        "app": app,
        "assessor": assessor,
        "is_lead": app.team.lead_id == assessor.id,
        "events": events,
        "assigned_on": assigned,
        "due_on": due_date(assigned),
        "overdue": app.state in OPEN_ASSESSMENT_STATES and assigned is not None and due_date(assigned) < clock.today(),
        "apl01_shown": APL01_SHOWN,
        "method_labels": METHOD_LABELS,
    }


@bp.get("/")
def queue():
    """The candidates of the assessor's teams, with state, team, role and due dates."""
    assessor = assessor_of(current_user)
    items = assessor_queue(assessor) if assessor is not None else []
    return render_template(
        "assessor/queue.html", queue_items=items, registered=assessor is not None, days=ASSESSMENT_DAYS
    )


# -- conflict of interest ---------------------------------------------------------------------


def _conflict_page(app, assessor, form, *, error=None, failed=None, status=200):
    ctx = _context(app, assessor)
    declared = declarations(app)
    members = [
        {
            "name": row.assessor.user.name,
            "lead": row.assessor_id == app.team.lead_id,
            "declared": declared.get(row.assessor_id),
        }
        for row in sorted(app.team.member_rows, key=lambda r: (r.assessor_id != app.team.lead_id, r.assessor.user.name))
    ]
    mine = declared.get(assessor.id)
    return (
        render_template(
            "assessor/conflict.html", form=form, mine=mine, members=members, error=error, failed=failed, **ctx
        ),
        status,
    )


def _prefilled(declaration) -> ConflictForm:
    form = ConflictForm(formdata=None)
    if declaration is not None:
        form.conflict.data = "yes" if declaration.conflict else "no"
        form.note.data = declaration.note
    return form


@bp.route("/applications/<int:application_id>/conflict", methods=["GET", "POST"])
def conflict(application_id: int):
    """A team member declares no conflict, or a conflict with a note (while the team is assigned)."""
    app, assessor = _load(application_id)
    if request.method == "GET":
        return _conflict_page(app, assessor, _prefilled(declarations(app).get(assessor.id)))
    form = ConflictForm()
    if not form.validate():
        return _conflict_page(app, assessor, form, status=422)
    try:
        with unit_of_work():
            declare_conflict(app, current_user, {"conflict": form.conflict.data == "yes", "note": form.note.data or ""})
    except REFUSALS as exc:
        message, status = refusal(exc)
        app, assessor = _load(application_id)
        return _conflict_page(app, assessor, form, error=message, status=status)
    if form.conflict.data == "yes":
        flash(_("Your conflict of interest is recorded; the lead of the team will see it."), "success")
    else:
        flash(_("Recorded: you have no conflict of interest with this candidate."), "success")
    return redirect(url_for(".conflict", application_id=app.id), 303)


# -- scoring ------------------------------------------------------------------------------------


def _scoring_page(app, assessor, *, posted=None, errors=None, error=None, failed=None, values=None, status=200):
    sheet = build_sheet(app, assessor.id, side_by_side=app.team.lead_id == assessor.id, posted=posted, errors=errors)
    written = written_tests.tests_of([app.id]).get(app.id)
    return (
        render_template(
            "assessor/scoring.html",
            sheet=sheet,
            documents=app.documents,
            editable=app.state == "in_assessment",
            error=error,
            failed=failed,
            values=values or {},
            written=written,
            written_view=written_tests.view(written, "team") if written is not None else None,
            **_context(app, assessor),
        ),
        status,
    )


@bp.route("/applications/<int:application_id>/scores", methods=["GET", "POST"])
def scoring(application_id: int):
    """The scoring sheet; saving records the criteria given (the others may follow later)."""
    app, assessor = _load(application_id)
    if request.method == "GET":
        return _scoring_page(app, assessor)
    scores, posted = read_sheet(request.form, criteria_tree(app.scheme_id))
    if app.state != "in_assessment":
        message = _(
            "Scores can be saved only while the assessment is in progress; it is now “%(state)s”.",
            state=state_label(app.state),
        )
        return _scoring_page(app, assessor, posted=posted, error=message, status=409)
    if not scores:
        errors = {"": [_("Nothing to save: choose K or BK and write the evidence for at least one criterion.")]}
    else:
        errors = problems_by_criterion(check_scores(scores), scores)
    if errors:
        message = _("The scores were not saved: correct what is marked below.")
        return _scoring_page(app, assessor, posted=posted, errors=errors, error=message, status=422)
    try:
        with unit_of_work():
            save_scores(app, current_user, scores)
    except REFUSALS as exc:
        message, status = refusal(exc)
        app, assessor = _load(application_id)
        return _scoring_page(app, assessor, posted=posted, error=message, status=status)
    flash(_("Your scores are saved (%(count)s criteria).", count=len(scores)), "success")
    return redirect(url_for(".scoring", application_id=app.id), 303)


# -- the lead's events ------------------------------------------------------------------------


@bp.post("/applications/<int:application_id>/events/<event>")
def fire(application_id: int, event: str):
    """The lead starts the assessment or recommends K/BK; the engine's refusal is shown on the page."""
    if event not in ASSESSOR_EVENTS:
        abort(404)
    app, _assessor = _load(application_id)
    from_sheet = request.args.get("back") == "scores"  # the score sheet offers the start too

    def rerender(*, error, failed, values, status):
        app, assessor = _load(application_id)
        if event == "start_assessment" and not from_sheet:
            form = _prefilled(declarations(app).get(assessor.id))
            return _conflict_page(app, assessor, form, error=error, failed=failed, status=status)
        return _scoring_page(app, assessor, error=error, failed=failed, values=values, status=status)

    page = ".conflict" if event == "start_assessment" and not from_sheet else ".scoring"
    done = url_for(".scoring", application_id=app.id)
    return fire_from_form(app, event, current_user, page, rerender, done_url=done)


@bp.get("/documents/<int:doc_id>")
def document(doc_id: int):
    """A document of a candidate of the assessor's team, as a download."""
    doc = db.session.get(Document, doc_id)
    if doc is None or team_assessor(current_user, doc.application) is None:
        abort(404)
    return send_document(doc)


from certflow.assessor import records, schedules, written_test  # noqa: E402,F401  (record, schedule and written-test pages)
