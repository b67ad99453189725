"""API: the caller's own in-app notifications (see ../shared/API.md)."""

from __future__ import annotations

from flask_babel import force_locale, get_locale
from sqlalchemy import func, select, update

from certflow import clock
from certflow.api import bp
from certflow.api.auth import current_api_user, paginate
from certflow.api.errors import ApiError
from certflow.api.schemas import activity as s
from certflow.api.spec import answer, operation, query
from certflow.extensions import db
from certflow.models import Notification
from certflow.notifications.messages import notification_text
from workflows.guards import N_

TAG = "Notifications"


def notification_out(n: Notification) -> s.NotificationOut:
    """One notification, its message in the current language."""
    params = n.params or {}
    return s.NotificationOut(
        id=n.id,
        event=n.event,
        workflow=n.workflow,
        application=n.application_id,
        certificate=params.get("number"),
        message=notification_text(n.event, n.application_id, params),
        created_at=n.created_at,
        read=n.read_at is not None,
        read_at=n.read_at,
    )


def _caller_locale() -> str:
    """The caller's language: their profile's, else what the request negotiated."""
    return current_api_user().locale or str(get_locale() or "id")


def _unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


@bp.get("/notifications")
@operation(query=s.NotificationQuery, resp=s.NotificationPage, tag=TAG)
def list_notifications():
    """The caller's notifications, newest first; ``?unread=true`` only unread ones, ``false`` only read ones."""
    user = current_api_user()
    args = query()
    stmt = select(Notification).where(Notification.user_id == user.id)
    if args.unread is not None:
        read_at = Notification.read_at
        stmt = stmt.where(read_at.is_(None) if args.unread else read_at.is_not(None))
    order = stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
    items, total, page, per_page = paginate(order, args)
    with force_locale(_caller_locale()):
        items = [notification_out(n) for n in items]
    unread = _unread_count(user.id)
    return answer(s.NotificationPage(items=items, total=total, page=page, per_page=per_page, unread=unread))


@bp.post("/notifications/<int:notification_id>/read")
@operation(resp=s.NotificationRead, errors=(404,), tag=TAG)
def read_notification(notification_id: int):
    """Mark one of the caller's notifications read (another's is a 404)."""
    user = current_api_user()
    n = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if n is None:
        raise ApiError(404, "not_found", N_("Not found."))
    if n.read_at is None:
        n.read_at = clock.now()
    db.session.commit()
    return answer(s.NotificationRead(id=n.id, read=True, read_at=n.read_at))


@bp.post("/notifications/read-all")
@operation(resp=s.NotificationsRead, tag=TAG)
def read_all_notifications():
    """Mark every unread notification of the caller read."""
    user = current_api_user()
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return answer(s.NotificationsRead(marked=result.rowcount, unread=0))
