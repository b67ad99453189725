"""API: reference data — the schemes with their competency standards, and the dinas."""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from certflow.api import bp
from certflow.api.auth import current_api_user
from certflow.extensions import db
from certflow.models import Dinas, Element, Province, Scheme, Unit
from certflow.services.access import dinas_scope


def scheme_json(scheme: Scheme) -> dict:
    """A scheme with its rules and its units → elements → criteria."""
    return {
        "code": scheme.code,
        "name": scheme.name,
        "level": scheme.level,
        "validity_years": scheme.validity_years,
        "min_team_size": scheme.min_team_size,
        "max_load": scheme.max_load,
        "min_practice_hours": scheme.min_practice_hours,
        "accepted_education": list(scheme.accepted_education or []),
        "required_documents": list(scheme.required_documents or []),
        "units": [
            {
                "code": unit.code,
                "title": unit.title,
                "elements": [
                    {
                        "code": element.code,
                        "title": element.title,
                        "criteria": [{"code": c.code, "text": c.text} for c in element.criteria],
                    }
                    for element in unit.elements
                ],
            }
            for unit in scheme.units
        ],
    }


@bp.get("/schemes")
def list_schemes():
    """The active schemes with their standards, in a constant number of queries."""
    stmt = (
        select(Scheme)
        .where(Scheme.active.is_(True))
        .order_by(Scheme.code)
        .options(selectinload(Scheme.units).selectinload(Unit.elements).selectinload(Element.criteria))
    )
    return jsonify([scheme_json(s) for s in db.session.scalars(stmt)])


def dinas_json(dinas: Dinas) -> dict:
    """A dinas with its kind and province."""
    province = dinas.province
    return {
        "id": dinas.id,
        "name": dinas.name,
        "kind": dinas.kind,
        "province": {"id": province.id, "code": province.code, "name": province.name},
    }


@bp.get("/dinas")
def list_dinas():
    """The dinas the caller may see: a dinas admin its scope, anyone else all; ``?province=`` id or name."""
    user = current_api_user()
    stmt = (
        select(Dinas)
        .join(Province, Province.id == Dinas.province_id)
        .order_by(Province.name, case((Dinas.kind == "provinsi", 0), else_=1), Dinas.name)
    )
    scope = dinas_scope(user)
    if scope is not None and not user.has_role("admin"):
        stmt = stmt.where(Dinas.id.in_(scope))
    province = request.args.get("province", "").strip()
    if province:
        stmt = stmt.where(Province.id == int(province) if province.isdigit() else Province.name == province)
    return jsonify([dinas_json(d) for d in db.session.scalars(stmt).unique()])
