"""Who hears of a transition, and the rows that tell them.

The recipients of every event are named in the workflow definitions
(``notify``); this module turns those names into users and writes, in the
transition's own transaction, an in-app notification and an outbox e-mail for
each. Celery sends the e-mails after the commit (``certflow.notifications``).
"""

from __future__ import annotations

from sqlalchemy import insert, or_, select

from certflow.extensions import db
from certflow.models import (
    Application,
    Assessor,
    Certificate,
    Dinas,
    Notification,
    OutboxMessage,
    TeamMember,
    TransitionLog,
    User,
    UserRole,
)
from certflow.notifications.dispatch import queue_after_commit


def _dinas_admins(dinas: Dinas) -> select:
    """Admins of the dinas itself, and of its province's dinas."""
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Dinas, Dinas.id == User.dinas_id)
        .where(
            UserRole.role == "dinas_admin",
            User.active.is_(True),
            or_(Dinas.id == dinas.id, (Dinas.province_id == dinas.province_id) & (Dinas.kind == "provinsi")),
        )
    )


def recipients(groups, *, application: Application | None = None, candidate_id: int, dinas: Dinas) -> list[int]:
    """The user ids of the named groups, each once, in a stable order."""
    ids: list[int] = []
    for group in groups:
        if group == "candidate":
            ids.append(candidate_id)
        elif group == "dinas_admins":
            ids.extend(db.session.scalars(_dinas_admins(dinas)))
        elif group == "team" and application is not None and application.team_id is not None:
            ids.extend(
                db.session.scalars(
                    select(Assessor.user_id)
                    .join(TeamMember, TeamMember.assessor_id == Assessor.id)
                    .where(TeamMember.team_id == application.team_id)
                )
            )
        elif group == "certifiers":
            ids.extend(
                db.session.scalars(
                    select(User.id)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(UserRole.role == "certifier", User.active.is_(True))
                )
            )
    return list(dict.fromkeys(ids))


_NOTIFICATIONS = insert(Notification.__table__)
_MESSAGES = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def notify_transition(
    log: TransitionLog,
    groups,
    *,
    application: Application | None = None,
    certificate: Certificate | None = None,
) -> list[int]:
    """Write an in-app notification and an outbox e-mail for every recipient of ``log``; the outbox ids.

    Two INSERTs of every recipient's row through statements built once (no ORM objects to track,
    nothing compiled per call); the outbox messages are handed to Celery once the transaction
    commits.
    """
    subject = application if application is not None else certificate.application
    user_ids = recipients(groups, application=application, candidate_id=subject.candidate_id, dinas=subject.dinas)
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
