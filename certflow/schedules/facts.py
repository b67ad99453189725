"""What the schedule workflow's guards read of one schedule (``workflows/schedule.py``), from the database.

Each fact is read when a guard first asks for it (one query at most each), so firing an event
costs only what its guards need.
"""

from __future__ import annotations

from functools import cached_property
from types import SimpleNamespace

from sqlalchemy import func, select

from certflow import clock
from certflow.extensions import db
from certflow.models import Agreement, Application, Schedule, User

# A placed candidate: on the schedule and not withdrawn.
NOT_PLACED_STATES = ("withdrawn",)


def placed_filter(schedule_id):
    """The SQL condition of the applications placed on a schedule."""
    return (Application.schedule_id == schedule_id) & Application.state.not_in(NOT_PLACED_STATES)


def event_date(schedule: Schedule):
    """The local (WIB) date of the event."""
    return schedule.starts_at.astimezone(clock.LOCAL_TZ).date()


class ScheduleFacts:
    """The facts of one schedule, as the guards of its workflow and of placement read them."""

    def __init__(self, schedule: Schedule):
        self.schedule = schedule

    @property
    def registration_closes(self):
        return self.schedule.registration_closes

    @property
    def event_date(self):
        return event_date(self.schedule)

    @property
    def quota_min(self) -> int:
        return self.schedule.quota_min

    @property
    def quota_max(self) -> int:
        return self.schedule.quota_max

    @property
    def scheme_code(self) -> str:
        return self.schedule.scheme.code

    @cached_property
    def placed(self) -> int:
        return db.session.scalar(select(func.count(Application.id)).where(placed_filter(self.schedule.id))) or 0

    @cached_property
    def members(self) -> list[SimpleNamespace]:
        team = self.schedule.team
        return [
            SimpleNamespace(
                name=row.assessor.user.name,
                active=row.assessor.active,
                licence_expires=row.assessor.licence_expires,
                schemes={r.scheme.code for r in row.assessor.scheme_rows},
            )
            for row in (team.member_rows if team is not None else [])
        ]

    @cached_property
    def unsigned_agreements(self) -> list[str]:
        rows = db.session.execute(
            select(User.name, Agreement.signed_by_candidate_at, Agreement.signed_by_lead_at)
            .select_from(Application)
            .join(User, User.id == Application.candidate_id)
            .outerjoin(Agreement, Agreement.application_id == Application.id)
            .where(placed_filter(self.schedule.id), Application.state == "team_assigned")
            .order_by(Application.id)
        ).all()
        return [name for name, by_candidate, by_lead in rows if by_candidate is None or by_lead is None]

    @property
    def attendance_recorded(self) -> bool:
        return self.schedule.attendance_recorded_at is not None
