"""What every page template can use: label filters, dates in the reader's language, the header's data."""

from __future__ import annotations

from datetime import date, datetime

from flask import g
from flask_babel import format_date, format_datetime
from flask_login import current_user
from sqlalchemy import func, select

from certflow.clock import LOCAL_TZ
from certflow.extensions import db
from certflow.models import Notification
from certflow.people.policy import TEMPLATE_CHECKS
from certflow.web.events import event_def
from certflow.web.labels import TEMPLATE_FILTERS, role_label
from certflow.web.routes import bp
from certflow.web.util import LANGUAGES, current_path, with_lang
from workflows.guards import parse_date

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


@bp.record_once
def _register_filters(state) -> None:
    state.app.jinja_env.filters.update(TEMPLATE_FILTERS)
    state.app.jinja_env.filters["when"] = when
    state.app.jinja_env.filters["day"] = day
    state.app.jinja_env.filters["event_def"] = event_def  # an event's definition: inputs, confirmation


def when(value: datetime | None, style: str = "medium") -> str:
    """A moment in the reader's language and in Indonesian western time (WIB)."""
    return format_datetime(value, style) if value is not None else ""


def day(value: date | datetime | str | None, style: str = "long") -> str:
    """A date (or a 'YYYY-MM-DD' string, as the transition log keeps it) in the reader's language."""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    parsed = parse_date(value)
    return format_date(parsed, style) if parsed is not None else (value or "")


def unread_notifications() -> int:
    """How many of the user's in-app notifications are unread (one query, once per request)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)
            )
        )
    return g.unread_notifications


def user_roles() -> list[str]:
    """The current user's roles, translated and sorted."""
    if not current_user.is_authenticated:
        return []
    return sorted(role_label(r) for r in current_user.roles)


@bp.app_context_processor
def _page_context() -> dict:
    return {
        "unread_notifications": unread_notifications,
        "user_roles": user_roles,
        "current_path": current_path,
        "with_lang": with_lang,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        **TEMPLATE_CHECKS,  # "may this user …": the same functions the views and the API call
    }
