"""The records of a candidate at an assessment event that BNSP audits.

FR.AK.01, the assessment agreement and confidentiality: the evidence to be gathered (per unit,
the methods), the date, time and venue; agreed by the candidate and by the lead assessor.
``start_assessment`` needs both signatures (guard ``agreement_signed``).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certflow import clock
from certflow.extensions import db
from certflow.models.types import JSONType, UTCDateTime


def _now() -> datetime:
    """Now, by certflow's clock as it is when the row is written (a test may move it)."""
    return clock.now()


class Agreement(db.Model):
    """FR.AK.01 of one application: what will be assessed, when and where, and who agreed.

    ``evidence`` is ``[{"unit": <unit code>, "methods": [<method>, ...]}, ...]``. Changing the
    terms after a signature clears both signatures: each party agrees to what is written.
    """

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_at: Mapped[time] = mapped_column(Time)
    venue: Mapped[str] = mapped_column(String(255), default="")
    evidence: Mapped[list] = mapped_column(JSONType, default=list)
    signed_by_candidate_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_lead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, onupdate=_now)

    @property
    def signed(self) -> bool:
        """Both the candidate and the lead have agreed."""
        return self.signed_by_candidate_at is not None and self.signed_by_lead_at is not None


class UnitRecord(db.Model):
    """FR.AK.02 of one unit of one application: the methods used, the result (K/BK), the lead's feedback.

    The result follows the lead's scores of the unit's criteria (``certflow.assessment.records``);
    the lead writes the methods used and the feedback to the candidate (what to follow up).
    """

    __tablename__ = "unit_records"
    __table_args__ = (
        UniqueConstraint("application_id", "unit_id"),
        CheckConstraint("result IS NULL OR result IN ('K', 'BK')", name="result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    methods: Mapped[list] = mapped_column(JSONType, default=list)
    result: Mapped[str | None] = mapped_column(String(2))
    feedback: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, onupdate=_now)


class Feedback(db.Model):
    """FR.AK.03: the candidate's feedback on the assessment, the form's ten yes/no questions and comments.

    ``answers`` is ``[{"item": 1..10, "answer": bool, "comment": str}, ...]``.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    answers: Mapped[list] = mapped_column(JSONType, default=list)
    comments: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
