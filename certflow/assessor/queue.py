"""An assessor's queue: the candidates of their teams, with due dates, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from certflow import clock
from certflow.clock import LOCAL_TZ
from certflow.extensions import db
from certflow.models import Application, Assessor, ConflictDeclaration, Criterion, Score, TeamMember, TransitionLog
from certflow.models.assessment import OPEN_ASSESSMENT_STATES

# An assessment is due this many days after the team was assigned (the assign_team transition).
ASSESSMENT_DAYS = 30
# Candidates whose assessment ended (or who left) within this many days stay in the queue, as "recent".
RECENT_DAYS = 30
QUEUE_STATES = (*OPEN_ASSESSMENT_STATES, "assessed")


@dataclass
class QueueItem:
    """One candidate of the assessor's teams, and where the assessor stands with them."""

    app: Application
    lead: bool
    assigned_on: date | None
    due_on: date | None
    overdue: bool
    declaration: bool | None  # None: not declared yet; False: no conflict; True: a conflict
    scored: int
    criteria: int

    @property
    def open(self) -> bool:
        """Whether the assessment is still to be done (team assigned or in assessment)."""
        return self.app.state in OPEN_ASSESSMENT_STATES


def due_date(assigned_on: date | None) -> date | None:
    """The day the assessment is due: ``ASSESSMENT_DAYS`` after the team was assigned."""
    return assigned_on + timedelta(days=ASSESSMENT_DAYS) if assigned_on else None


def assigned_dates(app_ids: list[int]) -> dict[int, date]:
    """The (local) day each application's team was last assigned, in one query."""
    if not app_ids:
        return {}
    rows = db.session.execute(
        select(TransitionLog.application_id, func.max(TransitionLog.at))
        .where(
            TransitionLog.workflow == "application",
            TransitionLog.event == "assign_team",
            TransitionLog.application_id.in_(app_ids),
        )
        .group_by(TransitionLog.application_id)
    ).all()
    return {app_id: at.astimezone(LOCAL_TZ).date() for app_id, at in rows if at is not None}


def assessor_queue(assessor: Assessor) -> list[QueueItem]:
    """The assessor's candidates: open and assessed ones first by due date, then those finished recently."""
    since = clock.now() - timedelta(days=RECENT_DAYS)
    my_teams = select(TeamMember.team_id).where(TeamMember.assessor_id == assessor.id)
    apps = db.session.scalars(
        select(Application)
        .options(joinedload(Application.team))
        .where(
            Application.team_id.in_(my_teams),
            or_(Application.state.in_(QUEUE_STATES), Application.state_changed_at >= since),
        )
    ).all()
    ids = [a.id for a in apps]
    assigned = assigned_dates(ids)
    declared, scored, criteria = {}, {}, {}
    if ids:
        declared = dict(
            db.session.execute(
                select(ConflictDeclaration.application_id, ConflictDeclaration.conflict).where(
                    ConflictDeclaration.assessor_id == assessor.id, ConflictDeclaration.application_id.in_(ids)
                )
            ).all()
        )
        scored = dict(
            db.session.execute(
                select(Score.application_id, func.count(Score.id))
                .where(Score.assessor_id == assessor.id, Score.application_id.in_(ids))
                .group_by(Score.application_id)
            ).all()
        )
        criteria = dict(
            db.session.execute(
                select(Criterion.scheme_id, func.count(Criterion.id))
                .where(Criterion.scheme_id.in_({a.scheme_id for a in apps}))
                .group_by(Criterion.scheme_id)
            ).all()
        )
    today = clock.today()
    items = []
    for a in apps:
        due = due_date(assigned.get(a.id))
        items.append(
            QueueItem(
                app=a,
                lead=a.team.lead_id == assessor.id,
                assigned_on=assigned.get(a.id),
                due_on=due,
                overdue=a.state in OPEN_ASSESSMENT_STATES and due is not None and due < today,
                declaration=declared.get(a.id),
                scored=scored.get(a.id, 0),
                criteria=criteria.get(a.scheme_id, 0),
            )
        )
    far = date.max
    items.sort(
        key=lambda i: (
            0 if i.open else 1 if i.app.state == "assessed" else 2,
            (i.due_on or far) if i.app.state in QUEUE_STATES else far,
            -i.app.state_changed_at.timestamp(),
            i.app.id,
        )
    )
    return items
