"""Writing a transition down: the version check, the flush, the append-only log row.

Shared by ``certflow.applications.workflow`` (which fires events) and the effects
(``certflow.applications.effects``), some of which fire an event of another workflow
(an appeal resolved, a certificate superseded).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm.exc import StaleDataError

from certflow.extensions import db
from certflow.models import TransitionLog
from certflow.notifications.transitions import WrittenLog, in_one_statement, log_and_notify, notify_transition
from certflow.ops.metrics import count_transition
from workflows import Actor, WorkflowError
from workflows.engine import Fired
from workflows.guards import Msg


class StaleVersion(WorkflowError):
    """The record changed since the caller read it."""

    code = "stale_version"

    def __init__(self):
        super().__init__(Msg("The record was changed by someone else; reload it and try again."))


def check_version(record, version: Any) -> None:
    """Raise ``StaleVersion`` unless ``version`` (if given) is the record's version."""
    if version is None:
        return
    try:
        expected = int(version)
    except (TypeError, ValueError, OverflowError):
        raise StaleVersion() from None
    if expected != record.version:
        raise StaleVersion()


def flush() -> None:
    """Flush the session; a concurrent change of a versioned record raises ``StaleVersion``."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleVersion() from None


def log_transition(
    fired: Fired, subject_id: int, application_id: int | None, actor: Actor, reason, data, at
) -> TransitionLog:
    """Add the transition-log row of ``fired`` (who, when, from, to, event, reason, version)."""
    log = TransitionLog(
        workflow=fired.workflow,
        workflow_version=fired.version,
        subject_id=subject_id,
        application_id=application_id,
        actor_id=actor.id,
        event=fired.event,
        from_state=fired.source,
        to_state=fired.dest,
        reason=(reason or None),
        data=data or None,
        at=at,
    )
    db.session.add(log)
    count_transition(db.session, fired.workflow, fired.event)
    return log


# The log row of the event a request fires, written by a statement built once: the row is never
# changed (append-only), so there is nothing for the session to track, and the unit of work's flush
# is left with the record's UPDATE alone.
_INSERT_LOG = insert(TransitionLog.__table__).returning(TransitionLog.__table__.c.id)


def write_transition(
    fired: Fired, subject_id: int, application_id: int | None, actor: Actor, reason, data, at, *, notify=None, **subject
) -> WrittenLog:
    """Insert the transition-log row of ``fired`` now (after the record's flush) and return it.

    The same row as ``log_transition`` writes, in the same transaction, without an ORM object. With
    ``notify`` (the recipient groups; ``subject``: ``application=``, ``certificate=``, ``team_ids=``
    as ``notify_transition`` takes them) its notifications too: on PostgreSQL in the same statement.
    """
    reason = reason or None
    count_transition(db.session, fired.workflow, fired.event)
    log = WrittenLog(None, fired.workflow, fired.event, fired.source, fired.dest, reason, at)
    if notify is not None and in_one_statement():
        # The row's application is the subject's (the application, or the certificate's).
        row = {"workflow_version": fired.version, "subject_id": subject_id, "actor_id": actor.id, "data": data or None}
        return replace(log, id=log_and_notify(log, row, notify, **subject))
    log_id = db.session.execute(
        _INSERT_LOG,
        {
            "workflow": fired.workflow,
            "workflow_version": fired.version,
            "subject_id": subject_id,
            "application_id": application_id,
            "actor_id": actor.id,
            "event": fired.event,
            "from_state": fired.source,
            "to_state": fired.dest,
            "reason": reason,
            "data": data or None,
            "at": at,
        },
    ).scalar_one()
    log = replace(log, id=log_id)
    if notify is not None:
        notify_transition(log, notify, **subject)
    return log
