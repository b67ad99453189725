"""Reminders: writing each reminder once (who to tell: ``certflow.notifications.recipients``).

A reminder is an outbox e-mail and an in-app notification, like a transition's, but its
outbox key names what it reminds of and when (``reminder:cert:<id>:<days>:<user>``): rows
are inserted with ``ON CONFLICT DO NOTHING`` and the in-app notification is written only
for the rows that were new, so each reminder goes out once whoever inserts it first —
another worker at the same moment, or the same job run again.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from certflow import clock
from certflow.extensions import db
from certflow.models import Notification, OutboxMessage
from certflow.notifications.dispatch import queue_after_commit
from certflow.notifications.recipients import certifier_ids, dinas_admins_of, team_members_of
from certflow.notifications.whatsapp import with_copies

# Who to tell is decided in one place for transitions and reminders alike.
__all__ = ["add_reminders", "certifier_ids", "dinas_admins_of", "team_members_of"]


def _insert_ignoring_duplicates(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def add_reminders(reminders: list[dict]) -> int:
    """Write each reminder whose key is new: an outbox e-mail and an in-app notification; the number written.

    A reminder: ``key``, ``user``, ``event``, ``application`` (id or None), ``certificate``
    (id or None), ``params`` and optionally ``workflow`` (default ``reminder``). Two queries,
    whatever the number; delivery is queued after the commit.
    """
    if not reminders:
        return 0
    now = clock.now()
    rows = [
        {
            "key": r["key"],
            "recipient_id": r["user"],
            "event": r["event"],
            "workflow": r.get("workflow", "reminder"),
            "application_id": r.get("application"),
            "certificate_id": r.get("certificate"),
            "payload": r["params"],
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for r in {r["key"]: r for r in reminders}.values()
    ]
    stmt = (
        _insert_ignoring_duplicates(OutboxMessage)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.id, OutboxMessage.key)
    )
    written = {key: message_id for message_id, key in db.session.execute(stmt)}
    new = [row for row in rows if row["key"] in written]
    if new:
        db.session.execute(
            Notification.__table__.insert(),
            [
                {
                    "user_id": row["recipient_id"],
                    "event": row["event"],
                    "workflow": row["workflow"],
                    "application_id": row["application_id"],
                    "certificate_id": row["certificate_id"],
                    "params": row["payload"],
                    "created_at": now,
                }
                for row in new
            ],
        )
        queue_after_commit(db.session, with_copies(written[row["key"]] for row in new))
    return len(new)
