"""Assessment events: venues (TUK) and their verification, schedules, attendance, the schedule log.

A schedule's ``state`` follows the schedule workflow (``workflows/schedule.py``); ``version`` is
its optimistic lock. What a state needs in the row's columns is a check constraint
(``SCHEDULE_INVARIANTS``): a cancelled schedule has its reason, a reported one its report.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import JSONType, UTCDateTime
from workflows import SCHEDULE

VENUE_KINDS = ("sewaktu", "tempat_kerja", "mandiri")
SCHEDULE_STATES = SCHEDULE.states

SCHEDULE_INVARIANTS = {
    "cancelled_has_reason": "state <> 'cancelled' OR cancel_reason IS NOT NULL",
    "reported_has_report": "state NOT IN ('reported', 'decided') OR report_notes IS NOT NULL",
    "quota_range": "quota_min >= 1 AND quota_max >= quota_min",
}


class Venue(db.Model):
    """A TUK (*tempat uji kompetensi*) kept by a dinas: where an assessment event takes place."""

    __tablename__ = "venues"
    __table_args__ = (
        CheckConstraint(f"kind IN {VENUE_KINDS}", name="kind"),
        CheckConstraint("capacity >= 1", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dinas_id: Mapped[int] = mapped_column(ForeignKey("dinas.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    dinas = relationship("Dinas", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class VenueVerification(db.Model):
    """One check of a venue against the facilities checklist: by whom, when, the result and a note.

    ``checklist`` is ``{<facility>: bool, ...}``; the latest record is the venue's standing.
    """

    __tablename__ = "venue_verifications"
    __table_args__ = (Index("ix_venue_verifications_venue_at", "venue_id", "verified_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    verified_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    facilities_ok: Mapped[bool] = mapped_column(Boolean)
    checklist: Mapped[dict] = mapped_column(JSONType, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")

    verified_by = relationship("User", lazy="joined")


class Schedule(db.Model):
    """An assessment event: a scheme at a venue on a date, with a quota, a deadline and one team."""

    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint(f"state IN {SCHEDULE_STATES}", name="state"),
        *(CheckConstraint(sql, name=name) for name, sql in SCHEDULE_INVARIANTS.items()),
        Index("ix_schedules_dinas_state_starts", "dinas_id", "state", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dinas_id: Mapped[int] = mapped_column(ForeignKey("dinas.id"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    quota_min: Mapped[int] = mapped_column()
    quota_max: Mapped[int] = mapped_column()
    registration_closes: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default=SCHEDULE.initial, index=True)
    version: Mapped[int] = mapped_column(default=1)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    report_notes: Mapped[str | None] = mapped_column(Text)
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[list] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    dinas = relationship("Dinas", lazy="joined")
    scheme = relationship("Scheme", lazy="joined")
    venue = relationship("Venue", lazy="joined")
    team = relationship("Team", lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Attendance(db.Model):
    """Whether a placed candidate attended the event; recorded by the lead assessor."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("schedule_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ScheduleLog(db.Model):
    """One transition of one schedule, append-only: who, when, from, to, event, reason, data, version."""

    __tablename__ = "schedule_logs"
    __table_args__ = (Index("ix_schedule_logs_schedule", "schedule_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    workflow_version: Mapped[int] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    actor = relationship("User", lazy="joined")


@event.listens_for(ScheduleLog, "before_update")
@event.listens_for(ScheduleLog, "before_delete")
def _append_only(mapper, connection, target: ScheduleLog) -> None:
    """The schedule log is append-only: a row, once written, is never changed or removed."""
    raise ValueError("the schedule log is append-only")
