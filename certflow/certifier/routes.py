"""Pages of certifiers: the decision queue, the whole record, appeals, certificate lifecycle.

A certifier decides with the whole record in front of them; the engine refuses a decision by a
certifier who is on the team or scored the candidate (``independent``), and an appeal to the
certifier who took the decision appealed (``appeal_handler``): such a post is a 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from certflow.assessor.common import METHOD_LABELS, PER_PAGE, only_for, send_document
from certflow.certifier.record import APPEAL_EVENTS, CERTIFIER_EVENTS, involvement, open_appeals, record_context
from certflow.extensions import db
from certflow.models import Application, Document
from certflow.people.policy import get_visible_application, may_read_documents
from certflow.web.events import fire_from_form
from certflow.web.util import page_number

bp = Blueprint("certifier", __name__, url_prefix="/certifier")
only_for(bp, "certifier")


def _page_of(stmt, order) -> tuple[list[Application], int, int, int]:
    """One page of ``stmt``: (items, total, page, pages)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(), pages)
    items = db.session.scalars(stmt.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return items, total, page, pages


@bp.get("/")
def decisions():
    """The applications waiting for a decision (``assessed``), the longest waiting first."""
    stmt = select(Application).options(joinedload(Application.team)).where(Application.state == "assessed")
    items, total, page, pages = _page_of(stmt, (Application.state_changed_at, Application.id))
    return render_template(
        "certifier/decisions.html",
        applications=items,
        involved=involvement(current_user, items),
        total=total,
        page=page,
        pages=pages,
    )


@bp.get("/appeals")
def appeals():
    """The applications under appeal, with the appeal's reason and the decision appealed, oldest first."""
    stmt = select(Application).options(joinedload(Application.team)).where(Application.state == "under_appeal")
    items, total, page, pages = _page_of(stmt, (Application.state_changed_at, Application.id))
    return render_template(
        "certifier/appeals.html",
        applications=items,
        appeals=open_appeals(items),
        involved=involvement(current_user, items),
        total=total,
        page=page,
        pages=pages,
    )


def _visible_or_404(application_id: int) -> Application:
    app = get_visible_application(current_user, application_id)
    if app is None:
        abort(404)
    return app


def _record_page(app: Application, *, error=None, failed=None, values=None, status=200):
    return (
        render_template(
            "certifier/record.html",
            error=error,
            failed=failed,
            values=values or {},
            method_labels=METHOD_LABELS,
            **record_context(app, current_user),
        ),
        status,
    )


@bp.get("/applications/<int:application_id>")
def record(application_id: int):
    """The whole record of an application, with the decisions this certifier may take."""
    return _record_page(_visible_or_404(application_id))


@bp.post("/applications/<int:application_id>/events/<event>")
def fire(application_id: int, event: str):
    """Certify, decline or return an assessed application; uphold or dismiss an appeal (with a reason)."""
    if event not in CERTIFIER_EVENTS:
        abort(404)
    app = _visible_or_404(application_id)

    def rerender(error, failed, values, status):
        values = {k: v for k, v in values.items() if k == "reason"}
        return _record_page(_visible_or_404(application_id), error=error, failed=failed, values=values, status=status)

    done = url_for(".appeals" if event in APPEAL_EVENTS else ".decisions")
    return fire_from_form(app, event, current_user, "certifier.record", rerender, done_url=done)


@bp.get("/documents/<int:doc_id>")
def document(doc_id: int):
    """A document of an application the certifier may see, as a download."""
    doc = db.session.get(Document, doc_id)
    if doc is None or get_visible_application(current_user, doc.application_id) is None:
        abort(404)
    if not may_read_documents(current_user, doc.application):
        abort(404)
    return send_document(doc)


from certflow.certifier import certificate_actions, certificates, plenary  # noqa: E402,F401  (register the certificate and plenary pages)
