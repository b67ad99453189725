"""Which schedules a user may see, for the plenary's API, pages and forms.

Certifiers and system admins see every schedule (certifiers are national); a dinas admin their
scope's; an assessor their team's. Any other schedule is not found (404), never forbidden.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select

from certflow.extensions import db
from certflow.models import Assessor, Schedule, TeamMember, User
from certflow.people.policy import dinas_scope


def visible_schedules(user: User):
    """A SELECT of the schedules ``user`` may see."""
    stmt = select(Schedule)
    if user.roles & {"certifier", "admin"}:
        return stmt
    conditions = []
    scope = dinas_scope(user)
    if scope is not None:
        conditions.append(Schedule.dinas_id.in_(scope))
    if user.has_role("assessor"):
        teams = select(TeamMember.team_id).join(Assessor, Assessor.id == TeamMember.assessor_id)
        conditions.append(Schedule.team_id.in_(teams.where(Assessor.user_id == user.id)))
    if not conditions:
        return stmt.where(false())

    return stmt.where(or_(*conditions))


def get_visible_schedule(user: User, schedule_id: int) -> Schedule | None:
    """The schedule if ``user`` may see it, else None (callers answer 404)."""
    return db.session.scalar(visible_schedules(user).where(Schedule.id == schedule_id))
