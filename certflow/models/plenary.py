"""The plenary decision (*rapat pleno*, *SK penetapan*): one record per decided schedule.

A decision has its number (unique), its date, who recorded it, its members (certifiers, in
``plenary_members``) and one line per candidate (``plenary_lines``: the application, K or BK,
the reason). Its lines fired ``certify``/``decline`` on the applications in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import UTCDateTime

PLENARY_DECISIONS = ("K", "BK")


class PlenaryDecision(db.Model):
    """The certifiers' decision on one reported schedule."""

    __tablename__ = "plenary_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    schedule = relationship("Schedule")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    member_rows = relationship("PlenaryMember", order_by="PlenaryMember.id", cascade="all, delete-orphan")
    lines = relationship("PlenaryLine", order_by="PlenaryLine.id", cascade="all, delete-orphan")


class PlenaryMember(db.Model):
    """A certifier who sat in the plenary."""

    __tablename__ = "plenary_members"
    __table_args__ = (UniqueConstraint("decision_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("plenary_decisions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    user = relationship("User")


class PlenaryLine(db.Model):
    """One candidate's line of the decision: K (certified) or BK (not yet competent), with a reason."""

    __tablename__ = "plenary_lines"
    __table_args__ = (
        CheckConstraint(f"decision IN {PLENARY_DECISIONS}", name="decision"),
        UniqueConstraint("decision_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("plenary_decisions.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str | None] = mapped_column(Text)

    application = relationship("Application")
