"""The assessment: conflict declarations and scores by the members of the assigned team.

Who sees the assessment is decided in ``certflow.people.policy`` (DOMAIN.md rule 6): scores
are for the team and the certifiers; a dinas admin sees the status, never the scores or the
recommendation.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from certflow import clock
from certflow.applications.criterion_entries import check_entries, criterion_ids
from certflow.applications.operations import (
    CLAIMS,
    EVIDENCE_MAX,
    raise_if_errors,
    reject_unknown,
    text_value,
    touch,
)
from certflow.core.errors import Forbidden, NotEditable
from certflow.extensions import db
from certflow.models import Application, Assessor, ConflictDeclaration, Criterion, Score, User
from certflow.models.assessment import METHODS
from certflow.people.policy import team_assessor

NOTE_MAX = 2000


def _member_for(app: Application, user: User, state: str, what: str) -> Assessor:
    assessor = team_assessor(user, app)
    if assessor is None:
        raise Forbidden(_("Only a member of the assigned assessor team may %(what)s.", what=what))
    if app.state != state:
        raise NotEditable(_("This can be done only in state %(wanted)s, not %(state)s.", wanted=state, state=app.state))
    return assessor


# -- conflict declarations -------------------------------------------------------------------


def declare_conflict(app: Application, user: User, data: dict) -> ConflictDeclaration:
    """A team member declares (no) conflict of interest with the candidate; a later one replaces it."""
    assessor = _member_for(app, user, "team_assigned", _("declare a conflict of interest"))
    reject_unknown(data, ("conflict", "note"))
    errors = {}
    conflict = data.get("conflict")
    if not isinstance(conflict, bool):
        errors["conflict"] = _("must be true or false")
    note, error = text_value(data.get("note"), NOTE_MAX)
    if error:
        errors["note"] = error
    elif conflict is True and not note:
        errors["note"] = _("say what the conflict of interest is")
    raise_if_errors(errors)
    row = db.session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.application_id == app.id, ConflictDeclaration.assessor_id == assessor.id
        )
    )
    if row is None:
        row = ConflictDeclaration(application_id=app.id, assessor_id=assessor.id)
        db.session.add(row)
    row.conflict, row.note, row.declared_at = conflict, note, clock.now()
    touch(app)
    db.session.flush()
    return row


def declarations(app: Application) -> dict[int, ConflictDeclaration]:
    """The conflict declarations of ``app`` by assessor id (one query)."""
    rows = db.session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.application_id == app.id))
    return {row.assessor_id: row for row in rows}


# -- scores ------------------------------------------------------------------------------------


def _check_scores(scores: Any) -> tuple[list[dict], dict[str, str]]:
    entries, errors = check_entries(scores, "scores", ("result", "method", "evidence"))
    for e in entries:
        item, where = e["item"], e["where"]
        if item.get("result") not in CLAIMS:
            errors[f"{where}.result"] = _("must be K or BK")
        method = item.get("method")
        if method is not None and method not in METHODS:
            errors[f"{where}.method"] = _("must be one of %(methods)s", methods=", ".join(METHODS))
        e["result"], e["method"] = item.get("result"), method
        e["evidence"], error = text_value(item.get("evidence"), EVIDENCE_MAX, required=True)
        if error:
            errors[f"{where}.evidence"] = error
    return entries, errors


def check_scores(scores: Any) -> dict[str, str]:
    """The problems of a list of scores, by field (``scores[i] (code).result``…); empty when it is good.

    Pages use it to show each problem next to its criterion before saving (``save_scores``
    checks the same again and also that every criterion belongs to the scheme).
    """
    return _check_scores(scores)[1]


def save_scores(app: Application, user: User, scores: Any) -> list[dict]:
    """A team member records (inserts or updates) their K/BK and evidence for criteria; the lead's are the team's."""
    assessor = _member_for(app, user, "in_assessment", _("score this application"))
    clean, errors = _check_scores(scores)
    ids = criterion_ids(app, clean, errors)
    raise_if_errors(errors)
    existing = {
        row.criterion_id: row
        for row in db.session.scalars(
            select(Score).where(
                Score.application_id == app.id, Score.assessor_id == assessor.id, Score.criterion_id.in_(ids.values())
            )
        )
    }
    now = clock.now()
    for s in clean:
        row = existing.get(ids[s["criterion"]])
        if row is None:
            row = Score(application_id=app.id, assessor_id=assessor.id, criterion_id=ids[s["criterion"]])
            db.session.add(row)
        row.result, row.method, row.evidence, row.updated_at = s["result"], s["method"], s["evidence"], now
    touch(app)
    db.session.flush()
    return scores_by_assessor(app, only=assessor.id)


def scores_by_assessor(app: Application, only: int | None = None) -> list[dict]:
    """The scores of ``app`` grouped by assessor, the lead first; every current member appears (one query)."""
    stmt = (
        select(Score, Criterion.code, Assessor.id, User.name)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Assessor, Assessor.id == Score.assessor_id)
        .join(User, User.id == Assessor.user_id)
        .where(Score.application_id == app.id)
        .order_by(Assessor.id, Criterion.unit_id, Criterion.element_id, Criterion.position, Criterion.id)
    )
    if only is not None:
        stmt = stmt.where(Score.assessor_id == only)
    lead_id = app.team.lead_id if app.team is not None else None
    groups: dict[int, dict] = {}
    for score, code, assessor_id, name in db.session.execute(stmt):
        group = groups.setdefault(
            assessor_id, {"assessor": {"id": assessor_id, "name": name}, "lead": assessor_id == lead_id, "scores": []}
        )
        group["scores"].append(
            {
                "criterion": code,
                "result": score.result,
                "method": score.method,
                "evidence": score.evidence,
                "updated_at": score.updated_at.isoformat() if score.updated_at else None,
            }
        )
    if only is None and app.team is not None:
        for row in app.team.member_rows:  # members who have not scored yet show up empty
            if row.assessor_id not in groups:
                groups[row.assessor_id] = {
                    "assessor": {"id": row.assessor_id, "name": row.assessor.user.name},
                    "lead": row.assessor_id == lead_id,
                    "scores": [],
                }
    return sorted(groups.values(), key=lambda g: (not g["lead"], g["assessor"]["id"]))
