"""Editing a scheme's competency standard: its units → elements → criteria.

The rule of ``certflow.schemes.operations`` holds here too: a standard in use is frozen (only
the order within a parent may change); while a scheme is not in use, removing a criterion also
removes the draft self-assessment answers to it. Functions raise ``SchemeError`` and flush.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import delete, select

from certflow.extensions import db
from certflow.models import Criterion, Element, Scheme, SelfAssessmentAnswer, Unit
from certflow.schemes.operations import SchemeError, frozen_error, in_use, lock

ITEM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
# kind → (model, longest code, its text field, longest text)
KINDS = {
    "unit": (Unit, 40, "title", 255),
    "element": (Element, 48, "title", 255),
    "criterion": (Criterion, 56, "text", 2000),
}


# -- the standard: units → elements → criteria -----------------------------------------------


def get_item(scheme: Scheme, kind: str, item_id: int):
    """A unit, element or criterion of ``scheme`` by id, or None."""
    if kind not in KINDS:
        return None
    stmt = select(KINDS[kind][0]).where(KINDS[kind][0].id == item_id)
    if kind == "element":
        stmt = stmt.join(Unit, Unit.id == Element.unit_id).where(Unit.scheme_id == scheme.id)
    else:
        stmt = stmt.where(KINDS[kind][0].scheme_id == scheme.id)
    return db.session.scalar(stmt)


def _siblings(kind: str, item=None, parent=None) -> list:
    model = KINDS[kind][0]
    if kind == "unit":
        where = model.scheme_id == (parent.id if parent is not None else item.scheme_id)
    elif kind == "element":
        where = model.unit_id == (parent.id if parent is not None else item.unit_id)
    else:
        where = model.element_id == (parent.id if parent is not None else item.element_id)
    return list(db.session.scalars(select(model).where(where).order_by(model.position, model.id)))


def _code_taken(scheme: Scheme, kind: str, code: str, item_id: int | None) -> bool:
    model = KINDS[kind][0]
    stmt = select(model.id).where(model.code == code, model.id != (item_id or 0))
    if kind == "element":
        stmt = stmt.join(Unit, Unit.id == Element.unit_id).where(Unit.scheme_id == scheme.id)
    else:
        stmt = stmt.where(model.scheme_id == scheme.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _item_values(scheme: Scheme, kind: str, data: dict, item_id: int | None = None) -> dict:
    _model, longest_code, text_field, longest_text = KINDS[kind]
    errors = {}
    code = data.get("code").strip() if isinstance(data.get("code"), str) else ""
    text = data.get(text_field).strip() if isinstance(data.get(text_field), str) else ""
    if not code:
        errors["code"] = _("Enter the code.")
    elif len(code) > longest_code or not ITEM_CODE.match(code):
        errors["code"] = _(
            "Use up to %(max)d letters, digits, dots, dashes, slashes or underscores, without spaces.",
            max=longest_code,
        )
    elif _code_taken(scheme, kind, code, item_id):
        errors["code"] = _("This scheme already has %(code)s.", code=code)
    if not text:
        errors[text_field] = _("Enter the text.") if kind == "criterion" else _("Enter the title.")
    elif len(text) > longest_text:
        errors[text_field] = _("Use at most %(max)d characters.", max=longest_text)
    if errors:
        raise SchemeError(errors)
    return {"code": code, text_field: text}


def _refuse_if_in_use(scheme: Scheme) -> None:
    lock(scheme)
    if in_use(scheme):
        raise SchemeError({"standard": frozen_error()})


def add_item(scheme: Scheme, kind: str, parent, data: dict):
    """Add a unit to the scheme, an element to a unit or a criterion to an element, last among its siblings."""
    _refuse_if_in_use(scheme)
    values = _item_values(scheme, kind, data)
    position = max((s.position for s in _siblings(kind, parent=parent if kind != "unit" else scheme)), default=0) + 1
    if kind == "unit":
        item = Unit(scheme_id=scheme.id, position=position, **values)
    elif kind == "element":
        item = Element(unit_id=parent.id, position=position, **values)
    else:
        item = Criterion(element_id=parent.id, unit_id=parent.unit_id, scheme_id=scheme.id, position=position, **values)
    db.session.add(item)
    db.session.flush()
    return item


def edit_item(scheme: Scheme, kind: str, item, data: dict):
    """Change an item's code and title (text, for a criterion): only while the scheme is not in use."""
    _refuse_if_in_use(scheme)
    for name, value in _item_values(scheme, kind, data, item.id).items():
        setattr(item, name, value)
    db.session.flush()
    return item


def move_item(kind: str, item, direction: str) -> None:
    """Move an item up or down among its siblings (allowed in use: the order is only presentation)."""
    siblings = _siblings(kind, item)
    i = next(n for n, s in enumerate(siblings) if s.id == item.id)
    j = i - 1 if direction == "up" else i + 1
    if direction in ("up", "down") and 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    db.session.flush()


def remove_item(scheme: Scheme, kind: str, item) -> None:
    """Remove an item and everything under it (and the draft answers to its criteria); not in use."""
    _refuse_if_in_use(scheme)
    criteria = select(Criterion.id)
    if kind == "unit":
        criteria = criteria.where(Criterion.unit_id == item.id)
    elif kind == "element":
        criteria = criteria.where(Criterion.element_id == item.id)
    else:
        criteria = criteria.where(Criterion.id == item.id)
    db.session.execute(delete(SelfAssessmentAnswer).where(SelfAssessmentAnswer.criterion_id.in_(criteria)))
    db.session.delete(item)
    db.session.flush()
