"""Applications: the APL-01 form, the APL-02 self-assessment, documents, appeals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.schemes import Unit, requirement_key
from certflow.models.types import JSONType, UTCDateTime
from workflows import APPEAL, APPLICATION

APPLICATION_STATES = APPLICATION.states
DOCUMENT_STATUSES = ("pending", "valid", "invalid")

# What a state needs in the row's columns, as check constraints named ``ck_applications_<key>``
# (migration 0004_invariants): the database refuses a state without what it implies.
STATE_INVARIANTS = {
    "revision_has_deadline": "state <> 'revision_requested' OR revision_deadline IS NOT NULL",
    "appeal_has_origin": (
        "(state = 'under_appeal' AND appealed_from IS NOT NULL) OR (state <> 'under_appeal' AND appealed_from IS NULL)"
    ),
    "assessment_has_team": "state NOT IN ('team_assigned', 'in_assessment', 'assessed') OR team_id IS NOT NULL",
    "assessed_has_recommendation": "state <> 'assessed' OR recommendation IS NOT NULL",
}


class Application(db.Model):
    """One candidate's application for one scheme; ``state`` follows the workflow.

    ``version`` is the optimistic lock: every UPDATE checks and bumps it, so
    two people acting at once cannot both win.
    """

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"state IN {APPLICATION_STATES}", name="state"),
        CheckConstraint("recommendation IS NULL OR recommendation IN ('K', 'BK')", name="recommendation"),
        *(CheckConstraint(sql, name=name) for name, sql in STATE_INVARIANTS.items()),
        Index("ix_applications_dinas_state_scheme", "dinas_id", "state", "scheme_id"),  # 0002_perf
        Index("ix_applications_scheme_state", "scheme_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    dinas_id: Mapped[int] = mapped_column(ForeignKey("dinas.id"))
    state: Mapped[str] = mapped_column(String(24), default=APPLICATION.initial, index=True)
    version: Mapped[int] = mapped_column(default=1)
    apl01: Mapped[dict] = mapped_column(JSONType, default=dict)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"), index=True)  # 0006_schedules
    recommendation: Mapped[str | None] = mapped_column(String(2))
    recommendation_notes: Mapped[str | None] = mapped_column(Text)  # 0014_ux14: the lead's notes with it
    revision_reason: Mapped[str | None] = mapped_column(Text)
    revision_deadline: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appealed_from: Mapped[str | None] = mapped_column(String(24))
    reassessment_units: Mapped[list | None] = mapped_column(JSONType)
    previous_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", use_alter=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    candidate = relationship("User", foreign_keys=[candidate_id], lazy="joined")
    scheme = relationship("Scheme", lazy="joined")
    dinas = relationship("Dinas", lazy="joined")
    team = relationship("Team")
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id", cascade="all, delete-orphan"
    )
    # The application's certificate: the one not re-issued since (a name correction re-issues it).
    certificate = relationship(
        "Certificate",
        primaryjoin="and_(Application.id == Certificate.application_id, Certificate.reissued_as_id.is_(None))",
        uselist=False,
        viewonly=True,
    )
    previous_certificate = relationship("Certificate", foreign_keys=[previous_certificate_id])

    __mapper_args__ = {"version_id_col": version}


class SelfAssessmentAnswer(db.Model):
    """The candidate's APL-02 claim (K/BK) and evidence for one criterion."""

    __tablename__ = "self_assessment_answers"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id"),
        CheckConstraint("claim IN ('K', 'BK')", name="claim"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    claim: Mapped[str] = mapped_column(String(2))
    evidence: Mapped[str] = mapped_column(Text, default="")


class Document(db.Model):
    """An uploaded document, stored under a random name outside the web root."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint(f"status IN {DOCUMENT_STATUSES}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The competency unit a portfolio is for (``PER_UNIT_KINDS``); None for every other kind.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)

    application: Mapped[Application] = relationship(back_populates="documents")
    # Loaded with the document (one join): the requirement a document meets names its unit.
    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def key(self) -> str:
        """The requirement this document meets (``requirement_key``): its kind, and its unit if any."""
        return requirement_key(self.kind, self.unit.code if self.unit is not None else None)


class DocumentOpening(db.Model):
    """A reviewer downloaded (opened) a document: "mark all valid" needs every document opened (0014_ux14)."""

    __tablename__ = "document_openings"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Appeal(db.Model):
    """A banding against ``ineligible`` or ``not_yet_competent``; follows the appeal workflow."""

    __tablename__ = "appeals"
    __table_args__ = (CheckConstraint(f"state IN {APPEAL.states}", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=APPEAL.initial, index=True)
    version: Mapped[int] = mapped_column(default=1)
    appealed_from: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)
    decision_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}
