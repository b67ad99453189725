"""Team proposals: for a scheme and eligible candidates of the admin's scope, teams from the whole pool.

The optimiser (``proposal_model``) sees the pool as the ``assign_team`` guards do: every assessor of
the scope (in the province of the admin's dinas: a team's members must be), active, licensed for the
scheme through the event date; their load counting open assessments, capped by the tighter of their
own and the scheme's maximum; their conflicts of interest with each candidate from
``member_conflicts_by_app`` (the guards' own function). Nothing is written here: accepting is
``proposal_accept``. A constant number of queries, whatever the number of candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from sqlalchemy import func, select

from certflow import clock
from certflow.applications.facts import active_loads, member_conflicts_by_app
from certflow.assessment import proposal_model as model
from certflow.assessment.assessors import scheme_by_code, visible_assessors
from certflow.core.errors import AppError, translate
from certflow.extensions import db
from certflow.models import Application, Assessor, AssessorScheme, Dinas, Scheme, TeamMember, User
from certflow.people.policy import dinas_scope
from workflows.guards import N_

MAX_APPLICATIONS = 2000
FINISHED = ("assessed", "certified", "not_certified", "under_appeal")


@dataclass
class MemberWhy:
    """A proposed member and why they are on the team, in words."""

    assessor: Assessor
    why: str


@dataclass
class TeamProposal:
    """A proposed team: its lead, members (lead first) and the applications it would assess."""

    lead: Assessor
    members: list[MemberWhy]
    applications: list[Application]
    needs_override: bool = False  # a member works in a candidate's own dinas (the scheme allows it with a reason)


@dataclass
class Shortfall:
    """How many more assessors are needed, and from where."""

    scheme: str
    needed: int
    where: str
    message: str


@dataclass
class Proposal:
    """The whole answer: teams, candidates left out (and why), what is missing, what to do."""

    scheme: Scheme
    event_date: date
    teams: list[TeamProposal]
    unassigned: list[tuple[Application, str]]
    shortfall: list[Shortfall]
    actions: list[str] = field(default_factory=list)
    optimal: bool = True


def scoped_eligible(admin: User, scheme: Scheme, ids: list[int]) -> list[Application]:
    """The applications ``ids`` if each is eligible, for ``scheme``, in the admin's scope; else a 422 naming them."""
    if not ids:
        raise AppError(
            N_("%(field)s: choose at least one candidate."), {"field": "applications"}, fields="applications"
        )
    if len(ids) > MAX_APPLICATIONS:
        raise AppError(
            N_("%(field)s: at most %(max)s candidates at once."),
            {"field": "applications", "max": MAX_APPLICATIONS},
            fields="applications",
        )
    found = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(Application.id.in_(ids), Application.dinas_id.in_(dinas_scope(admin)))
        )
    }
    bad = [i for i in ids if i not in found or found[i].state != "eligible" or found[i].scheme_id != scheme.id]
    if bad:
        raise AppError(
            N_("%(field)s: not eligible candidates of scheme %(scheme)s in your scope: %(ids)s."),
            {"field": "applications", "scheme": scheme.code, "ids": ", ".join(f"#{i}" for i in bad)},
            fields="applications",
        )
    return [found[i] for i in dict.fromkeys(ids)]


def pool_of(admin: User, scheme: Scheme, event_date: date) -> list[Assessor]:
    """The assessors who may sit on a team of the admin's dinas for ``scheme`` on ``event_date``."""
    stmt = (
        visible_assessors(admin)
        .join(User, User.id == Assessor.user_id)
        .join(Dinas, Dinas.id == Assessor.dinas_id)
        .where(
            Assessor.active.is_(True),
            User.active.is_(True),
            Assessor.licence_expires >= event_date,
            Dinas.province_id == admin.dinas.province_id,
            Assessor.id.in_(select(AssessorScheme.assessor_id).where(AssessorScheme.scheme_id == scheme.id)),
        )
        .order_by(Assessor.id)
    )
    return list(db.session.scalars(stmt).unique())


def completed_counts(ids: list[int]) -> dict[int, int]:
    """Assessments each assessor's teams finished (assessed and after), in one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(TeamMember.assessor_id, func.count(Application.id))
        .join(Application, Application.team_id == TeamMember.team_id)
        .where(TeamMember.assessor_id.in_(ids), Application.state.in_(FINISHED))
        .group_by(TeamMember.assessor_id)
    ).all()
    return dict(rows)


def _day(value: date) -> str:
    return format_date(value, "long")


def _why(a: Assessor, p: model.PoolMember, load: int, scheme: Scheme, lead: bool, same: bool) -> str:
    parts = []
    if lead:
        parts.append(
            translate(N_("Lead: %(count)s assessments completed, the most on this team."), {"count": p.completed})
        )
    parts.append(
        translate(
            N_("Licensed for %(scheme)s until %(until)s."), {"scheme": scheme.code, "until": _day(a.licence_expires)}
        )
    )
    if same:
        parts.append(
            translate(
                N_("Works in the candidates' own dinas: the scheme allows it only with an override reason."),
            )
        )
    else:
        parts.append(translate(N_("From %(dinas)s, not the candidates' own dinas."), {"dinas": a.dinas.name}))
    parts.append(translate(N_("Load after this proposal: %(load)s of %(max)s."), {"load": load, "max": p.cap}))
    return " ".join(parts)


def _missing(app: Application, fit: int, free: int, scheme: Scheme) -> str:
    if fit < scheme.min_team_size:
        return translate(
            N_(
                "Only %(fit)s assessors licensed for %(scheme)s may assess this candidate (no conflict of interest,"
                " not of %(dinas)s); a team needs %(size)s."
            ),
            {"fit": fit, "scheme": scheme.code, "dinas": app.dinas.name, "size": scheme.min_team_size},
        )
    if free < scheme.min_team_size:
        return translate(
            N_("The assessors who may assess this candidate have no free load left (%(free)s of %(size)s needed)."),
            {"free": free, "size": scheme.min_team_size},
        )
    return translate(N_("The assessors who may assess this candidate are needed by the other candidates."))


def propose(admin: User, data: dict) -> Proposal:
    """Propose teams for ``data`` = ``{"scheme": code, "applications": [ids], "date"?: "YYYY-MM-DD"}``."""
    scheme = scheme_by_code("scheme", data.get("scheme"))
    event_date = data.get("date") or clock.today()
    apps = scoped_eligible(admin, scheme, list(data.get("applications") or []))
    pool = pool_of(admin, scheme, event_date)
    ids = [a.id for a in pool]
    loads, completed = active_loads(ids), completed_counts(ids)
    # the guards' own conflict rules; the scheme's same-dinas allowance is the model's (with a reason)
    conflicts = member_conflicts_by_app(apps, pool, "proposal" if scheme.allow_same_dinas else None)
    members = [
        model.PoolMember(
            a.id, a.user.name, a.dinas_id, loads.get(a.id, 0), min(a.max_load, scheme.max_load), completed.get(a.id, 0)
        )
        for a in pool
    ]
    candidates = [
        model.Candidate(app.id, app.dinas_id, frozenset(m for m, why in conflicts[app.id].items() if why))
        for app in apps
    ]
    solution = model.solve(members, candidates, scheme.min_team_size, scheme.allow_same_dinas, scheme.max_load)
    by_app, by_id, facts = {a.id: a for a in apps}, {a.id: a for a in pool}, {p.id: p for p in members}
    teams = []
    for t in solution.teams:
        teams.append(
            TeamProposal(
                lead=by_id[t.lead],
                members=[
                    MemberWhy(
                        by_id[m],
                        _why(by_id[m], facts[m], solution.loads[m], scheme, m == t.lead, m in t.same_dinas),
                    )
                    for m in t.members
                ],
                applications=[by_app[i] for i in t.applications],
                needs_override=bool(t.same_dinas),
            )
        )
    unassigned = []
    for app_id in solution.unassigned:
        c = next(c for c in candidates if c.id == app_id)
        fit = [p for p in members if model.may_assess(p, c, scheme.allow_same_dinas)]
        unassigned.append((by_app[app_id], _missing(by_app[app_id], len(fit), sum(1 for p in fit if p.free), scheme)))
    dinas_names = {a.dinas_id: a.dinas.name for a in apps}
    shortfall = [
        Shortfall(
            scheme.code,
            n,
            dinas_names[d],
            translate(
                N_("%(count)s more assessors licensed for %(scheme)s from outside %(dinas)s."),
                {"count": n, "scheme": scheme.code, "dinas": dinas_names[d]},
            ),
        )
        for d, n in sorted(solution.shortfall.items(), key=lambda kv: dinas_names[kv[0]])
    ]
    return Proposal(scheme, event_date, teams, unassigned, shortfall, _actions(scheme, shortfall), solution.optimal)


def _actions(scheme: Scheme, shortfall: list[Shortfall]) -> list[str]:
    """What the admin can do about a shortfall, in words."""
    if not shortfall:
        return []
    actions = [
        translate(N_("Add an assessor licensed for %(scheme)s (the form for people)."), {"scheme": scheme.code}),
        translate(
            N_("Extend the licence, the schemes or the maximum load of an assessor in the pool."),
        ),
        translate(N_("Ask the province dinas to propose teams: its pool spans the whole province.")),
    ]
    if scheme.allow_same_dinas:
        actions.append(
            translate(N_("The scheme allows assessors of the candidates' own dinas with an override reason."))
        )
    return actions
