"""FR.AK.02, the assessment record per unit, and FR.AK.03, the candidate's feedback.

FR.AK.02 is built on the scores: a unit's result is the lead's (the team's) K/BK over the
unit's criteria (K only if every criterion is K; none while one is unscored), as the decision
reads it (``fact_queries.lead_results_by_app``). The lead writes, per unit, the methods used and
the feedback to the candidate (what to follow up), while the assessment runs.

FR.AK.03 is the candidate's feedback once assessed: the form's ten yes/no questions, a comment
on each, and general comments. Operations flush, never commit.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certflow import clock
from certflow.applications.fact_queries import lead_results_by_app
from certflow.applications.operations import raise_if_errors, reject_unknown, text_value
from certflow.assessment.agreements import agreement_of, lead_of, scheme_units
from certflow.core.errors import Forbidden, NotEditable
from certflow.extensions import db
from certflow.models import Application, Feedback, Unit, UnitRecord, User
from certflow.models.assessment import METHODS

FEEDBACK_MAX = 2000
UNIT_RECORD_STATE = "in_assessment"
# The states in which the assessment is over (``assessed`` or later) and the candidate gives feedback.
FEEDBACK_STATES = ("assessed", "certified", "not_yet_competent", "under_appeal")

# The ten questions of FR.AK.03 (English message ids; the form prints them in Indonesian).
FEEDBACK_QUESTIONS = (
    _l("I was given a clear explanation of the assessment process."),
    _l("I had the chance to study the competency standard and to assess myself against it."),
    _l("The assessor discussed with me the methods, instruments, resources and schedule of the assessment."),
    _l("The assessor sought all the evidence that fits my training and experience."),
    _l("I was fully given the chance to demonstrate my competence during the assessment."),
    _l("I was given an adequate explanation of the assessment decision."),
    _l("The assessor gave helpful feedback after the assessment, and its follow-up."),
    _l("The assessor and I went through every assessment document and signed it."),
    _l("I was assured that the results are confidential and told how the documents are handled."),
    _l("The assessor communicated effectively during the assessment."),
)


# -- FR.AK.02 ------------------------------------------------------------------------------------


def unit_results(app: Application) -> dict[str, str | None]:
    """Each unit's result from the lead's scores: K, BK, or None while a criterion is unscored (one query)."""
    results: dict[str, str | None] = {}
    for unit, result in lead_results_by_app([app])[app.id]:
        if unit in results and results[unit] is None:
            continue
        if result is None:
            results[unit] = None
        else:
            results[unit] = "K" if results.get(unit, "K") == "K" and result == "K" else "BK"
    return results


def unit_records(app: Application) -> list[dict]:
    """FR.AK.02 of every unit of the scheme, in the standard's order: the unit, the methods used (the
    agreement's until the lead writes them), the result from the scores, the lead's feedback."""
    units = scheme_units(app)
    rows = {r.unit_id: r for r in db.session.scalars(select(UnitRecord).where(UnitRecord.application_id == app.id))}
    agreement = agreement_of(app, current=False)
    planned = {e["unit"]: e["methods"] for e in (agreement.evidence if agreement else [])}
    results = unit_results(app) if app.team_id is not None or rows else {}
    out = []
    for unit in units:
        row = rows.get(unit.id)
        out.append(
            {
                "unit": unit.code,
                "title": unit.title,
                "methods": list(row.methods) if row else list(planned.get(unit.code, [])),
                "result": results.get(unit.code),
                "feedback": row.feedback if row else "",
                "recorded": row is not None,
                "updated_at": row.updated_at if row else None,
            }
        )
    return out


def has_unit_records(app: Application) -> bool:
    """Whether the lead has written any of FR.AK.02."""
    return db.session.scalar(select(UnitRecord.id).where(UnitRecord.application_id == app.id).limit(1)) is not None


def save_unit_records(app: Application, user: User, records: Any) -> list[dict]:
    """The lead writes the methods used and the feedback for some or all units, while in assessment."""
    lead = lead_of(app, user)
    if lead is None:
        raise Forbidden(_("Only the lead assessor of the assigned team may write the assessment record."))
    if app.state != UNIT_RECORD_STATE:
        raise NotEditable(
            _(
                "This can be done only in state %(wanted)s, not %(state)s.",
                wanted=UNIT_RECORD_STATE,
                state=app.state,
            )
        )
    units: dict[str, Unit] = {u.code: u for u in scheme_units(app)}
    errors: dict[str, str] = {}
    clean: dict[str, dict] = {}
    if not isinstance(records, list) or not records:
        raise_if_errors({"records": _("give one or more units")})
    for i, item in enumerate(records[:500]):
        where = f"records[{i}]"
        if not isinstance(item, dict):
            errors[where] = _("must be an object with unit, methods and feedback")
            continue
        for k in sorted(k for k in item if k not in ("unit", "methods", "feedback")):
            errors[f"{where}.{k}"] = _("unknown field")
        code = item.get("unit")
        if not isinstance(code, str) or code not in units:
            errors[f"{where}.unit"] = _("is not a unit of this scheme")
            continue
        if code in clean:
            errors[f"{where}.unit"] = _("is listed twice")
            continue
        methods = item.get("methods")
        if not isinstance(methods, list) or not methods:
            errors[f"{where}.methods"] = _("choose at least one method")
        elif any(not isinstance(m, str) or m not in METHODS for m in methods):
            errors[f"{where}.methods"] = _("must be among %(methods)s", methods=", ".join(METHODS))
        feedback, error = text_value(item.get("feedback"), FEEDBACK_MAX)
        if error:
            errors[f"{where}.feedback"] = error
        if not errors:
            clean[code] = {"methods": [m for m in METHODS if m in methods], "feedback": feedback}
    if len(records) > 500:
        errors["records"] = _("lists too many units")
    raise_if_errors(errors)
    existing = {r.unit_id: r for r in db.session.scalars(select(UnitRecord).where(UnitRecord.application_id == app.id))}
    results = unit_results(app)
    now = clock.now()
    for code, values in clean.items():
        unit = units[code]
        row = existing.get(unit.id)
        if row is None:
            row = UnitRecord(application_id=app.id, unit_id=unit.id)
            db.session.add(row)
        row.methods, row.feedback = values["methods"], values["feedback"]
        row.result, row.recorded_by_id, row.updated_at = results.get(code), lead.id, now
    db.session.flush()
    return unit_records(app)


# -- FR.AK.03 ------------------------------------------------------------------------------------


def feedback_of(app: Application) -> Feedback | None:
    """The candidate's feedback, or None (one query)."""
    return db.session.scalar(select(Feedback).where(Feedback.application_id == app.id))


def may_give_feedback(app: Application) -> bool:
    """Whether the assessment is over (``assessed`` or later, with a recommendation)."""
    return app.state in FEEDBACK_STATES and app.recommendation is not None


def save_feedback(app: Application, user: User, data: dict) -> Feedback:
    """The candidate answers the ten questions (each yes or no, a comment perhaps), once assessed; again
    replaces the answers."""
    if app.candidate_id != user.id:
        raise Forbidden(_("Only the candidate gives feedback on their assessment."))
    if not may_give_feedback(app):
        raise NotEditable(_("Feedback can be given once the assessment is over."))
    reject_unknown(data, ("answers", "comments"))
    errors: dict[str, str] = {}
    answers = data.get("answers")
    given: dict[int, dict] = {}
    if not isinstance(answers, list):
        errors["answers"] = _("must be a list of the ten answers")
        answers = []
    for i, item in enumerate(answers[:50]):
        where = f"answers[{i}]"
        if not isinstance(item, dict):
            errors[where] = _("must be an object with item and answer")
            continue
        for k in sorted(k for k in item if k not in ("item", "answer", "comment")):
            errors[f"{where}.{k}"] = _("unknown field")
        number = item.get("item")
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(FEEDBACK_QUESTIONS):
            errors[f"{where}.item"] = _("must be a number from 1 to %(n)s", n=len(FEEDBACK_QUESTIONS))
            continue
        if number in given:
            errors[f"{where}.item"] = _("is answered twice")
            continue
        if not isinstance(item.get("answer"), bool):
            errors[f"{where}.answer"] = _("must be true or false")
        comment, error = text_value(item.get("comment"), FEEDBACK_MAX)
        if error:
            errors[f"{where}.comment"] = error
        given[number] = {"item": number, "answer": item.get("answer"), "comment": comment or ""}
    if len(answers) > 50:
        errors["answers"] = _("lists too many answers")
    missing = [str(n) for n in range(1, len(FEEDBACK_QUESTIONS) + 1) if n not in given]
    if missing and not errors:
        errors["answers"] = _("answer every question; missing: %(items)s", items=", ".join(missing))
    comments, error = text_value(data.get("comments"), FEEDBACK_MAX)
    if error:
        errors["comments"] = error
    raise_if_errors(errors)
    row = feedback_of(app)
    if row is None:
        row = Feedback(application_id=app.id)
        db.session.add(row)
    row.answers = [given[n] for n in sorted(given)]
    row.comments, row.submitted_at = comments, clock.now()
    db.session.flush()
    return row
