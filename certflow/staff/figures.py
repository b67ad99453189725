"""The register's figures: who has a peksos/kesos background, who could apply now and by which route.

Each staff member is evaluated (``workflows.eligibility.evaluate``) against the routes of every
active scheme (``certflow.schemes.routes.scheme_routes``): ``could apply now`` means some scheme
has a route open to them; with none open, ``needs_practice`` means more practice hours or the
training alone would open one, ``needs_education`` that every route asks an education they lack
(they would need further education); each is also counted by functional-position level (APL-01's
codes, ``workflows.identity.JF_LEVELS``). Two queries per call whatever the number of staff: the
scope's staff (with their dinas and province), the active schemes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Dinas, Province, Scheme
from certflow.schemes.routes import scheme_routes
from certflow.staff.models import StaffMember
from workflows.eligibility import ROUTES, SOCIAL_WORK_FIELDS, Profile, evaluate, standing
from workflows.identity import JF_LEVELS

STANDINGS = ("could_apply", "needs_practice", "needs_education")
LISTS = ("all", "peksos_kesos", "other", *STANDINGS, *(f"route_{r}" for r in ROUTES))
# The functional-position levels counted: APL-01's codes, then those whose level the register does not know.
LEVEL_KEYS = (*JF_LEVELS, "not_known")


@dataclass
class Person:
    """One staff member as the figures see them."""

    id: int
    name: str
    dinas_id: int
    dinas: str
    province_id: int
    province: str
    education_field: str
    education_level: str
    position: str
    functional_level: str | None
    practice_hours: int | None
    training: bool
    background: str = "other"  # peksos_kesos | other
    standing: str = "needs_education"
    open: dict[str, list[str]] = field(default_factory=dict)  # route → the codes of the schemes it opens


def _counts() -> dict:
    return {
        "staff": 0,
        "peksos_kesos": 0,
        "other": 0,
        **{s: 0 for s in STANDINGS},
        "by_route": {r: 0 for r in ROUTES},
        "by_level": {level: 0 for level in LEVEL_KEYS},
    }


def _add(counts: dict, person: Person) -> None:
    counts["staff"] += 1
    counts[person.background] += 1
    counts[person.standing] += 1
    for route in person.open:
        counts["by_route"][route] += 1
    counts["by_level"][person.functional_level or "not_known"] += 1


def people(dinas_ids: list[int] | None) -> list[Person]:
    """The staff of the scope (None: every dinas), each evaluated against every active scheme's routes."""
    stmt = (
        select(StaffMember, Dinas.name, Province.id, Province.name)
        .join(Dinas, Dinas.id == StaffMember.dinas_id)
        .join(Province, Province.id == Dinas.province_id)
        .order_by(Province.name, Dinas.name, StaffMember.name)
    )
    if dinas_ids is not None:
        stmt = stmt.where(StaffMember.dinas_id.in_(dinas_ids))
    rows = db.session.execute(stmt).all()
    schemes = [(s.code, scheme_routes(s)) for s in db.session.scalars(select(Scheme).where(Scheme.active.is_(True)))]
    seen: dict[tuple, tuple[str, dict]] = {}
    result = []
    for member, dinas_name, province_id, province_name in rows:
        profile = Profile(member.education_field, member.education_level, member.practice_hours or 0, member.training)
        if profile not in seen:
            seen[profile] = _judge(profile, schemes)
        judged, open_routes = seen[profile]
        result.append(
            Person(
                member.id,
                member.name,
                member.dinas_id,
                dinas_name,
                province_id,
                province_name,
                member.education_field,
                member.education_level,
                member.position,
                member.functional_level,
                member.practice_hours,
                member.training,
                "peksos_kesos" if member.education_field in SOCIAL_WORK_FIELDS else "other",
                judged,
                open_routes,
            )
        )
    return result


def _judge(profile: Profile, schemes: list) -> tuple[str, dict[str, list[str]]]:
    open_routes: dict[str, list[str]] = {}
    practice = False
    for code, routes in schemes:
        for answer in evaluate(profile, routes):
            if answer.open:
                open_routes.setdefault(answer.route.route, []).append(code)
        practice = practice or standing(profile, routes) == "practice"
    ordered = {r: open_routes[r] for r in ROUTES if r in open_routes}
    if ordered:
        return "could_apply", ordered
    return ("needs_practice" if practice else "needs_education"), ordered


def figures(persons: list[Person]) -> dict:
    """The counts of the whole scope, per province and per dinas."""
    total = _counts()
    provinces: dict[int, dict] = {}
    dinas: dict[int, dict] = {}
    for person in persons:
        _add(total, person)
        p = provinces.setdefault(person.province_id, {"id": person.province_id, "name": person.province, **_counts()})
        _add(p, person)
        d = dinas.setdefault(
            person.dinas_id, {"id": person.dinas_id, "name": person.dinas, "province": person.province, **_counts()}
        )
        _add(d, person)
    return {**total, "by_province": list(provinces.values()), "by_dinas": list(dinas.values())}


def listed(persons: list[Person], name: str) -> list[Person]:
    """The people of one list (``LISTS``)."""
    if name == "all":
        return persons
    if name in ("peksos_kesos", "other"):
        return [p for p in persons if p.background == name]
    if name.startswith("route_"):
        return [p for p in persons if name.removeprefix("route_") in p.open]
    return [p for p in persons if p.standing == name]
