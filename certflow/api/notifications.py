"""API: the caller's own in-app notifications (see ../shared/API.md)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import force_locale, get_locale, gettext
from sqlalchemy import func, select, update

from certflow import clock
from certflow.api import bp
from certflow.api.auth import current_api_user, paginate
from certflow.api.errors import ApiError
from certflow.extensions import db
from certflow.models import Notification
from certflow.notifications.messages import notification_text

_BOOLEAN = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def notification_json(n: Notification) -> dict:
    """One notification, its message in the current language."""
    params = n.params or {}
    return {
        "id": n.id,
        "event": n.event,
        "workflow": n.workflow,
        "application": n.application_id,
        "certificate": params.get("number"),
        "message": notification_text(n.event, n.application_id, params),
        "created_at": n.created_at.isoformat(),
        "read": n.read_at is not None,
        "read_at": n.read_at.isoformat() if n.read_at else None,
    }


def _caller_locale() -> str:
    """The caller's language: their profile's, else what the request negotiated."""
    return current_api_user().locale or str(get_locale() or "id")


def _unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


@bp.get("/notifications")
def list_notifications():
    """The caller's notifications, newest first; ``?unread=true`` only unread ones, ``false`` only read ones."""
    user = current_api_user()
    stmt = select(Notification).where(Notification.user_id == user.id)
    unread = request.args.get("unread")
    if unread not in (None, ""):
        if unread.lower() not in _BOOLEAN:
            raise ApiError(422, "validation_error", gettext("unread must be true or false."))
        read_at = Notification.read_at
        stmt = stmt.where(read_at.is_(None) if _BOOLEAN[unread.lower()] else read_at.is_not(None))
    items, total, page, per_page = paginate(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()))
    with force_locale(_caller_locale()):
        body = [notification_json(n) for n in items]
    return jsonify(
        {"items": body, "total": total, "page": page, "per_page": per_page, "unread": _unread_count(user.id)}
    )


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    """Mark one of the caller's notifications read (another's is a 404)."""
    user = current_api_user()
    n = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if n is None:
        raise ApiError(404, "not_found", gettext("Not found."))
    if n.read_at is None:
        n.read_at = clock.now()
    db.session.commit()
    return jsonify({"id": n.id, "read": True, "read_at": n.read_at.isoformat()})


@bp.post("/notifications/read-all")
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
    return jsonify({"marked": result.rowcount, "unread": 0})
