"""A candidate's applications as their pages show them: progress, facts, and the one next thing to do.

``load_records`` reads every application of the candidate (or one) with a constant number of
queries, whatever their number: certificates and teams joined, documents and history in
batches, and the guard facts the next step reads come from ``ApplicationFacts.many``: the
same functions the guards' facts use, asked once for all applications.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from certflow import clock
from certflow.applications.facts import ApplicationFacts
from certflow.candidate.progress import Step, progress, visited_states
from certflow.candidate.steps import NextStep, next_step
from certflow.extensions import db
from certflow.models import Application, Certificate, Team, TransitionLog, User
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


def load_records(user: User, application_id: int | None = None) -> list[Record]:
    """The candidate's applications (or the one asked for, if theirs), each with its progress and next step."""
    stmt = own_applications(user).options(
        CANDIDATE_ROLES_ON_DEMAND,
        joinedload(Application.documents),  # with the applications: one statement (a candidate has few)
        joinedload(Application.certificate),
        joinedload(Application.team).lazyload(Team.member_rows),  # only the team's name is shown
    )
    if application_id is not None:
        stmt = stmt.where(Application.id == application_id)
    apps = list(db.session.scalars(stmt).unique())
    histories = _histories([a.id for a in apps])
    # The facts the next step reads, the same the guards read, for all the applications at once.
    facts = ApplicationFacts.many(
        apps, user, ("_document_status", "unanswered_criteria", "decision_appealed", "_lead_results")
    )
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
