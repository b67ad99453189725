"""Assessors, their teams, conflict declarations and scores."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import UTCDateTime

METHODS = ("observation", "portfolio", "interview", "written")
OPEN_ASSESSMENT_STATES = ("team_assigned", "in_assessment")


class Assessor(db.Model):
    """A user registered as asesor kompetensi: licence, schemes, home dinas, load."""

    __tablename__ = "assessors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    dinas_id: Mapped[int] = mapped_column(ForeignKey("dinas.id"), index=True)
    licence_number: Mapped[str] = mapped_column(String(64))
    licence_expires: Mapped[date] = mapped_column(Date, index=True)
    max_load: Mapped[int] = mapped_column(default=5)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    user = relationship("User", lazy="joined")
    dinas = relationship("Dinas", lazy="joined")
    scheme_rows: Mapped[list[AssessorScheme]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def scheme_ids(self) -> set[int]:
        """The ids of the schemes the licence covers."""
        return {r.scheme_id for r in self.scheme_rows}


class AssessorScheme(db.Model):
    """A scheme an assessor's licence covers."""

    __tablename__ = "assessor_schemes"

    assessor_id: Mapped[int] = mapped_column(ForeignKey("assessors.id", ondelete="CASCADE"), primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), primary_key=True, index=True)

    scheme = relationship("Scheme", lazy="joined")


class Team(db.Model):
    """An assessor team of a dinas for one scheme; the lead is also a member."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    dinas_id: Mapped[int] = mapped_column(ForeignKey("dinas.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    lead_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    dinas = relationship("Dinas", lazy="joined")
    scheme = relationship("Scheme", lazy="joined")
    lead = relationship("Assessor", foreign_keys=[lead_id])
    member_rows: Mapped[list[TeamMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TeamMember.assessor_id"
    )

    @property
    def member_ids(self) -> set[int]:
        """The assessor ids of every member, the lead included."""
        return {m.assessor_id for m in self.member_rows}


class TeamMember(db.Model):
    """An assessor on a team."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"), primary_key=True, index=True)

    assessor = relationship("Assessor", lazy="joined")


class AssessorRelation(db.Model):
    """A person an assessor declared a relation to (a relative, a colleague…)."""

    __tablename__ = "assessor_relations"
    __table_args__ = (UniqueConstraint("assessor_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("assessors.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="relative")
    note: Mapped[str] = mapped_column(Text, default="")


class ConflictDeclaration(db.Model):
    """A team member's declaration of (no) conflict of interest with a candidate."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    conflict: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Score(db.Model):
    """One assessor's K/BK for one criterion, with the method and evidence.

    The lead's scores are the team's consolidated result.
    """

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("application_id", "assessor_id", "criterion_id"),
        CheckConstraint("result IN ('K', 'BK')", name="result"),
        CheckConstraint(f"method IS NULL OR method IN {METHODS}", name="method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    result: Mapped[str] = mapped_column(String(2))
    method: Mapped[str | None] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
