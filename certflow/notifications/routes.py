"""Pages of notifications: the in-app list behind the header's bell, and marking as read.

A system admin also sees how e-mail delivery is doing (messages waiting, failed for good)
and can queue the failed ones again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from certflow import clock
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Notification, OutboxMessage, User
from certflow.notifications import delivery
from certflow.notifications.dispatch import queue_after_commit
from certflow.notifications.messages import event_title, notification_text
from certflow.web.util import page_number

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PER_PAGE = 20
FAILED_SHOWN = 20


def _delivery_panel() -> dict | None:
    """For a system admin: the outbox's counts and the latest failed messages, with their recipients."""
    if not current_user.has_role("admin"):
        return None
    failed = db.session.execute(
        select(OutboxMessage, User.email)
        .join(User, User.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(FAILED_SHOWN)
    ).all()
    rows = [(msg, email, event_title(msg.event)) for msg, email in failed]
    return {"counts": delivery.outbox_counts(), "failed": rows}


@bp.get("/")
@login_required
def index():
    """The user's notifications, newest first, a page at a time; unread ones marked."""
    mine = Notification.user_id == current_user.id
    total = db.session.scalar(select(func.count(Notification.id)).where(mine))
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(), pages)
    items = db.session.scalars(
        select(Notification)
        .where(mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    rows = [
        {
            "n": n,
            "title": event_title(n.event),
            "text": notification_text(n.event, n.application_id, n.params or {}),
        }
        for n in items
    ]
    return render_template(
        "notifications/index.html", rows=rows, total=total, page=page, pages=pages, panel=_delivery_panel()
    )


def _back() -> str:
    page = page_number()
    return url_for("notifications.index", page=page if page > 1 else None)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one of the user's notifications read (someone else's is a 404)."""
    n = db.session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == current_user.id)
    )
    if n is None:
        abort(404)
    with unit_of_work():
        if n.read_at is None:
            n.read_at = clock.now()
    return redirect(_back(), 303)


@bp.post("/read-all")
@login_required
def read_all():
    """Mark every unread notification of the user read."""
    with unit_of_work():
        marked = db.session.execute(
            update(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
            .execution_options(synchronize_session=False)
        ).rowcount
    flash(ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", marked), "success")
    return redirect(_back(), 303)


@bp.post("/outbox/retry")
@login_required
def retry_failed():
    """System admin: queue every e-mail that failed for good again, with fresh attempts."""
    if not current_user.has_role("admin"):
        abort(403)
    with unit_of_work():
        ids = delivery.requeue_failed()
        queue_after_commit(db.session, ids)
    flash(_("%(num)d failed e-mail(s) queued again.", num=len(ids)), "success")
    return redirect(url_for("notifications.index"), 303)
