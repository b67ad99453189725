"""The candidate's forms: APL-01 (the application form) and APL-02 (the self-assessment).

Both save part-way, through the services behind ``PUT …/apl01`` and ``PUT …/self-assessment``,
only while the application is a draft or back for revision (otherwise they are shown
read-only). A refused form comes back with what was typed and a message per field (422).
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certflow.applications.facts import APL01_REQUIRED
from certflow.applications.operations import (
    CLAIMS,
    EDITABLE_STATES,
    EVIDENCE_MAX,
    save_self_assessment,
    scheme_units,
    update_apl01,
)
from certflow.auth.forms import education_field_choices, education_level_choices
from certflow.candidate.common import bp, own_application_or_404
from certflow.candidate.forms import Apl01Form
from certflow.core.errors import translate
from certflow.core.labels import JF_LEVEL_LABELS, SEX_LABELS
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, SelfAssessmentAnswer
from certflow.schemes.routes import application_profile, scheme_routes
from certflow.schemes.selfcheck import in_words
from certflow.web.labels import education_field_label, purpose_label, state_label
from certflow.web.refusals import REFUSALS, as_refusal, refusal
from workflows.eligibility import PURPOSES, evaluate


def _not_editable(app: Application) -> str:
    return _("This application is “%(state)s”: its forms can no longer be changed.", state=state_label(app.state))


# -- APL-01 ------------------------------------------------------------------------------------


def _route_choices(app: Application) -> list[dict]:
    """Each route that opens the scheme, what it asks, and what the saved APL-01 still lacks for it."""
    profile = application_profile(app)
    return [
        {
            "route": a.route,
            "asks": a.route,
            "fields": in_words([str(education_field_label(f)) for f in a.route.education_fields]),
            "missing": [translate(m.message, _shown_params(m.params)) for m in a.missing],
        }
        for a in evaluate(profile, scheme_routes(app.scheme))
    ]


def _shown_params(params: dict) -> dict:
    return {
        k: in_words([str(education_field_label(f)) for f in v])
        if isinstance(v, list)
        else format_number(v)
        if isinstance(v, int)
        else v
        for k, v in params.items()
    }


def suggest_route(app: Application, form: Apl01Form) -> bool:
    """Preselect the first route the saved form meets while the form names none; whether it did.

    It is the route the self-check found open on the same answers (the same rules, and the answers
    carried through registration), checked again now: one no longer open is not preselected.
    """
    if app.state not in EDITABLE_STATES or form.route.data:
        return False
    answers = evaluate(application_profile(app), scheme_routes(app.scheme))
    form.route.data = next((a.route.route for a in answers if a.open), None)
    return form.route.data is not None


def _apl01_page(
    app: Application, form: Apl01Form, *, error: str | None = None, status: int = 200, suggested: bool = False
):
    return (
        render_template(
            "candidate/apl01.html",
            app=app,
            form=form,
            editable=app.state in EDITABLE_STATES,
            required=APL01_REQUIRED,
            education_fields=education_field_choices(),
            education_levels=education_level_choices(),
            routes=_route_choices(app),
            suggested=suggested,
            purposes=[(p, purpose_label(p)) for p in PURPOSES],
            sexes=[(k, str(v)) for k, v in SEX_LABELS.items()],
            jf_levels=[(k, str(v)) for k, v in JF_LEVEL_LABELS.items()],
            error=error,
        ),
        status,
    )


@bp.route("/applications/<int:application_id>/apl01", methods=["GET", "POST"])
def apl01(application_id: int):
    """The application form: education, practice hours, route, purpose, identity, work and contact."""
    app = own_application_or_404(application_id)
    form = Apl01Form()
    if request.method == "GET":
        form.fill(app.apl01 or {})
        return _apl01_page(app, form, suggested=suggest_route(app, form))
    if app.state not in EDITABLE_STATES:
        form.fill(app.apl01 or {})
        return _apl01_page(app, form, error=_not_editable(app), status=409)
    if not form.validate():
        return _apl01_page(app, form, error=_("Please correct the fields marked below."), status=422)
    try:
        with unit_of_work():
            update_apl01(app, current_user, form.service_data())
    except REFUSALS as exc:
        for name, message in as_refusal(exc).details.items():
            if name in form:
                form[name].errors = [*form[name].errors, message]
        message, status = refusal(exc)
        return _apl01_page(app, form, error=message, status=status)
    flash(_("The application form is saved."), "success")
    return redirect(url_for("candidate.apl01", application_id=app.id), 303)


# -- APL-02 ------------------------------------------------------------------------------------


def _saved_answers(app: Application) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        select(SelfAssessmentAnswer.criterion_id, SelfAssessmentAnswer.claim, SelfAssessmentAnswer.evidence).where(
            SelfAssessmentAnswer.application_id == app.id
        )
    ).all()
    return {crit: (claim, evidence or "") for crit, claim, evidence in rows}


def _read_answers(form, units) -> tuple[list[dict], dict[int, tuple[str, str]], dict[int, str]]:
    """What the page posted: the answers to save, what was typed per criterion, and the errors per criterion.

    A criterion the form does not mention is left as it is; one with evidence but no claim is an error.
    """
    answers, typed, errors = [], {}, {}
    for unit in units:
        for element in unit.elements:
            for crit in element.criteria:
                claim_key, evidence_key = f"claim-{crit.id}", f"evidence-{crit.id}"
                if claim_key not in form and evidence_key not in form:
                    continue
                claim = form.get(claim_key, "").strip()
                evidence = form.get(evidence_key, "").strip()
                typed[crit.id] = (claim, evidence)
                if claim and claim not in CLAIMS:
                    errors[crit.id] = _("Choose K or BK.")
                elif len(evidence) > EVIDENCE_MAX:
                    errors[crit.id] = _("The evidence may have at most %(n)s characters.", n=EVIDENCE_MAX)
                elif claim:
                    answers.append({"criterion": crit.code, "claim": claim, "evidence": evidence})
                elif evidence:
                    errors[crit.id] = _("Choose K or BK to save the evidence you wrote.")
    return answers, typed, errors


def _self_assessment_page(app, units, saved, *, typed=None, errors=None, error=None, status=200):
    total = sum(len(e.criteria) for u in units for e in u.elements)
    values = {**saved, **(typed or {})}
    return (
        render_template(
            "candidate/self_assessment.html",
            app=app,
            units=units,
            values=values,
            saved=saved,
            total=total,
            answered=len(saved),
            editable=app.state in EDITABLE_STATES,
            errors=errors or {},
            error=error,
            evidence_max=EVIDENCE_MAX,
        ),
        status,
    )


@bp.route("/applications/<int:application_id>/self-assessment", methods=["GET", "POST"])
def self_assessment(application_id: int):
    """APL-02: per unit → element → criterion, a K/BK claim and its evidence; saved part-way."""
    app = own_application_or_404(application_id)
    units = scheme_units(app.scheme_id)
    saved = _saved_answers(app)
    if request.method == "GET":
        return _self_assessment_page(app, units, saved)
    g.page_path = url_for("candidate.self_assessment", application_id=app.id)
    if app.state not in EDITABLE_STATES:
        return _self_assessment_page(app, units, saved, error=_not_editable(app), status=409)
    answers, typed, errors = _read_answers(request.form, units)
    if errors:
        message = _("Some answers need your attention (marked below); nothing was saved.")
        return _self_assessment_page(app, units, saved, typed=typed, errors=errors, error=message, status=422)
    if not answers:
        message = _("Nothing to save yet: choose K or BK for at least one criterion.")
        return _self_assessment_page(app, units, saved, typed=typed, error=message, status=422)
    try:
        with unit_of_work():
            result = save_self_assessment(app, current_user, answers)
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _self_assessment_page(app, units, saved, typed=typed, error=message, status=status)
    if result["unanswered"]:
        flash(
            _(
                "Saved: %(answered)s of %(total)s criteria answered, %(left)s left.",
                answered=result["answered"],
                total=result["total"],
                left=result["unanswered"],
            ),
            "success",
        )
    else:
        flash(_("Saved: every criterion is answered."), "success")
    target = url_for("candidate.self_assessment", application_id=app.id)
    unit = request.form.get("unit", "")
    if unit.isascii() and unit.isdigit() and len(unit) < 10:
        target += f"#unit-{unit}"
    return redirect(target, 303)
