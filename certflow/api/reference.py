"""API: reference data — the schemes with their competency standards, and the dinas."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from certflow.api import bp
from certflow.api.auth import current_api_user
from certflow.api.schemas import reference as s
from certflow.api.spec import answer, operation, query
from certflow.core.converters import as_id
from certflow.extensions import db
from certflow.models import Dinas, Element, Province, Scheme, Unit
from certflow.people.policy import dinas_scope
from certflow.schemes.routes import scheme_routes

TAG = "Reference data"


def scheme_out(scheme: Scheme) -> s.SchemeOut:
    """A scheme with its rules and its units → elements → criteria."""
    return s.SchemeOut(
        code=scheme.code,
        name=scheme.name,
        level=scheme.level,
        validity_years=scheme.validity_years,
        min_team_size=scheme.min_team_size,
        max_load=scheme.max_load,
        min_practice_hours=scheme.min_practice_hours,
        accepted_education=list(scheme.accepted_education or []),
        required_documents=list(scheme.required_documents or []),
        routes=[s.RouteOut(**r.as_data()) for r in scheme_routes(scheme)],
        units=[
            s.UnitOut(
                code=unit.code,
                title=unit.title,
                elements=[
                    s.ElementOut(
                        code=element.code,
                        title=element.title,
                        criteria=[s.CriterionOut(code=c.code, text=c.text) for c in element.criteria],
                    )
                    for element in unit.elements
                ],
            )
            for unit in scheme.units
        ],
    )


@bp.get("/schemes")
@operation(resp=list[s.SchemeOut], tag=TAG)
def list_schemes():
    """The active schemes with their standards, in a constant number of queries."""
    stmt = (
        select(Scheme)
        .where(Scheme.active.is_(True))
        .order_by(Scheme.code)
        .options(selectinload(Scheme.units).selectinload(Unit.elements).selectinload(Element.criteria))
    )
    return answer([scheme_out(x) for x in db.session.scalars(stmt)])


def dinas_out(dinas: Dinas) -> s.DinasOut:
    """A dinas with its kind and province."""
    province = dinas.province
    return s.DinasOut(
        id=dinas.id,
        name=dinas.name,
        kind=dinas.kind,
        province=s.Province(id=province.id, code=province.code, name=province.name),
    )


@bp.get("/dinas")
@operation(query=s.DinasQuery, resp=list[s.DinasOut], tag=TAG)
def list_dinas():
    """The dinas the caller may see: a dinas admin its scope, anyone else all; ``?province=`` id or name."""
    user = current_api_user()
    args = query()
    stmt = (
        select(Dinas)
        .join(Province, Province.id == Dinas.province_id)
        .order_by(Province.name, case((Dinas.kind == "provinsi", 0), else_=1), Dinas.name)
    )
    scope = dinas_scope(user)
    if scope is not None and not user.has_role("admin"):
        stmt = stmt.where(Dinas.id.in_(scope))
    province = (args.province or "").strip()
    if province:
        by_id = as_id(province)
        stmt = stmt.where(Province.id == by_id if by_id else Province.name == province)
    return answer([dinas_out(d) for d in db.session.scalars(stmt).unique()])
