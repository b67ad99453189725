"""Writing a transition down: the version check, the flush, the append-only log row.

Shared by ``certflow.applications.workflow`` (which fires events) and the effects
(``certflow.applications.effects``), some of which fire an event of another workflow
(an appeal resolved, a certificate superseded).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from certflow.extensions import db
from certflow.models import TransitionLog
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
    return log
