"""Verification: the submitted applications of the admin's scope, their documents, rules and decisions."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from certflow.admin.common import dinas_admin_required, event_refusal, list_filters, page_number, scoped_application
from certflow.admin.routes import bp
from certflow.applications import document_review as review
from certflow.applications import documents as docs
from certflow.applications import previews
from certflow.applications.facts import ApplicationFacts
from certflow.applications.workflow import fire_application_event
from certflow.core.errors import StaleVersion, translate
from certflow.core.paging import page_rows
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Document
from certflow.people.policy import CANDIDATE_ROLES_ON_DEMAND, dinas_scope, may_read_documents
from certflow.schemes.routes import required_documents
from certflow.web.events import event_inputs, form_payload
from certflow.web.labels import (
    apl01_fields_label,
    document_kind_label,
    education_field_label,
    event_label,
    purpose_label,
    route_label,
    state_label,
)
from certflow.web.refusals import REFUSALS, refusal
from workflows import APPLICATION
from workflows.guards import eligibility_failures

PER_PAGE = 25
DECISIONS = ("approve", "request_revision", "reject")


def queue_statement(state: str, dinas_id: int | None, scheme_id: int | None):
    """The applications in ``state`` of the admin's scope, optionally of one dinas or scheme, oldest first."""
    stmt = select(Application).where(Application.state == state, Application.dinas_id.in_(dinas_scope(current_user)))
    if dinas_id is not None:
        stmt = stmt.where(Application.dinas_id == dinas_id)
    if scheme_id is not None:
        stmt = stmt.where(Application.scheme_id == scheme_id)
    return stmt


def paginate(stmt, per_page: int) -> tuple[list, int, int, int]:
    """``(items, total, page, pages)`` of ``stmt``, oldest state change first, in two queries."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(page_number(), pages)
    order = (Application.state_changed_at, Application.id)
    items = page_rows(stmt, order, per_page, (page - 1) * per_page, CANDIDATE_ROLES_ON_DEMAND)
    return items, total, page, pages


@bp.get("/verification")
@dinas_admin_required
def verification():
    """The queue: submitted applications waiting for the admin's verification."""
    chosen = list_filters()
    items, total, page, pages = paginate(
        queue_statement("submitted", chosen["dinas_id"], chosen["scheme_id"]), PER_PAGE
    )
    counts: dict[int, dict[str, int]] = {}
    if items:
        rows = db.session.execute(
            select(Document.application_id, Document.status, func.count(Document.id))
            .where(Document.application_id.in_([a.id for a in items]))
            .group_by(Document.application_id, Document.status)
        ).all()
        for app_id, status, n in rows:
            counts.setdefault(app_id, {})[status] = n
    return render_template(
        "admin/verification.html", applications=items, total=total, page=page, pages=pages, counts=counts, **chosen
    )


@dataclass
class Rule:
    """One eligibility rule of the scheme, and whether the candidate meets it."""

    label: str
    met: bool
    detail: str


def eligibility(app: Application) -> list[Rule]:
    """The scheme's rules for this candidate, each met or not (the guards' own checks)."""
    facts = ApplicationFacts(app, {}, current_user)
    failures = eligibility_failures(facts)
    if facts.route_name:
        return [*_route_rules(facts, failures), *_other_rules(facts)]
    education = next((f for f in failures if "accepted" in f.params), None)
    hours = next((f for f in failures if "minimum" in f.params), None)
    rules = []
    accepted = ", ".join(facts.accepted_education) or _("any")
    rules.append(
        Rule(
            _("Education background accepted: %(accepted)s", accepted=accepted),
            education is None,
            translate(education.message, education.params)
            if education
            else _("The candidate's background: %(field)s.", field=education_field_label(facts.education_field) or "-"),
        )
    )
    rules.append(
        Rule(
            _("At least %(hours)s hours of practice", hours=facts.min_practice_hours),
            hours is None,
            translate(hours.message, hours.params)
            if hours
            else _("The candidate declares %(hours)s hours.", hours=facts.practice_hours),
        )
    )
    return [*rules, *_other_rules(facts)]


def _route_rules(facts: ApplicationFacts, failures) -> list[Rule]:
    """The chosen route's rules, each met or not, as the ``scheme_rules_met`` guard judges them."""
    route, profile = facts.route, facts.profile
    chosen = _("Route: %(route)s", route=route_label(facts.route_name))
    if route is None or not route.enabled:
        return [Rule(chosen, False, translate(failures[0].message, failures[0].params))]
    purpose = (facts.app.apl01 or {}).get("purpose")
    rules = [
        Rule(
            chosen,
            True,
            _("Purpose of the assessment: %(purpose)s.", purpose=purpose_label(purpose) if purpose else "—"),
        )
    ]
    missing = {m.rule: m for m in facts.route_missing}
    if route.education_fields:
        accepted = ", ".join(map(education_field_label, route.education_fields))
        field = education_field_label(profile.education_field) or "-"
        rules.append(
            Rule(
                _("Education background accepted: %(accepted)s", accepted=accepted),
                "education_field" not in missing,
                _("The candidate's background: %(field)s.", field=field),
            )
        )
    if route.min_education_level:
        rules.append(
            Rule(
                _("Education at level %(level)s or above.", level=route.min_education_level),
                "education_level" not in missing,
                _("The candidate's level: %(level)s.", level=profile.education_level or "-"),
            )
        )
    if route.min_practice_hours:
        rules.append(
            Rule(
                _("At least %(hours)s hours of practice", hours=route.min_practice_hours),
                "practice_hours" not in missing,
                _("The candidate declares %(hours)s hours.", hours=profile.practice_hours),
            )
        )
    if route.training_required:
        rules.append(
            Rule(
                _("The scheme's training (diklat)."),
                "training" not in missing,
                _("The candidate declares the training done.")
                if profile.training
                else _("The candidate does not declare the training."),
            )
        )
    return rules


def _other_rules(facts: ApplicationFacts) -> list[Rule]:
    rules = []
    missing = facts.documents_not_valid
    rules.append(
        Rule(
            _("Every required document marked valid"),
            not missing,
            _("Not yet valid: %(kinds)s.", kinds=", ".join(document_kind_label(k) for k in missing))
            if missing
            else _("All required documents are valid."),
        )
    )
    incomplete = facts.apl01_missing
    rules.append(
        Rule(
            _("The application form (APL-01) is complete"),
            not incomplete,
            _("Missing: %(fields)s.", fields=apl01_fields_label(incomplete)) if incomplete else _("Complete."),
        )
    )
    return rules


def render_verify(app: Application, *, status: int = 200, failed=None, error=None, values=None, doc_errors=None):
    """The verification page of one application; after a refusal, its message next to the form."""
    opened = review.opened_by(app, current_user)
    return (
        render_template(
            "admin/verify.html",
            app=app,
            # a portfolio beside the others of its unit, in the scheme's order of units (the rpl route)
            documents=sorted(app.documents, key=lambda d: (d.unit.position if d.unit else -1, d.id)),
            opened=opened,
            replacements=review.replacements(app.documents),
            may_mark_all=review.may_mark_all_valid(app, current_user, opened),
            to_review=review.to_review(app),
            required_documents=required_documents(app),
            rules=eligibility(app),
            decisions=DECISIONS if app.state == "submitted" else (),
            failed=failed,
            error=error,
            values=values or {},
            doc_errors=doc_errors or {},
        ),
        status,
    )


@bp.get("/verification/<int:application_id>")
@dinas_admin_required
def verify(application_id: int):
    """One application of the scope: documents to review, the scheme's rules, the decision."""
    return render_verify(scoped_application(application_id))


def _scoped_document(doc_id: int) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None:
        abort(404)
    scoped_application(doc.application_id)
    return doc


@bp.get("/documents/<int:doc_id>/file")
@dinas_admin_required
def document_file(doc_id: int):
    """A document of an application of the scope, downloaded as an attachment (never shown inline)."""
    doc = _scoped_document(doc_id)
    response = docs.file_response(doc) if may_read_documents(current_user, doc.application) else None
    if response is None:
        abort(404)
    try:
        with unit_of_work():
            review.record_opening(doc, current_user)
    except StaleVersion:
        pass  # the same admin opened it at the same moment in another tab: it is recorded already
    return response


@bp.get("/documents/<int:doc_id>/preview")
@dinas_admin_required
def document_preview(doc_id: int):
    """A small PNG certflow draws of the document (a PDF's first page, or the image) for the review page."""
    doc = _scoped_document(doc_id)
    if not may_read_documents(current_user, doc.application):
        abort(404)
    try:
        png = previews.preview_png(doc)
    except previews.NoPreview:
        abort(404)
    response = Response(png, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.post("/documents/<int:doc_id>/review")
@dinas_admin_required
def review_document(doc_id: int):
    """Mark a document valid or invalid, with a note (required to mark it invalid)."""
    doc = _scoped_document(doc_id)
    app = doc.application
    status, note = request.form.get("status"), request.form.get("note", "")
    application_id = app.id
    try:
        with unit_of_work():
            docs.review_document(doc, current_user, status, note)
    except StaleVersion as exc:
        return _stale(application_id, exc)
    except REFUSALS as exc:
        message, code = refusal(exc)
        errors = {doc_id: {"message": message, "status": status, "note": note}}
        return render_verify(scoped_application(application_id), status=code, doc_errors=errors)
    flash(
        _("%(document)s marked %(status)s.", document=document_kind_label(doc.key), status=_status_word(status)),
        "success",
    )
    return redirect(url_for("admin.verify", application_id=app.id, saved=doc_id, _anchor=f"doc-{doc_id}"), 303)


@bp.post("/verification/<int:application_id>/documents/all-valid")
@dinas_admin_required
def mark_all_valid(application_id: int):
    """Mark every document waiting for review valid, once this admin has opened each of them."""
    app = scoped_application(application_id)
    try:
        with unit_of_work():
            marked = review.mark_all_valid(app, current_user)
    except StaleVersion as exc:
        return _stale(application_id, exc)
    except REFUSALS as exc:
        message, code = refusal(exc)
        return render_verify(scoped_application(application_id), status=code, error=message, failed="all_valid")
    flash(ngettext("%(num)d document marked valid.", "%(num)d documents marked valid.", len(marked)), "success")
    return redirect(url_for("admin.verify", application_id=application_id, saved="all", _anchor="documents-title"), 303)


def _status_word(status: str) -> str:
    return _("valid") if status == "valid" else _("invalid")


def _stale(application_id: int, exc: StaleVersion):
    message, status = refusal(exc)
    return render_verify(scoped_application(application_id), status=status, error=message, failed="stale")


@bp.post("/verification/<int:application_id>/<decision>")
@dinas_admin_required
def decide(application_id: int, decision: str):
    """Approve, ask for a revision (reason and deadline) or reject (reason), through the workflow."""
    app = scoped_application(application_id)
    if decision not in DECISIONS:
        abort(404)
    reason, data = form_payload(event_inputs(APPLICATION, decision), request.form)
    values = {"reason": reason or "", **data}
    try:
        with unit_of_work():
            fire_application_event(
                app, decision, current_user, reason=reason, data=data, version=request.form.get("version", "")
            )
    except StaleVersion as exc:
        return _stale(application_id, exc)
    except REFUSALS as exc:
        message, status = event_refusal(exc)
        app = scoped_application(application_id)
        return render_verify(app, status=status, failed=decision, error=message, values=values)
    flash(
        _(
            "%(event)s: done for %(name)s. The application is now “%(state)s”.",
            event=event_label(decision),
            name=app.candidate.name,
            state=state_label(app.state),
        ),
        "success",
    )
    return redirect(url_for("admin.verification"), 303)
