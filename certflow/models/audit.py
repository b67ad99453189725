"""The append-only transition log, the notification outbox, in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import JSONType, UTCDateTime

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class TransitionLog(db.Model):
    """One transition of one record: who, when, from, to, event, reason, workflow version."""

    __tablename__ = "transition_logs"
    __table_args__ = (Index("ix_transition_logs_subject", "workflow", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(String(24))
    workflow_version: Mapped[int] = mapped_column()
    subject_id: Mapped[int] = mapped_column()
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    actor = relationship("User", lazy="joined")


class OutboxMessage(db.Model):
    """An e-mail (or its WhatsApp copy: ``channel``) to send, written in the transaction of the change it reports.

    ``key`` is the idempotency key: a message is delivered at most once.
    ``status``: ``pending`` (to send), ``sending`` (claimed by one delivery attempt, number
    ``attempts``, until ``lease_until``), ``sent``, or ``failed`` (gave up after the last attempt).
    For a ``pending`` message waiting for a retry, ``lease_until`` is when that retry is due.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES}", name="status"),
        Index("ix_outbox_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(32))
    workflow: Mapped[str] = mapped_column(String(24))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # ``email`` or ``whatsapp``: one row per channel per recipient (a WhatsApp row's key ends ``:whatsapp``).
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient = relationship("User")


class Notification(db.Model):
    """An in-app notification (the bell)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    workflow: Mapped[str] = mapped_column(String(24))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(TransitionLog, "before_update")
@event.listens_for(TransitionLog, "before_delete")
def _append_only(mapper, connection, target: TransitionLog) -> None:
    """The transition log is append-only: a row, once written, is never changed or removed."""
    raise ValueError("the transition log is append-only")
