"""A candidate's applications as their pages show them: progress, facts, and the one next thing to do.

``load_records`` reads every application of the candidate (or one) with a constant number of
queries, whatever their number: certificates and teams joined, documents and history in
batches, and the guard facts the next step reads (``ApplicationFacts``) are filled from
batched queries, so the home page asks the database the same questions the guards do,
once for all applications.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from certflow import clock
from certflow.applications.facts import ApplicationFacts, carried_results
from certflow.candidate.progress import Step, progress, visited_states
from certflow.candidate.steps import NextStep, next_step
from certflow.extensions import db
from certflow.models import (
    Appeal,
    Application,
    Certificate,
    Criterion,
    Score,
    SelfAssessmentAnswer,
    Team,
    TransitionLog,
    Unit,
    User,
)
from certflow.people.policy import CANDIDATE_ROLES_ON_DEMAND
from workflows import APPLICATION
from workflows.guards import APPEAL_WINDOW


@dataclass
class Record:
    """One application with what its pages show about it."""

    app: Application
    facts: ApplicationFacts
    history: list[TransitionLog]
    steps: list[Step]
    next: NextStep
    appeal_until: datetime | None = None
    reasons: list[TransitionLog] = field(default_factory=list)

    @property
    def certificate(self) -> Certificate | None:
        """The application's certificate, if one was issued."""
        return self.app.certificate


def own_applications(user: User):
    """A SELECT of the candidate's own applications, newest first (nobody else's, whatever their roles)."""
    return (
        select(Application)
        .where(Application.candidate_id == user.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )


def _histories(ids: list[int]) -> dict[int, list[TransitionLog]]:
    result: dict[int, list[TransitionLog]] = defaultdict(list)
    if ids:
        rows = db.session.scalars(
            select(TransitionLog)
            .options(lazyload(TransitionLog.actor))
            .where(TransitionLog.application_id.in_(ids))
            .order_by(TransitionLog.at, TransitionLog.id)
        )
        for log in rows:
            result[log.application_id].append(log)
    return result


def _prefetch_facts(apps: list[Application], facts: dict[int, ApplicationFacts]) -> None:
    """Fill the facts the next step reads (the same questions as the guards) with two queries for all applications."""
    if not apps:
        return
    total = select(func.count(Criterion.id)).where(Criterion.scheme_id == Application.scheme_id).scalar_subquery()
    answered = (
        select(func.count(SelfAssessmentAnswer.id))
        .join(Criterion, Criterion.id == SelfAssessmentAnswer.criterion_id)
        .where(SelfAssessmentAnswer.application_id == Application.id, Criterion.scheme_id == Application.scheme_id)
        .scalar_subquery()
    )
    appealed = (
        exists()
        .where(Appeal.application_id == Application.id, Appeal.created_at >= Application.decided_at)
        .correlate(Application)
    )
    counts = {
        app_id: (unanswered, bool(was_appealed))
        for app_id, unanswered, was_appealed in db.session.execute(
            select(Application.id, total - answered, appealed).where(Application.id.in_([a.id for a in apps]))
        )
    }
    assessed = [a.id for a in apps if a.team_id is not None]
    lead_results: dict[int, list] = defaultdict(list)
    if assessed:
        rows = db.session.execute(
            select(Application.id, Unit.code, Score.result)
            .select_from(Application)
            .join(Team, Team.id == Application.team_id)
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
            .where(Application.id.in_(assessed))
            .order_by(Application.id, Unit.position, Criterion.id)
        ).all()
        for app_id, unit, result in rows:
            lead_results[app_id].append((unit, result))
    for app in apps:
        f = facts[app.id]
        # ApplicationFacts caches these as cached properties: setting them answers the guards' questions.
        f.unanswered_criteria, f.decision_appealed = counts[app.id]
        if app.team_id is not None:
            f._lead_results = carried_results(app, lead_results[app.id])


def load_records(user: User, application_id: int | None = None) -> list[Record]:
    """The candidate's applications (or the one asked for, if theirs), each with its progress and next step."""
    stmt = own_applications(user).options(
        CANDIDATE_ROLES_ON_DEMAND,
        selectinload(Application.documents),
        joinedload(Application.certificate),
        joinedload(Application.team).lazyload(Team.member_rows),  # only the team's name is shown
    )
    if application_id is not None:
        stmt = stmt.where(Application.id == application_id)
    apps = list(db.session.scalars(stmt).unique())
    histories = _histories([a.id for a in apps])
    facts = {a.id: ApplicationFacts(a, {}, user) for a in apps}
    _prefetch_facts(apps, facts)
    now = clock.now()
    records = []
    for app in apps:
        logs = [log for log in histories[app.id] if log.workflow == APPLICATION.name]
        visited = visited_states(APPLICATION.initial, logs)
        record = Record(
            app=app,
            facts=facts[app.id],
            history=histories[app.id],
            steps=progress(APPLICATION, app.state, visited),
            next=next_step(app, facts[app.id], logs, now),
            # The appeal's own log repeats the application's; the certificate's (suspended …) is the candidate's news.
            reasons=[log for log in histories[app.id] if log.reason and log.workflow != "appeal"],
        )
        if app.decided_at is not None:
            record.appeal_until = app.decided_at + APPEAL_WINDOW
        records.append(record)
    return records


def load_record(user: User, application_id: int) -> Record | None:
    """One of the candidate's applications, or None if it is not theirs (the page answers 404)."""
    records = load_records(user, application_id)
    return records[0] if records else None
