"""What the candidate pages share: the blueprint, who may use it, loading one's own records."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import select

from certflow.candidate.records import own_applications
from certflow.extensions import db, login_manager
from certflow.models import Application, Document

bp = Blueprint("candidate", __name__, url_prefix="/candidate")


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
