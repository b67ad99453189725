"""Writing a transition down: the version check, the flush, the append-only log row.

Shared by ``certflow.applications.workflow`` (which fires events) and the effects
(``certflow.applications.effects``), some of which fire an event of another workflow
(an appeal resolved, a certificate superseded).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm.exc import StaleDataError

from certflow.core.errors import StaleVersion
from certflow.extensions import db
from certflow.models import TransitionLog
from certflow.notifications.transitions import WrittenLog, in_one_statement, log_and_notify, notify_transition
from certflow.ops.metrics import count_transition
from workflows import Actor
from workflows.engine import Fired


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


# The versioned UPDATE of a record's table, built once per mapper: the SET clause is the parameters'
# (SQLAlchemy compiles and caches it per set of columns), the WHERE the optimistic lock (the record's
# id and the version it was read with); beside it the ``onupdate`` columns (``updated_at``) and the
# version's key.
_UPDATES: dict = {}


def _versioned_update(mapper) -> tuple:
    found = _UPDATES.get(mapper)
    if found is None:
        (pk,) = mapper.primary_key
        stmt = update(mapper.local_table).where(pk == bindparam("_pk"), mapper.version_id_col == bindparam("_read"))
        onupdate = tuple(c.key for c in mapper.local_table.columns if c.onupdate is not None and c.onupdate.is_callable)
        found = _UPDATES[mapper] = (stmt, onupdate, mapper.get_property_by_column(mapper.version_id_col).key)
    return found


def write_changes(record) -> None:
    """Write ``record``'s changed columns and its version bump with one Core UPDATE; the rest by a flush.

    The row the session's flush would write (``onupdate`` columns too) without its unit of work: the
    WHERE checks the version read, and no row updated is a concurrent change — ``StaleVersion``, as
    the flush's ``StaleDataError`` is. The record is then clean in the session, as after a flush. A
    record with a changed relationship (or new, or not versioned, or with keys that are not its
    columns' names) is left to the flush; the session is flushed after either way, for the other
    objects an effect changed.
    """
    state = inspect(record)
    mapper = state.mapper
    changed = tuple(state.committed_state)
    table = mapper.local_table.c
    if state.key is None or mapper.version_id_col is None or not changed or not all(k in table for k in changed):
        flush()
        return
    stmt, onupdate, version_key = _versioned_update(mapper)
    if version_key in changed:
        flush()
        return
    now = {k: table[k].onupdate.arg(None) for k in onupdate if k not in state.committed_state}
    values = {**{k: getattr(record, k) for k in changed}, **now, version_key: getattr(record, version_key) + 1}
    result = db.session.execute(stmt, {**values, "_pk": state.identity[0], "_read": values[version_key] - 1})
    if result.rowcount != 1:
        raise StaleVersion()
    # Clean in the session, as after a flush: the values written are the committed ones. (What the
    # unit of work does after its UPDATE; SQLAlchemy has no public call for it.)
    state.dict.update(values)
    state._commit_all(state.dict, state._instance_dict())
    flush()


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
