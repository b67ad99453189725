"""An assessor's queue: the candidates of their teams, with due dates, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, lazyload

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
        .where(_assigned(), TransitionLog.application_id.in_(app_ids))
        .group_by(TransitionLog.application_id)
    ).all()
    return {app_id: _local_day(at) for app_id, at in rows if at is not None}


def _assigned():
    return (TransitionLog.workflow == "application") & (TransitionLog.event == "assign_team")


def _local_day(at: datetime | None) -> date | None:
    return at.astimezone(LOCAL_TZ).date() if at is not None else None


# The queue shows the candidate's name, the scheme, the dinas and the team: nothing else is loaded.
QUEUE_LOADS = (
    lazyload("*"),
    joinedload(Application.candidate).lazyload("*"),
    joinedload(Application.scheme),
    joinedload(Application.dinas).lazyload("*"),
    joinedload(Application.team).lazyload("*"),
)


def _queue_facts(assessor: Assessor):
    """(application id, team assigned at, own declaration, criteria scored, criteria) of each entry: one query.

    The assessor's own declaration is a row of theirs shown as it is (no rule is derived from it here:
    the guards read every member's, through ``fact_queries.declarations_by_app``).

    The applications are found by their teams' index first; only those few are then loaded with what
    the page shows (joining the related tables before filtering would read the whole table).
    """
    since = clock.now() - timedelta(days=RECENT_DAYS)
    my_teams = select(TeamMember.team_id).where(TeamMember.assessor_id == assessor.id)
    assigned_at = (
        select(func.max(TransitionLog.at))
        .where(_assigned(), TransitionLog.application_id == Application.id)
        .scalar_subquery()
    )
    declaration = (
        select(ConflictDeclaration.conflict)
        .where(ConflictDeclaration.application_id == Application.id, ConflictDeclaration.assessor_id == assessor.id)
        .scalar_subquery()
    )
    scored = (
        select(func.count(Score.id))
        .where(Score.application_id == Application.id, Score.assessor_id == assessor.id)
        .scalar_subquery()
    )
    criteria = select(func.count(Criterion.id)).where(Criterion.scheme_id == Application.scheme_id).scalar_subquery()
    return db.session.execute(
        select(Application.id, assigned_at, declaration, scored, criteria).where(
            Application.team_id.in_(my_teams),
            or_(Application.state.in_(QUEUE_STATES), Application.state_changed_at >= since),
        )
    ).all()


def assessor_queue(assessor: Assessor) -> list[QueueItem]:
    """The assessor's candidates: open and assessed ones first by due date, then those finished recently."""
    facts = {row[0]: row[1:] for row in _queue_facts(assessor)}
    apps = []
    if facts:
        apps = db.session.scalars(select(Application).options(*QUEUE_LOADS).where(Application.id.in_(facts))).all()
    today = clock.today()
    items = []
    for a in apps:
        assigned_at, declaration, scored, criteria = facts[a.id]
        assigned_on = _local_day(assigned_at)
        due = due_date(assigned_on)
        items.append(
            QueueItem(
                app=a,
                lead=a.team.lead_id == assessor.id,
                assigned_on=assigned_on,
                due_on=due,
                overdue=a.state in OPEN_ASSESSMENT_STATES and due is not None and due < today,
                declaration=declaration,
                scored=scored,
                criteria=criteria,
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
