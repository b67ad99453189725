"""The region's figures (DOMAIN.md, "What the region wants to see"), for one scope of dinas.

A scope is ``None`` (everything) or a list of dinas ids. Every figure takes a
fixed number of queries, whatever the number of applications or assessors.

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
  decimal; ``None`` for a state no application of the scope has been in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from sqlalchemy import and_, false, func, or_, select

from certflow import clock
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
    TransitionLog,
    User,
    UserRole,
)
from certflow.models.assessment import OPEN_ASSESSMENT_STATES
from certflow.services.access import dinas_scope, in_dinas_scope
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


class OutOfScope(LookupError):
    """A dinas or province that does not exist or is outside the caller's scope (answer 404)."""


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


def by_state(scope) -> dict[str, int]:
    """Applications per state; every state of the workflow is present."""
    rows = db.session.execute(
        select(Application.state, func.count(Application.id))
        .where(_in(Application.dinas_id, scope))
        .group_by(Application.state)
    ).all()
    counts = dict(rows)
    return {state: counts.get(state, 0) for state in APPLICATION.states}


def certified_by_scheme(scope) -> dict[str, int]:
    """Certified applications per scheme code; every scheme is present."""
    rows = db.session.execute(
        select(Scheme.code, func.count(Application.id))
        .select_from(Scheme)
        .outerjoin(
            Application,
            and_(
                Application.scheme_id == Scheme.id,
                Application.state == "certified",
                _in(Application.dinas_id, scope),
            ),
        )
        .group_by(Scheme.code)
        .order_by(Scheme.code)
    ).all()
    return dict(rows)


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


def assessor_capacity(scope) -> list[dict]:
    """Per scheme: assessors available, their free places, and the applications waiting for or in assessment."""
    today = clock.today()
    schemes = db.session.execute(select(Scheme.id, Scheme.code).order_by(Scheme.code)).all()
    coverage = db.session.execute(
        select(AssessorScheme.scheme_id, Assessor.id, Assessor.max_load)
        .join(Assessor, Assessor.id == AssessorScheme.assessor_id)
        .join(User, User.id == Assessor.user_id)
        .where(
            Assessor.active.is_(True),
            User.active.is_(True),
            Assessor.licence_expires >= today,
            _in(Assessor.dinas_id, scope),
        )
    ).all()
    # Open assessments per assessor of the scope, in one grouped query.
    loads = dict(
        db.session.execute(
            select(TeamMember.assessor_id, func.count(Application.id))
            .join(Application, Application.team_id == TeamMember.team_id)
            .join(Assessor, Assessor.id == TeamMember.assessor_id)
            .where(Application.state.in_(OPEN_ASSESSMENT_STATES), _in(Assessor.dinas_id, scope))
            .group_by(TeamMember.assessor_id)
        ).all()
    )
    demand = dict(
        db.session.execute(
            select(Application.scheme_id, func.count(Application.id))
            .where(Application.state.in_(DEMAND_STATES), _in(Application.dinas_id, scope))
            .group_by(Application.scheme_id)
        ).all()
    )
    assessors: dict[int, int] = defaultdict(int)
    capacity: dict[int, int] = defaultdict(int)
    for scheme_id, assessor_id, max_load in coverage:
        assessors[scheme_id] += 1
        capacity[scheme_id] += max(0, max_load - loads.get(assessor_id, 0))
    return [
        {
            "scheme": code,
            "assessors": assessors[scheme_id],
            "capacity": capacity[scheme_id],
            "open_demand": demand.get(scheme_id, 0),
        }
        for scheme_id, code in schemes
    ]


def expiring_soon(scope, days: int = EXPIRY_WINDOW_DAYS) -> int:
    """Active certificates of the scope that expire within ``days`` days from today."""
    today = clock.today()
    return db.session.scalar(
        select(func.count(Certificate.id))
        .join(Application, Application.id == Certificate.application_id)
        .where(
            Certificate.status == "active",
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=days),
            _in(Application.dinas_id, scope),
        )
    )


def median_days_in_state(scope, scheme_id: int | None = None) -> dict[str, float | None]:
    """The median time, in days, the applications of the scope (of one scheme, if given) have spent in each state."""
    now = clock.now()
    of_scope = _in(Application.dinas_id, scope)
    if scheme_id is not None:
        of_scope = and_(of_scope, Application.scheme_id == scheme_id)
    created = db.session.execute(select(Application.id, Application.created_at).where(of_scope)).all()
    logs = db.session.execute(
        select(TransitionLog.application_id, TransitionLog.to_state, TransitionLog.at)
        .join(Application, Application.id == TransitionLog.application_id)
        .where(TransitionLog.workflow == APPLICATION.name, of_scope)
        .order_by(TransitionLog.application_id, TransitionLog.at, TransitionLog.id)
    ).all()
    entries: dict[int, list] = {app_id: [(APPLICATION.initial, at)] for app_id, at in created}
    for app_id, state, at in logs:
        entries[app_id].append((state, at))
    totals: dict[str, list[float]] = defaultdict(list)
    for visits in entries.values():
        per_state: dict[str, timedelta] = defaultdict(timedelta)
        for i, (state, entered) in enumerate(visits):
            left = visits[i + 1][1] if i + 1 < len(visits) else now
            per_state[state] += max(left - entered, timedelta(0))
        for state, spent in per_state.items():
            totals[state].append(spent.total_seconds() / 86400)
    return {state: (round(median(totals[state]), 1) if totals[state] else None) for state in APPLICATION.states}


def expiring_by_scheme(scope, days: int = EXPIRY_WINDOW_DAYS) -> dict[str, int]:
    """``expiring_soon`` per scheme code (every scheme present); the values add up to it."""
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


def summary(scope: list[int] | None) -> dict:
    """Every figure of the summary report for ``scope`` (None: everything)."""
    return {
        "by_state": by_state(scope),
        "certified_by_scheme": certified_by_scheme(scope),
        "education": education(scope),
        "assessor_capacity": assessor_capacity(scope),
        "expiring_90_days": expiring_soon(scope),
        "median_days_in_state": median_days_in_state(scope),
    }
