"""WhatsApp beside e-mail: the one adapter to the provider's HTTP API, and the outbox rows it delivers.

Configured per deployment with ``WHATSAPP_API_URL`` and ``WHATSAPP_TOKEN`` (both unset: no
WhatsApp at all, no row written). A person is sent WhatsApp messages only with a number on their
profile *and* their consent (``User.wants_whatsapp``), checked when the rows are written and again
when one is delivered (a consent withdrawn meanwhile sends nothing).

The rows: a WhatsApp copy of an e-mail's outbox row, written in the same transaction by one
``INSERT … SELECT`` (``add_copies``), key ``<e-mail key>:whatsapp``, ``channel='whatsapp'``. They
go through the same claim / lease / fenced confirmation as e-mail (``certflow.notifications.delivery``).

The provider is asked ``POST WHATSAPP_API_URL`` with ``Authorization: Bearer WHATSAPP_TOKEN``,
``Idempotency-Key: <outbox key>`` and ``{"to": "+62…", "type": "text", "text": {"body": "…"}}``.
Its answers: 2xx sent; 4xx a refusal (``Refused``: not retried, recorded as failed with the
provider's words); 5xx, a time-out (``WHATSAPP_TIMEOUT``) or no connection (``Unavailable``):
retried with backoff like e-mail, then failed. A retry after a time-out carries the same
idempotency key, so a provider that had received the first request sends it once.
"""

from __future__ import annotations

import re

import requests
from flask import current_app
from sqlalchemy import insert, literal, select

from certflow.extensions import db
from certflow.models import OutboxMessage, User

CHANNEL = "whatsapp"
KEY_SUFFIX = ":whatsapp"
NO_WHATSAPP_WORKFLOWS = ("account",)  # set-password links go by e-mail only

_SEPARATORS = re.compile(r"[\s\-.()/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_INDONESIAN_MOBILE = re.compile(r"^\+628\d{7,11}$")


class WhatsAppError(Exception):
    """The provider did not take a message."""


class Refused(WhatsAppError):
    """The provider refused the message (4xx): sending it again would be refused again."""


class Unavailable(WhatsAppError):
    """The provider could not be reached, timed out or failed (5xx): worth another try later."""


def enabled() -> bool:
    """Whether this deployment sends WhatsApp messages (a provider URL and token are configured)."""
    cfg = current_app.config
    return bool(cfg.get("WHATSAPP_API_URL")) and bool(cfg.get("WHATSAPP_TOKEN"))


def normalise_number(text: str) -> str | None:
    """``text`` as an E.164 number (``08…``, ``62…`` and ``+62…`` as ``+62…``), or None if it is none.

    An Indonesian number must be a mobile one (``+628…``, 10 to 14 digits), which WhatsApp needs.
    """
    digits = _SEPARATORS.sub("", text or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+62" + digits[1:]
    elif digits.startswith("62"):
        digits = "+" + digits
    if not _E164.match(digits):
        return None
    if digits.startswith("+62") and not _INDONESIAN_MOBILE.match(digits):
        return None
    return digits


def add_copies(email_ids) -> list[int]:
    """Write a WhatsApp row beside each of the e-mail rows ``email_ids`` whose recipient wants WhatsApp.

    One statement whatever the number, in the caller's transaction; the new rows' ids (to queue
    after the commit). Nothing when WhatsApp is not configured.
    """
    ids = list(email_ids)
    if not ids or not enabled():
        return []
    o, u = OutboxMessage.__table__, User.__table__
    columns = [
        "key",
        "recipient_id",
        "event",
        "workflow",
        "application_id",
        "certificate_id",
        "payload",
        "status",
        "attempts",
        "created_at",
        "channel",
    ]
    rows = (
        select(
            o.c.key + KEY_SUFFIX,
            o.c.recipient_id,
            o.c.event,
            o.c.workflow,
            o.c.application_id,
            o.c.certificate_id,
            o.c.payload,
            literal("pending"),
            literal(0),
            o.c.created_at,
            literal(CHANNEL),
        )
        .join(u, u.c.id == o.c.recipient_id)
        .where(
            o.c.id.in_(ids),
            o.c.channel == "email",
            o.c.workflow.not_in(NO_WHATSAPP_WORKFLOWS),
            u.c.whatsapp_number.is_not(None),
            u.c.whatsapp_consent_at.is_not(None),
            u.c.active.is_(True),
        )
        .order_by(o.c.id)
    )
    return list(db.session.scalars(insert(o).from_select(columns, rows).returning(o.c.id)))


def with_copies(email_ids) -> list[int]:
    """``email_ids`` and the ids of their WhatsApp copies (``add_copies``)."""
    ids = list(email_ids)
    return ids + add_copies(ids)


def send(to: str, body: str, key: str) -> str:
    """Ask the provider to send ``body`` to ``to`` once (``key`` is the idempotency key); its message id.

    Raises ``Refused`` (4xx) or ``Unavailable`` (5xx, time-out, no connection).
    """
    cfg = current_app.config
    try:
        answer = requests.post(
            cfg["WHATSAPP_API_URL"],
            json={"to": to, "type": "text", "text": {"body": body}},
            headers={"Authorization": f"Bearer {cfg['WHATSAPP_TOKEN']}", "Idempotency-Key": key},
            timeout=cfg.get("WHATSAPP_TIMEOUT", 10),
        )
    except requests.Timeout as exc:
        raise Unavailable(f"no answer within {cfg.get('WHATSAPP_TIMEOUT', 10)}s") from exc
    except requests.RequestException as exc:
        raise Unavailable(f"could not reach the provider: {type(exc).__name__}") from exc
    if 200 <= answer.status_code < 300:
        try:
            return str(answer.json().get("id", ""))
        except ValueError:
            return ""
    said = answer.text[:300]
    if 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
        raise Refused(f"HTTP {answer.status_code}: {said}")
    raise Unavailable(f"HTTP {answer.status_code}: {said}")
