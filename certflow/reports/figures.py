"""The region's figures (DOMAIN.md, "What the region wants to see"), for one scope of dinas.

A scope is ``None`` (everything) or a list of dinas ids. Every figure takes a
fixed number of queries, whatever the number of applications or assessors (five for
them all on PostgreSQL), and the figures of a scope are kept for a few minutes
(``figure_cache``): their cost grows with the data, their readers come often.

Choices made here:

- ``certified_by_scheme`` counts the applications in state ``certified``, per scheme
  (so the figures add up to ``by_state["certified"]``); every scheme is listed.
- ``education`` counts active users holding the candidate or assessor role whose
  dinas is in scope (a person attached to no dinas is in no scope): ``peksos`` and
  ``kesos`` are ``peksos_kesos``; ``other`` and an unknown (empty) education field
  both count as ``other`` — an unknown background is not evidence of a peksos/kesos
  one, and the gap is what the region plans for.
- ``assessor_capacity``: an assessor counts when active (and their account too), with
  a licence valid today that covers the scheme, whose home dinas is in scope.
  ``capacity`` is the sum of each such assessor's free places, ``max_load`` minus their
  open assessments (any scheme), never below zero for one assessor.
- ``expiring_90_days``: certificates still active today (``expires_on`` not before
  today) that expire within 90 days, of applications in scope.
- ``median_days_in_state``: from the transition log. ``draft`` is entered when the
  application is created; every other state when a transition leads to it. When an
  application is in a state several times, its times there are added up. A state
  still occupied counts until now. The median over the applications, in days with one
  decimal; ``None`` for a state no application of the scope has been in (``medians``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, false, func, or_, select

from certflow import clock
from certflow.core.errors import NotFound
from certflow.extensions import db
from certflow.models import (
    Application,
    Assessor,
    AssessorScheme,
    Certificate,
    Dinas,
    Province,
    Scheme,
    TeamMember,
    User,
    UserRole,
)
from certflow.models.assessment import OPEN_ASSESSMENT_STATES
from certflow.people.policy import dinas_scope, in_dinas_scope
from certflow.reports.cache import cached
from certflow.reports.medians import medians_in_state
from workflows import APPLICATION

DEMAND_STATES = ("eligible", "team_assigned", "in_assessment")
PEKSOS_KESOS = ("peksos", "kesos")
EXPIRY_WINDOW_DAYS = 90


def scope_dinas_ids(*, base=None, dinas_id: int | None = None, province_id: int | None = None) -> list[int] | None:
    """The dinas ids of a scope: ``base`` (a subquery of ids, None for all) narrowed to a dinas and/or a province.

    None means every dinas (no narrowing at all).
    """
    if base is None and dinas_id is None and province_id is None:
        return None
    stmt = select(Dinas.id)
    if base is not None:
        stmt = stmt.where(Dinas.id.in_(base))
    if dinas_id is not None:
        stmt = stmt.where(Dinas.id == dinas_id)
    if province_id is not None:
        stmt = stmt.where(Dinas.province_id == province_id)
    return list(db.session.scalars(stmt.order_by(Dinas.id)))


class OutOfScope(NotFound):
    """A dinas or province that does not exist or is outside the caller's scope (an ``AppError``, 404)."""

    def __init__(self, what: str):
        super().__init__(fields=what)


@dataclass
class FigureScope:
    """Whose figures: ``dinas_ids`` (None: everything) and the dinas / province narrowed to."""

    dinas_ids: list[int] | None
    everything: bool
    dinas: Dinas | None = None
    province: Province | None = None


def resolve_scope(user: User, dinas_id: int | None = None, province_id: int | None = None) -> FigureScope:
    """The scope of ``user``'s figures, narrowed to a dinas and/or a province; ``OutOfScope`` if not theirs.

    System admins and certifiers see everything; a dinas admin its dinas scope (a province's
    admin, the whole province); a kab/kota admin may narrow to its own province, which leaves
    its own dinas. A dinas admin attached to no dinas has an empty scope.
    """
    everything = bool(user.roles & {"admin", "certifier"})
    base = None
    if not everything:
        base = dinas_scope(user)
        if base is None:
            base = select(Dinas.id).where(false())
    dinas = province = None
    if dinas_id is not None:
        dinas = db.session.get(Dinas, dinas_id)
        if dinas is None or not (everything or in_dinas_scope(user, dinas)):
            raise OutOfScope("dinas")
    if province_id is not None:
        province = db.session.get(Province, province_id)
        if province is None or not (everything or (user.dinas is not None and user.dinas.province_id == province.id)):
            raise OutOfScope("province")
    ids = scope_dinas_ids(base=base, dinas_id=dinas_id, province_id=province_id)
    return FigureScope(ids, everything, dinas, province)


def _in(column, scope: list[int] | None):
    """The rows of a dinas of the scope (everything: of any dinas, so a person without one is left out)."""
    return column.is_not(None) if scope is None else column.in_(scope)


def _application_counts(scope) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(applications per state, certified per scheme code, demand per scheme code), in one query.

    Every state and every scheme (by code) is present.
    """
    rows = db.session.execute(
        select(Scheme.code, Application.state, func.count(Application.id))
        .select_from(Scheme)
        .outerjoin(Application, and_(Application.scheme_id == Scheme.id, _in(Application.dinas_id, scope)))
        .group_by(Scheme.code, Application.state)
        .order_by(Scheme.code)
    ).all()
    states = dict.fromkeys(APPLICATION.states, 0)
    certified: dict[str, int] = {}
    demand: dict[str, int] = {}
    for code, state, n in rows:
        certified.setdefault(code, 0)
        demand.setdefault(code, 0)
        if state is None:
            continue
        states[state] += n
        if state == "certified":
            certified[code] += n
        if state in DEMAND_STATES:
            demand[code] += n
    return states, certified, demand


def education(scope) -> dict[str, int]:
    """Candidates and assessors of the scope with and without a peksos/kesos background."""
    people = (
        select(User.id, User.education_field)
        .where(
            User.active.is_(True),
            _in(User.dinas_id, scope),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(("candidate", "assessor")))),
        )
        .subquery()
    )
    is_peksos = people.c.education_field.in_(PEKSOS_KESOS)
    row = db.session.execute(
        select(
            func.count().filter(is_peksos),
            func.count().filter(or_(people.c.education_field.is_(None), ~is_peksos)),
        ).select_from(people)
    ).one()
    return {"peksos_kesos": row[0] or 0, "other": row[1] or 0}


def _assessor_capacity(scope, demand: dict[str, int]) -> list[dict]:
    """Per scheme: assessors available, their free places, and the applications waiting for or in assessment."""
    today = clock.today()
    # Open assessments per assessor of the scope, joined to what each assessor's licence covers.
    loads = (
        select(TeamMember.assessor_id.label("assessor_id"), func.count(Application.id).label("load"))
        .join(Application, Application.team_id == TeamMember.team_id)
        .join(Assessor, Assessor.id == TeamMember.assessor_id)
        .where(Application.state.in_(OPEN_ASSESSMENT_STATES), _in(Assessor.dinas_id, scope))
        .group_by(TeamMember.assessor_id)
        .subquery()
    )
    coverage = db.session.execute(
        select(Scheme.code, Assessor.max_load, func.coalesce(loads.c.load, 0))
        .select_from(AssessorScheme)
        .join(Scheme, Scheme.id == AssessorScheme.scheme_id)
        .join(Assessor, Assessor.id == AssessorScheme.assessor_id)
        .join(User, User.id == Assessor.user_id)
        .outerjoin(loads, loads.c.assessor_id == Assessor.id)
        .where(
            Assessor.active.is_(True),
            User.active.is_(True),
            Assessor.licence_expires >= today,
            _in(Assessor.dinas_id, scope),
        )
    ).all()
    assessors: dict[str, int] = defaultdict(int)
    capacity: dict[str, int] = defaultdict(int)
    for code, max_load, load in coverage:
        assessors[code] += 1
        capacity[code] += max(0, max_load - load)
    return [
        {"scheme": code, "assessors": assessors[code], "capacity": capacity[code], "open_demand": demand[code]}
        for code in demand  # every scheme, by code
    ]


def _expiring_by_scheme(scope, days: int = EXPIRY_WINDOW_DAYS) -> dict[str, int]:
    today = clock.today()
    rows = db.session.execute(
        select(Scheme.code, func.count(Certificate.id))
        .select_from(Scheme)
        .outerjoin(
            Certificate,
            and_(
                Certificate.scheme_id == Scheme.id,
                Certificate.status == "active",
                Certificate.expires_on >= today,
                Certificate.expires_on <= today + timedelta(days=days),
                Certificate.application_id.in_(select(Application.id).where(_in(Application.dinas_id, scope))),
            ),
        )
        .group_by(Scheme.code)
        .order_by(Scheme.code)
    ).all()
    return dict(rows)


def median_days_in_state(scope, scheme_id: int | None = None) -> dict[str, float | None]:
    """The median time, in days, the applications of the scope (of one scheme, if given) have spent in each state."""
    key = ("medians", None if scope is None else tuple(scope), scheme_id)
    return cached(key, lambda: medians_in_state(scope, scheme_id, clock.now()))


def _figures(scope) -> dict:
    """Every figure of ``scope``, each with a fixed number of queries (five on PostgreSQL)."""
    states, certified, demand = _application_counts(scope)
    expiring = _expiring_by_scheme(scope)
    return {
        "by_state": states,
        "certified_by_scheme": certified,
        "education": education(scope),
        "assessor_capacity": _assessor_capacity(scope, demand),
        "expiring_90_days": sum(expiring.values()),
        "median_days_in_state": medians_in_state(scope, None, clock.now()),
        "expiring_by_scheme": expiring,
    }


def figures(scope) -> dict:
    """The summary's figures of ``scope`` and ``expiring_by_scheme``, as the figures page shows them."""
    return cached(("figures", None if scope is None else tuple(scope)), lambda: _figures(scope))


def expiring_by_scheme(scope, days: int = EXPIRY_WINDOW_DAYS) -> dict[str, int]:
    """``expiring_90_days`` per scheme code (every scheme present); the values add up to it."""
    if days != EXPIRY_WINDOW_DAYS:
        return _expiring_by_scheme(scope, days)
    return figures(scope)["expiring_by_scheme"]


def summary(scope: list[int] | None) -> dict:
    """Every figure of the summary report for ``scope`` (None: everything); see ``figure_cache`` for its age."""
    body = figures(scope)
    del body["expiring_by_scheme"]
    return body
