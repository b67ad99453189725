"""Who hears of a transition, and the rows that tell them.

The recipients of every event are named in the workflow definitions
(``notify``); ``certflow.notifications.recipients`` turns those names into users
and this module writes, in the
transition's own transaction, an in-app notification and an outbox e-mail for
each. Celery sends the e-mails after the commit (``certflow.notifications``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Integer, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from certflow.extensions import db
from certflow.models import Application, Certificate, Notification, OutboxMessage
from certflow.models.types import UTCDateTime
from certflow.notifications.dispatch import queue_after_commit
from certflow.notifications.recipients import recipients


class LoggedTransition(Protocol):
    """What the notifications of a transition are made of: a ``TransitionLog`` row, or one written without the ORM."""

    id: int
    workflow: str
    event: str
    from_state: str
    to_state: str
    reason: str | None
    at: datetime


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
).bindparams(
    bindparam("user_ids", type_=ARRAY(Integer)),
    bindparam("params", type_=JSONB()),
    bindparam("created_at", type_=UTCDateTime()),
    bindparam("application_id", type_=Integer()),
    bindparam("certificate_id", type_=Integer()),
)


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
    subject = application if application is not None else certificate.application
    if team_ids is None:
        team_ids = (application.team_id,) if application is not None and application.team_id is not None else ()
    user_ids = recipients(groups, candidate_id=subject.candidate_id, dinas_id=subject.dinas_id, team_ids=team_ids)
    if not user_ids:
        return []
    params = {"from": log.from_state, "to": log.to_state, "reason": log.reason}
    if certificate is not None:
        params["number"] = certificate.number
    about = {
        "event": log.event,
        "workflow": log.workflow,
        "application_id": subject.id,
        "certificate_id": certificate.id if certificate is not None else None,
        "created_at": log.at,
    }
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(
            db.session.scalars(
                _BOTH_PG, {"user_ids": list(user_ids), "params": params, "key_prefix": f"transition:{log.id}:", **about}
            )
        )
        queue_after_commit(db.session, ids)
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
    queue_after_commit(db.session, ids)
    return ids
