"""What the assessor and certifier pages share: role gates, the scheme's criteria, files."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from certflow.applications import documents as docs
from certflow.extensions import db, login_manager
from certflow.models import Criterion, Document, Element, Unit

METHOD_LABELS = {
    "observation": _l("Observation"),
    "portfolio": _l("Portfolio"),
    "interview": _l("Interview"),
    "written": _l("Written test"),
}

PER_PAGE = 20


def only_for(bp: Blueprint, role: str) -> None:
    """Every page of ``bp`` needs a logged-in user holding ``role`` (else the login page, or 403)."""

    @bp.before_request
    def _only_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(role):
            abort(403)
        return None


def criteria_tree(scheme_id: int) -> list[dict]:
    """The scheme's units → elements → criteria, in order (one query)."""
    rows = db.session.execute(
        select(Unit.code, Unit.title, Element.code, Element.title, Criterion.id, Criterion.code, Criterion.text)
        .join(Element, Element.unit_id == Unit.id)
        .join(Criterion, Criterion.element_id == Element.id)
        .where(Unit.scheme_id == scheme_id)
        .order_by(Unit.position, Unit.id, Element.position, Element.id, Criterion.position, Criterion.id)
    ).all()
    units: list[dict] = []
    for unit_code, unit_title, element_code, element_title, crit_id, crit_code, crit_text in rows:
        if not units or units[-1]["code"] != unit_code:
            units.append({"code": unit_code, "title": unit_title, "elements": []})
        elements = units[-1]["elements"]
        if not elements or elements[-1]["code"] != element_code:
            elements.append({"code": element_code, "title": element_title, "criteria": []})
        elements[-1]["criteria"].append({"id": crit_id, "code": crit_code, "text": crit_text})
    return units


def all_criteria(tree: list[dict]) -> list[dict]:
    """Every criterion of a tree from ``criteria_tree``, in order."""
    return [c for unit in tree for element in unit["elements"] for c in element["criteria"]]


def send_document(doc: Document):
    """The document's file as a download (never shown inline), or 404 if the file is gone."""
    response = docs.file_response(doc)
    if response is None:
        abort(404)
    return response
