"""What the candidate pages share: the blueprint, who may use it, loading one's own records, committing."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from certflow.candidate.records import own_applications
from certflow.extensions import db, login_manager
from certflow.models import Application, Document
from certflow.services.applications import ServiceError

bp = Blueprint("candidate", __name__, url_prefix="/candidate")

# A refused form re-renders with what was typed; the status says why.
SERVICE_STATUS = {"validation_error": 422, "too_large": 422, "not_editable": 409, "forbidden": 403}


@bp.before_request
def _candidates_only():
    """Visitors log in first; only people with the candidate role use these pages (others: 403)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role("candidate"):
        abort(403)
    return None


def own_application_or_404(application_id: int) -> Application:
    """The candidate's own application; anybody else's is "not found", whatever the candidate's other roles."""
    app = db.session.scalar(own_applications(current_user).where(Application.id == application_id))
    if app is None:
        abort(404)
    return app


def own_document_or_404(document_id: int) -> Document:
    """A document of one of the candidate's own applications, else 404."""
    doc = db.session.scalar(
        select(Document)
        .join(Application, Application.id == Document.application_id)
        .where(Document.id == document_id, Application.candidate_id == current_user.id)
    )
    if doc is None:
        abort(404)
    return doc


def commit() -> str | None:
    """Commit the request's one transaction; a message instead if someone changed the record meanwhile."""
    try:
        db.session.commit()
        return None
    except (StaleDataError, IntegrityError):
        db.session.rollback()
    except OperationalError as exc:
        db.session.rollback()
        if "database is locked" not in str(exc):  # SQLite: another writer held the lock
            raise
    return _("The application was changed at the same time (in another window?). Reload the page and try again.")


def service_message(exc: ServiceError) -> str:
    """A service's refusal in plain words: the message of each bad field, else the whole message."""
    return " ".join(exc.details.values()) if exc.details else exc.message


def service_status(exc: ServiceError) -> int:
    """The status of a page refusing what a service refused."""
    return SERVICE_STATUS.get(exc.code, 422)
