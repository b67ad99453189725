"""The guard facts read from the database, for many applications at once.

Each function answers for every application given, as a mapping by application id, with one
query whatever their number. ``ApplicationFacts`` (``certflow.applications.facts``) asks the same
functions about one application alone, and ``ApplicationFacts.many`` about a page of them, so a
page and the guards always read a fact the same way.
"""

from __future__ import annotations

from sqlalchemy import and_, func, inspect, select

from certflow.extensions import db
from certflow.models import (
    Agreement,
    Appeal,
    Application,
    ConflictDeclaration,
    Criterion,
    Document,
    Score,
    SelfAssessmentAnswer,
    Team,
    Unit,
)
from certflow.models.schemes import requirement_key


def carried_results(app: Application, rows) -> list[tuple[str, str | None]]:
    """The lead's (unit, result) rows as the decision reads them.

    A reassessment covers the BK units only: the other units keep their K.
    """
    carried = set()
    if app.reassessment_units:
        carried = {u for u, _ in rows} - set(app.reassessment_units)
    return [(u, "K" if u in carried else r) for u, r in rows]


def _ids(apps: list[Application]) -> list[int]:
    return [a.id for a in apps]


def document_status_by_app(apps: list[Application]) -> dict[int, dict[str, set[str]]]:
    """The statuses of the documents each application holds, per requirement (``requirement_key``): from
    the documents in memory when every application has them loaded (a page that shows them loads them,
    each with its unit), else in one query."""
    result: dict[int, dict[str, set[str]]] = {a.id: {} for a in apps}
    if all("documents" not in inspect(a).unloaded for a in apps):
        rows = [(a.id, d.kind, d.unit.code if d.unit else None, d.status) for a in apps for d in a.documents]
    else:
        rows = db.session.execute(
            select(Document.application_id, Document.kind, Unit.code, Document.status)
            .outerjoin(Unit, Unit.id == Document.unit_id)
            .where(Document.application_id.in_(_ids(apps)))
        )
    for app_id, kind, unit_code, status in rows:
        result[app_id].setdefault(requirement_key(kind, unit_code), set()).add(status)
    return result


def unanswered_criteria_by_app(apps: list[Application]) -> dict[int, int]:
    """The criteria of each application's scheme without a self-assessment claim, in one query."""
    if not apps:
        return {}
    total = select(func.count(Criterion.id)).where(Criterion.scheme_id == Application.scheme_id).scalar_subquery()
    answered = (
        select(func.count(SelfAssessmentAnswer.id))
        .join(Criterion, Criterion.id == SelfAssessmentAnswer.criterion_id)
        .where(SelfAssessmentAnswer.application_id == Application.id, Criterion.scheme_id == Application.scheme_id)
        .scalar_subquery()
    )
    rows = db.session.execute(select(Application.id, total - answered).where(Application.id.in_(_ids(apps))))
    return dict(rows.all())


def declarations_by_app(apps: list[Application]) -> dict[int, dict[int, bool]]:
    """The conflict declarations on each application: ``{assessor id: conflict}``, in one query."""
    result: dict[int, dict[int, bool]] = {a.id: {} for a in apps}
    if apps:
        rows = db.session.execute(
            select(
                ConflictDeclaration.application_id, ConflictDeclaration.assessor_id, ConflictDeclaration.conflict
            ).where(ConflictDeclaration.application_id.in_(_ids(apps)))
        )
        for app_id, assessor_id, conflict in rows:
            result[app_id][assessor_id] = conflict
    return result


def scored_since_assignment_by_app(apps: list[Application]) -> dict[int, int]:
    """Scores recorded after each application's last state change (the team's assignment), in one query."""
    result = dict.fromkeys(_ids(apps), 0)
    if apps:
        rows = db.session.execute(
            select(Score.application_id, func.count(Score.id))
            .join(Application, Application.id == Score.application_id)
            .where(Score.application_id.in_(_ids(apps)), Score.updated_at > Application.state_changed_at)
            .group_by(Score.application_id)
        )
        result.update(rows.all())
    return result


def lead_results_by_app(apps: list[Application]) -> dict[int, list[tuple[str, str | None]]]:
    """(unit code, the team lead's result or None) for every criterion of each application's scheme, in one
    query; without a team, every result is None. A reassessment carries the K of the units it does not cover."""
    rows_of: dict[int, list[tuple[str, str | None]]] = {a.id: [] for a in apps}
    if apps:
        rows = db.session.execute(
            select(Application.id, Unit.code, Score.result)
            .select_from(Application)
            .outerjoin(Team, Team.id == Application.team_id)
            .join(Criterion, Criterion.scheme_id == Application.scheme_id)
            .join(Unit, Unit.id == Criterion.unit_id)
            .outerjoin(
                Score,
                and_(
                    Score.criterion_id == Criterion.id,
                    Score.application_id == Application.id,
                    Score.assessor_id == Team.lead_id,
                ),
            )
            .where(Application.id.in_(_ids(apps)))
            .order_by(Application.id, Unit.position, Criterion.id)
        )
        for app_id, unit, result in rows:
            rows_of[app_id].append((unit, result))
    return {a.id: carried_results(a, rows_of[a.id]) for a in apps}


def decisions_appealed_by_app(apps: list[Application]) -> dict[int, bool]:
    """Whether each application's current decision has already been appealed once, in one query (none if
    no application is decided)."""
    result = dict.fromkeys(_ids(apps), False)
    decided = [a.id for a in apps if a.decided_at is not None]
    if decided:
        rows = db.session.scalars(
            select(Application.id)
            .join(Appeal, Appeal.application_id == Application.id)
            .where(Application.id.in_(decided), Appeal.created_at >= Application.decided_at)
            .distinct()
        )
        result.update(dict.fromkeys(rows, True))
    return result


def agreement_unsigned_by_app(apps: list[Application]) -> dict[int, tuple[str, ...] | None]:
    """Who has not signed each application's assessment agreement yet (``"candidate"``, ``"lead"``);
    None for an application without one, in one query. An agreement counts only if it was written
    since the application's last state change (the team's assignment): one of an earlier assessment
    (before a release or a reassessment) does not."""
    result: dict[int, tuple[str, ...] | None] = dict.fromkeys(_ids(apps))
    if apps:
        rows = db.session.execute(
            select(Agreement.application_id, Agreement.signed_by_candidate_at, Agreement.signed_by_lead_at)
            .join(Application, Application.id == Agreement.application_id)
            .where(Agreement.application_id.in_(_ids(apps)), Agreement.updated_at >= Application.state_changed_at)
        )
        for app_id, by_candidate, by_lead in rows:
            result[app_id] = tuple(
                party for party, at in (("candidate", by_candidate), ("lead", by_lead)) if at is None
            )
    return result


# The facts ``ApplicationFacts`` reads from the database, by attribute, each with its batched query.
BATCHED = {
    "_document_status": document_status_by_app,
    "unanswered_criteria": unanswered_criteria_by_app,
    "_declarations": declarations_by_app,
    "scored_since_assignment": scored_since_assignment_by_app,
    "_lead_results": lead_results_by_app,
    "decision_appealed": decisions_appealed_by_app,
    "agreement_unsigned": agreement_unsigned_by_app,
}
