"""Delivering one outbox message, at most once, and finding what was never confirmed.

E-mail and WhatsApp rows (``channel``) go the same way; a WhatsApp row is sent through the one
adapter ``certflow.notifications.whatsapp`` with its key as the provider's idempotency key, so
the window below closes there too when the provider honours it.

The guarantee, and how it holds:

* **At most once per attempt, one attempt at a time.** A delivery first *claims* the message
  in its own short transaction: ``UPDATE … SET status='sending', attempts=attempts+1,
  lease_until=now+lease WHERE id=… AND status='pending'`` (or a ``sending`` row whose lease
  has run out). PostgreSQL re-checks the ``WHERE`` after waiting for a concurrent claim's row
  lock, SQLite serialises writers: when two tasks for one message race (the after-commit task,
  a Celery retry, the relay), exactly one gets the row back; the others do nothing. The claim
  is committed *before* the SMTP conversation, so no transaction or lock is held over the
  network.
* **Confirmation is fenced.** ``sent`` (or a retry, or ``failed``) is written only
  ``WHERE status='sending' AND attempts=<this attempt>``: an attempt whose lease was taken
  over can no longer overwrite the newer attempt's outcome.
* **Never lost.** A message stays ``pending`` or ``sending`` until an SMTP server accepted it
  (``sent``) or it failed ``OUTBOX_MAX_ATTEMPTS`` times (``failed``: logged, counted on the
  admin's notifications page, and can be queued again there). The relay (a beat task)
  re-queues a ``pending`` message nobody confirmed within ``OUTBOX_RELAY_AFTER_SECONDS`` (a task
  dropped by the broker, a broker that was down at commit time, a lost retry) and a
  ``sending`` message whose lease ran out (the worker died mid-delivery).
* **The one window left.** If a worker dies *after* the SMTP server answered 250 to the
  message's DATA and *before* the ``sent`` row commits (microseconds to milliseconds), nobody
  can know the message went out; when the lease runs out the relay sends it again and logs a
  warning. We chose a possible duplicate over a possible loss there (a lost notice leaves a
  candidate waiting; the duplicate carries the same ``Message-ID``, which mail systems use to
  fold duplicates). A worker killed at any earlier point — before the send, or while the server
  has not yet answered DATA, which is when an SMTP server has not taken the message — leads to
  exactly one e-mail. The lease (``OUTBOX_LEASE_SECONDS``, 10 minutes) outlasts a whole SMTP
  conversation (each command times out after ``MAIL_TIMEOUT``), so a slow worker is never
  overtaken by a second one.
"""

from __future__ import annotations

import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from certflow import clock
from certflow.extensions import db
from certflow.models import OutboxMessage
from certflow.notifications import whatsapp
from certflow.notifications.mail import send_email
from certflow.notifications.messages import render_email, render_whatsapp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did; ``retry_in`` (seconds) when it should be tried again."""

    status: str
    attempt: int = 0
    retry_in: float | None = None


def retry_delay(attempt: int) -> float:
    """Exponential backoff with jitter: about base × 2^(attempt-1), capped, randomised in its upper half."""
    cfg = current_app.config
    ceiling = min(cfg["OUTBOX_RETRY_MAX_SECONDS"], cfg["OUTBOX_RETRY_BASE_SECONDS"] * 2 ** max(0, attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def claim(message_id: int) -> int | None:
    """Take ``message_id`` for one delivery attempt and commit; its attempt number, or None if not ours."""
    now = clock.now()
    lease = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    take = dict(status="sending", attempts=OutboxMessage.attempts + 1, lease_until=lease)
    attempt = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
        .values(**take)
        .returning(OutboxMessage.attempts)
    ).scalar()
    if attempt is None:  # an attempt whose worker died: its lease ran out
        attempt = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == "sending",
                OutboxMessage.lease_until < now,
            )
            .values(**take)
            .returning(OutboxMessage.attempts)
        ).scalar()
        if attempt is not None:
            log.warning(
                "outbox message %s: attempt %s was never confirmed; sending again (a duplicate is possible "
                "only if that attempt's SMTP server had already accepted it)",
                message_id,
                attempt - 1,
            )
    db.session.commit()
    return attempt


def _finish(message_id: int, attempt: int, **values) -> bool:
    """Record the outcome of ``attempt``, unless a newer attempt took the message over."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == attempt,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return done == 1


class NoConsent(Exception):
    """The recipient of a WhatsApp row withdrew their consent or number before it was sent."""


def permanent(exc: BaseException) -> bool:
    """Whether a sending error will not go away by retrying (the SMTP server said 5xx, the WhatsApp
    provider refused, the recipient no longer wants WhatsApp)."""
    if isinstance(exc, whatsapp.Refused | NoConsent):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def deliver(message_id: int) -> Outcome:
    """Claim, render, send and confirm one outbox message; safe to call any number of times."""
    attempt = claim(message_id)
    if attempt is None:
        return Outcome("skipped")
    try:
        msg = db.session.get(OutboxMessage, message_id)
        if msg.channel == whatsapp.CHANNEL:
            if not msg.recipient.wants_whatsapp:
                raise NoConsent("the recipient no longer has a WhatsApp number or consent")
            to, body, key = msg.recipient.whatsapp_number, render_whatsapp(msg), msg.key
            db.session.rollback()  # end the read transaction before talking to the provider
            whatsapp.send(to, body, key)
        else:
            email = render_email(msg)
            db.session.rollback()  # end the read transaction before talking to the mail server
            send_email(email)
    except Exception as exc:  # noqa: BLE001 - any failure is retried, or recorded as failed
        db.session.rollback()
        return _failed(message_id, attempt, exc)
    if not _finish(message_id, attempt, status="sent", sent_at=clock.now(), lease_until=None):
        log.warning("outbox message %s: sent by attempt %s after its lease was taken over", message_id, attempt)
    return Outcome("sent", attempt)


def _failed(message_id: int, attempt: int, exc: BaseException) -> Outcome:
    error = f"{type(exc).__name__}: {exc}"[:500]
    cfg = current_app.config
    if attempt >= cfg["OUTBOX_MAX_ATTEMPTS"] or permanent(exc):
        _finish(message_id, attempt, status="failed", last_error=error, lease_until=None)
        log.error("outbox message %s failed for good after %s attempt(s): %s", message_id, attempt, error)
        return Outcome("failed", attempt)
    delay = retry_delay(attempt)
    # The relay leaves the message to this retry until it is overdue by OUTBOX_RELAY_AFTER_SECONDS.
    due = clock.now() + timedelta(seconds=delay + cfg["OUTBOX_RELAY_AFTER_SECONDS"])
    _finish(message_id, attempt, status="pending", last_error=error, lease_until=due)
    log.warning("outbox message %s: attempt %s failed (%s); retrying in %.1fs", message_id, attempt, error, delay)
    return Outcome("retry", attempt, retry_in=delay)


def unconfirmed(limit: int | None = None, after_seconds: float | None = None) -> list[int]:
    """Mark and return the messages to queue again: pending and unconfirmed for too long, or with a lapsed lease.

    ``after_seconds`` overrides ``OUTBOX_RELAY_AFTER_SECONDS``, how long a message may stay unconfirmed.
    Each returned message is not returned again for that long, so relays
    running at once (or often) do not queue it twice. Commits.
    """
    cfg = current_app.config
    now = clock.now()
    after = timedelta(seconds=cfg["OUTBOX_RELAY_AFTER_SECONDS"] if after_seconds is None else after_seconds)
    due = or_(
        and_(
            OutboxMessage.status == "pending",
            or_(
                and_(OutboxMessage.lease_until.is_(None), OutboxMessage.created_at <= now - after),
                OutboxMessage.lease_until <= now,
            ),
        ),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )
    batch = (
        select(OutboxMessage.id)
        .where(due)
        .order_by(OutboxMessage.id)
        .limit(limit or cfg["OUTBOX_RELAY_BATCH"])
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(batch))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
            .values(lease_until=now + after)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return ids


def outbox_counts() -> dict[str, int]:
    """How many outbox messages are in each status (for the admin)."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    counts.update({status: n for status, n in rows})
    return counts


def requeue_failed() -> list[int]:
    """Put every failed message back to pending with fresh attempts; the ids, to queue after the commit."""
    ids = list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "failed")))
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "failed")
            .values(status="pending", attempts=0, lease_until=None)
            .execution_options(synchronize_session=False)
        )
    return ids
