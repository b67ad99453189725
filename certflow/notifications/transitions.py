"""Who hears of a transition, and the rows that tell them.

The recipients of every event are named in the workflow definitions
(``notify``); ``certflow.notifications.recipients`` turns those names into users
and this module writes, in the
transition's own transaction, an in-app notification and an outbox e-mail for
each. Celery sends the e-mails after the commit (``certflow.notifications``).
"""

from __future__ import annotations

from sqlalchemy import insert

from certflow.extensions import db
from certflow.models import Application, Certificate, Notification, OutboxMessage, TransitionLog
from certflow.notifications.dispatch import queue_after_commit
from certflow.notifications.recipients import recipients

_NOTIFICATIONS = insert(Notification.__table__)
_MESSAGES = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def notify_transition(
    log: TransitionLog,
    groups,
    *,
    application: Application | None = None,
    certificate: Certificate | None = None,
    team_ids=None,
) -> list[int]:
    """Write an in-app notification and an outbox e-mail for every recipient of ``log``; the outbox ids.

    The group ``team`` is the members of ``team_ids`` (default: the application's team) —
    the caller passes the team an event released along with the one it assigned.

    Two INSERTs of every recipient's row through statements built once (no ORM objects to track,
    nothing compiled per call); the outbox messages are handed to Celery once the transaction
    commits.
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
