"""Who hears of a transition, and the rows that tell them.

The recipients of every event are named in the workflow definitions
(``notify``); ``certflow.notifications.recipients`` turns those names into users
and this module writes, in the
transition's own transaction, an in-app notification and an outbox e-mail for
each (and a WhatsApp row for those who want one: ``certflow.notifications.whatsapp``).
Celery sends them after the commit (``certflow.notifications``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, Integer, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from certflow.extensions import db
from certflow.models import Application, Certificate, Notification, OutboxMessage, TransitionLog
from certflow.models.types import UTCDateTime
from certflow.notifications.dispatch import queue_after_commit
from certflow.notifications.recipients import recipients
from certflow.notifications.whatsapp import with_copies


@dataclass(frozen=True, slots=True)
class WrittenLog:
    """A transition-log row as written without the ORM (what its notifications are made of)."""

    id: int | None
    workflow: str
    event: str
    from_state: str
    to_state: str
    reason: str | None
    at: datetime


# What the notifications of a transition are made of: a ``TransitionLog`` row, or one written by statement.
LoggedTransition = TransitionLog | WrittenLog


def _typed(*extra: BindParameter) -> tuple[BindParameter, ...]:
    """The typed parameters both multi-row statements share (fresh for each statement), and ``extra``."""
    return (
        bindparam("user_ids", type_=ARRAY(Integer)),
        bindparam("params", type_=JSONB()),
        bindparam("created_at", type_=UTCDateTime()),
        bindparam("application_id", type_=Integer()),
        bindparam("certificate_id", type_=Integer()),
        *extra,
    )


_NOTIFICATIONS = insert(Notification.__table__)
_MESSAGES = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)

# PostgreSQL: both kinds of row in one statement (one round trip), the recipients as one array; the
# outbox ids come back in the recipients' order. Text built once, so nothing is compiled per call.
_BOTH_PG = text(
    "WITH r AS (SELECT u, i FROM unnest(:user_ids) WITH ORDINALITY AS t(u, i)), "
    "n AS (INSERT INTO notifications (user_id, event, workflow, application_id, certificate_id, params, read_at, "
    "created_at) SELECT u, :event, :workflow, :application_id, :certificate_id, :params, NULL, :created_at FROM r) "
    "INSERT INTO outbox (key, recipient_id, event, workflow, application_id, certificate_id, payload, status, "
    "attempts, created_at) SELECT :key_prefix || u, u, :event, :workflow, :application_id, :certificate_id, "
    ":params, 'pending', 0, :created_at FROM r ORDER BY i RETURNING id"
).bindparams(*_typed())

# PostgreSQL, when nothing has to happen between the two: the transition-log row too, in the same
# statement (the outbox keys name the row's id). One row of the log's id and the outbox ids.
_LOG_AND_BOTH_PG = text(
    "WITH l AS (INSERT INTO transition_logs (workflow, workflow_version, subject_id, application_id, actor_id, "
    "event, from_state, to_state, reason, data, at) VALUES (:workflow, :workflow_version, :subject_id, "
    ":application_id, :actor_id, :event, :from_state, :to_state, :reason, :data, :created_at) RETURNING id), "
    "r AS (SELECT u, i FROM unnest(:user_ids) WITH ORDINALITY AS t(u, i)), "
    "n AS (INSERT INTO notifications (user_id, event, workflow, application_id, certificate_id, params, read_at, "
    "created_at) SELECT u, :event, :workflow, :application_id, :certificate_id, :params, NULL, :created_at FROM r), "
    "o AS (INSERT INTO outbox (key, recipient_id, event, workflow, application_id, certificate_id, payload, status, "
    "attempts, created_at) SELECT 'transition:' || l.id || ':' || u, u, :event, :workflow, :application_id, "
    ":certificate_id, :params, 'pending', 0, :created_at FROM r, l RETURNING id) "
    "SELECT (SELECT id FROM l), ARRAY(SELECT id FROM o)"
).bindparams(*_typed(bindparam("data", type_=JSONB()), bindparam("actor_id", type_=Integer())))


def _rows(log, groups, application, certificate, team_ids) -> tuple[list[int], dict, dict]:
    """The recipients of a transition, the parameters of its messages, what they are about."""
    subject = application if application is not None else certificate.application
    if team_ids is None:
        team_ids = (application.team_id,) if application is not None and application.team_id is not None else ()
    user_ids = recipients(groups, candidate_id=subject.candidate_id, dinas_id=subject.dinas_id, team_ids=team_ids)
    params = {"from": log.from_state, "to": log.to_state, "reason": log.reason}
    if certificate is not None:
        params["number"] = certificate.number
        if log.to_state == "suspended" and certificate.suspended_until is not None:
            params["until"] = certificate.suspended_until.isoformat()  # the holder is told until when
    about = {
        "event": log.event,
        "workflow": log.workflow,
        "application_id": subject.id,
        "certificate_id": certificate.id if certificate is not None else None,
        "created_at": log.at,
    }
    return user_ids, params, about


def in_one_statement() -> bool:
    """Whether a transition's log row and messages can be written by one statement (PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


def log_and_notify(
    log: LoggedTransition,
    logged: dict,
    groups,
    *,
    application: Application | None = None,
    certificate: Certificate | None = None,
    team_ids=None,
) -> int:
    """Write the transition-log row ``log`` (its ``id`` unused) and its messages in one statement; the row's id.

    ``logged``: the row's other columns (``workflow_version``, ``subject_id``, ``actor_id``, ``data``;
    its ``application_id`` is the subject's). PostgreSQL only (``in_one_statement``): the same rows
    as ``write_transition`` then ``notify_transition`` write, in the same order.
    """
    user_ids, params, about = _rows(log, groups, application, certificate, team_ids)
    row = db.session.execute(
        _LOG_AND_BOTH_PG,
        {
            "user_ids": user_ids,
            "params": params,
            "from_state": log.from_state,
            "to_state": log.to_state,
            "reason": log.reason,
            **logged,
            **about,
        },
    ).one()
    queue_after_commit(db.session, with_copies(sorted(row[1])))  # the sequence's order: the recipients' order
    return row[0]


def notify_transition(
    log: LoggedTransition,
    groups,
    *,
    application: Application | None = None,
    certificate: Certificate | None = None,
    team_ids=None,
) -> list[int]:
    """Write an in-app notification and an outbox e-mail for every recipient of ``log``; the outbox ids.

    The group ``team`` is the members of ``team_ids`` (default: the application's team) —
    the caller passes the team an event released along with the one it assigned.

    Every recipient's rows through statements built once (no ORM objects to track, nothing compiled
    per call): on PostgreSQL one statement for both tables, elsewhere two INSERTs; the outbox
    messages are handed to Celery once the transaction commits.
    """
    user_ids, params, about = _rows(log, groups, application, certificate, team_ids)
    if not user_ids:
        return []
    if in_one_statement():
        ids = list(
            db.session.scalars(
                _BOTH_PG, {"user_ids": list(user_ids), "params": params, "key_prefix": f"transition:{log.id}:", **about}
            )
        )
        queue_after_commit(db.session, with_copies(ids))
        return ids
    db.session.execute(
        _NOTIFICATIONS, [{"user_id": uid, "params": params, "read_at": None, **about} for uid in user_ids]
    )
    ids = list(
        db.session.scalars(
            _MESSAGES,
            [
                {
                    "key": f"transition:{log.id}:{uid}",
                    "recipient_id": uid,
                    "payload": params,
                    "status": "pending",
                    "attempts": 0,
                    **about,
                }
                for uid in user_ids
            ],
        )
    )
    queue_after_commit(db.session, with_copies(ids))
    return ids
