"""A member of a dinas's staff as the education-gap register keeps them (not an account; ``certflow.staff``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.people import Dinas
from certflow.models.types import UTCDateTime
from workflows.eligibility import EDUCATION_FIELDS, EDUCATION_LEVELS
from workflows.identity import JF_LEVELS

# The functional-position level speaks APL-01's codes (``workflows.identity.JF_LEVELS``: the track,
# Pekerja Sosial or Penyuluh Sosial, and the level), so the register and the applications count alike.
MAX_PRACTICE_HOURS = 100_000


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class StaffMember(db.Model):
    """One employee of a dinas: education, position, functional level, hours and training."""

    __tablename__ = "staff_members"
    __table_args__ = (
        UniqueConstraint("dinas_id", "name", name="uq_staff_members_dinas_name"),
        CheckConstraint(_in("education_field", EDUCATION_FIELDS), name="education_field"),
        CheckConstraint(_in("education_level", EDUCATION_LEVELS), name="education_level"),
        CheckConstraint("functional_level IS NULL OR " + _in("functional_level", JF_LEVELS), name="functional_level"),
        CheckConstraint(
            f"practice_hours IS NULL OR (practice_hours >= 0 AND practice_hours <= {MAX_PRACTICE_HOURS})",
            name="practice_hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dinas_id: Mapped[int] = mapped_column(ForeignKey("dinas.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    education_field: Mapped[str] = mapped_column(String(16))
    education_level: Mapped[str] = mapped_column(String(8))
    position: Mapped[str] = mapped_column(String(160), default="")
    functional_level: Mapped[str | None] = mapped_column(String(24), nullable=True)
    practice_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    training: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    dinas: Mapped[Dinas] = relationship(lazy="joined")
