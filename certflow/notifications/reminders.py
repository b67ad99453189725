"""Reminders: who to tell, a batch at a time, and writing each reminder once.

A reminder is an outbox e-mail and an in-app notification, like a transition's, but its
outbox key names what it reminds of and when (``reminder:cert:<id>:<days>:<user>``): rows
are inserted with ``ON CONFLICT DO NOTHING`` and the in-app notification is written only
for the rows that were new, so each reminder goes out once whoever inserts it first —
another worker at the same moment, or the same job run again.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from certflow import clock
from certflow.extensions import db
from certflow.models import Assessor, Dinas, Notification, OutboxMessage, TeamMember, User, UserRole
from certflow.notifications.dispatch import queue_after_commit


def dinas_admins_of(dinas_ids) -> dict[int, list[int]]:
    """For each dinas id, its active dinas admins and those of its province's dinas (one query)."""
    target, admin_dinas = aliased(Dinas), aliased(Dinas)
    rows = db.session.execute(
        select(target.id, User.id)
        .join(
            admin_dinas,
            or_(
                admin_dinas.id == target.id,
                (admin_dinas.province_id == target.province_id) & (admin_dinas.kind == "provinsi"),
            ),
        )
        .join(User, User.dinas_id == admin_dinas.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(target.id.in_(set(dinas_ids)), UserRole.role == "dinas_admin", User.active.is_(True))
        .order_by(User.id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for dinas_id, user_id in rows:
        found[dinas_id].append(user_id)
    return found


def team_members_of(team_ids) -> dict[int, list[int]]:
    """For each team id, the user ids of its members (one query)."""
    rows = db.session.execute(
        select(TeamMember.team_id, Assessor.user_id)
        .join(Assessor, Assessor.id == TeamMember.assessor_id)
        .where(TeamMember.team_id.in_(set(team_ids)))
        .order_by(Assessor.user_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows:
        found[team_id].append(user_id)
    return found


def certifier_ids() -> list[int]:
    """Every active certifier (one query)."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "certifier", User.active.is_(True))
            .order_by(User.id)
        )
    )


def _insert_ignoring_duplicates(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def add_reminders(reminders: list[dict]) -> int:
    """Write each reminder whose key is new: an outbox e-mail and an in-app notification; the number written.

    A reminder: ``key``, ``user``, ``event``, ``application`` (id or None), ``certificate``
    (id or None) and ``params``. Two queries, whatever the number; delivery is queued after
    the commit.
    """
    if not reminders:
        return 0
    now = clock.now()
    rows = [
        {
            "key": r["key"],
            "recipient_id": r["user"],
            "event": r["event"],
            "workflow": "reminder",
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
                    "workflow": "reminder",
                    "application_id": row["application_id"],
                    "certificate_id": row["certificate_id"],
                    "params": row["payload"],
                    "created_at": now,
                }
                for row in new
            ],
        )
        queue_after_commit(db.session, [written[row["key"]] for row in new])
    return len(new)
