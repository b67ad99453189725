"""The instruments of a scheme (MUK) and the written tests drawn from them.

Instruments hang on the units of a scheme, so they are versioned with it exactly like its
standard: frozen while the scheme is in use, copied by a new version
(``certflow.assessment.instruments``). The observation checklist (FR.IA.01) is not stored: it
is the scheme's criteria, one line each.

- ``UnitPlan``: the assessment plan of a unit (FR.MAPA.01): the evidence and the methods.
- ``Question``: a question of a unit's bank: ``multiple_choice`` (FR.IA.05, with a key: the
  index of the right choice), ``essay`` (FR.IA.06), ``oral`` (FR.IA.07) or ``portfolio``
  (FR.IA.08, a portfolio check).
- ``WrittenTest`` / ``WrittenAnswer``: a test drawn for one application, its deadline, the
  candidate's answers (frozen once ``submitted_at`` is set), the multiple-choice result and
  the essays' K/BK by an assessor of the team.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import JSONType, UTCDateTime

QUESTION_KINDS = ("multiple_choice", "essay", "oral", "portfolio")
WRITTEN_KINDS = ("multiple_choice", "essay")
PLAN_METHODS = ("observation", "portfolio", "interview", "written", "oral")


class UnitPlan(db.Model):
    """FR.MAPA.01 for one unit: the evidence to gather and the methods used."""

    __tablename__ = "unit_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[list] = mapped_column(JSONType, default=list)


class Question(db.Model):
    """A question of a unit's bank; ``answer_key`` only for multiple choice (never shown to a candidate)."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(f"kind IN {QUESTION_KINDS}", name="kind"),
        CheckConstraint(
            "(kind = 'multiple_choice') = (answer_key IS NOT NULL)",
            name="key_for_multiple_choice",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSONType, default=list)
    answer_key: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)


class WrittenTest(db.Model):
    """A written test drawn for one application: taken by its candidate before ``deadline``."""

    __tablename__ = "written_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("assessors.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mc_correct: Mapped[int | None] = mapped_column()
    mc_total: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    answers: Mapped[list[WrittenAnswer]] = relationship(
        back_populates="test", order_by="WrittenAnswer.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class WrittenAnswer(db.Model):
    """One drawn question of a test and the candidate's answer to it."""

    __tablename__ = "written_answers"
    __table_args__ = (
        UniqueConstraint("test_id", "question_id"),
        CheckConstraint("essay_result IS NULL OR essay_result IN ('K', 'BK')", name="essay_result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("written_tests.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    choice: Mapped[int | None] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")
    correct: Mapped[bool | None] = mapped_column()
    essay_result: Mapped[str | None] = mapped_column(String(2))
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("assessors.id"))

    test: Mapped[WrittenTest] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship(lazy="joined")
