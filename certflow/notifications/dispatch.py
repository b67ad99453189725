"""After a commit, hand each new outbox message to Celery.

Outbox rows are written in the transaction of the change they report; only
once that transaction commits is a task queued for each. If the broker is
down the rows stay pending and the relay (a beat task) queues them later.

The delivery task is queued by its name through the application's Celery, never by importing
``certflow.notifications.tasks``: the tasks run the scheduled jobs, which fire workflow events,
which write notifications — importing the tasks here would close that loop.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from certflow.models import OutboxMessage

log = logging.getLogger(__name__)

DELIVER_TASK = "certflow.notifications.tasks.deliver_outbox"  # the task's name (it is registered under it)


def queue_after_commit(session: Session, message_ids) -> None:
    """Queue delivery of ``message_ids`` (written without the ORM, e.g. by a bulk insert) once ``session`` commits."""
    session.info.setdefault("outbox_pending", []).extend(message_ids)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, flush_context) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        queue_after_commit(session, new)


@event.listens_for(Session, "after_commit")
def _dispatch(session: Session) -> None:
    pending = session.info.pop("outbox_pending", [])
    if not pending or not has_app_context() or not current_app.config.get("OUTBOX_DISPATCH", True):
        return
    celery = current_app.extensions.get("celery")
    if celery is None:  # an application without Celery (a script): the relay queues them later
        return
    for message_id in dict.fromkeys(pending):
        try:
            celery.signature(DELIVER_TASK, args=(message_id,)).delay()
        except Exception:  # noqa: BLE001 - the relay will queue it later
            log.warning("could not queue outbox message %s; the relay will retry", message_id, exc_info=True)
            break


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("outbox_pending", None)
