"""Celery tasks: deliver one outbox message; relay what was not delivered."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from sqlalchemy import select, update

from certflow import clock
from certflow.extensions import db
from certflow.models import OutboxMessage
from certflow.notifications.mail import send_email
from certflow.notifications.messages import render_email


@shared_task(bind=True, max_retries=8, acks_late=True)
def deliver_outbox(self, message_id: int) -> str:
    """Send outbox message ``message_id`` unless it was already sent (idempotent)."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
        .values(attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
    ).first()
    if claimed is None:
        db.session.rollback()
        return "skipped"
    msg = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if msg is None or msg.status != "pending":
        db.session.rollback()
        return "skipped"
    try:
        send_email(render_email(msg))
    except Exception as exc:  # noqa: BLE001 - any delivery failure is retried
        msg.last_error = str(exc)[:500]
        db.session.commit()
        raise self.retry(exc=exc, countdown=min(600, 2**self.request.retries * 5)) from exc
    msg.status = "sent"
    msg.sent_at = clock.now()
    db.session.commit()
    return "sent"


@shared_task
def relay_outbox(older_than_seconds: int = 60, limit: int = 500) -> int:
    """Queue again every pending message older than ``older_than_seconds`` (lost by a broker)."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.created_at <= cutoff)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    db.session.rollback()
    for message_id in ids:
        deliver_outbox.delay(message_id)
    return len(ids)
