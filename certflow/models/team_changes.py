"""The history of a team's members: each replacement, with its reason and the assessments it moved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import JSONType, UTCDateTime


class TeamChange(db.Model):
    """A member replaced on a team: who left, who joined, why, by whom, and the open assessments moved."""

    __tablename__ = "team_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    leaving_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    joining_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applications: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    leaving = relationship("Assessor", foreign_keys=[leaving_id], lazy="joined")
    joining = relationship("Assessor", foreign_keys=[joining_id], lazy="joined")
    by = relationship("User", lazy="joined")
