"""Assessor teams: forming, changing and disbanding them, with the rules a team must meet.

The composition rules are those the ``assign_team`` guards check later (size, every
licence valid today and covering the scheme), checked here already so an admin
learns of a bad team when forming it, plus the scope rule: every member's home
dinas is one the admin administers (for a system admin: in the team's province).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, func, select

from certflow import clock
from certflow.applications.facts import TeamFacts, active_loads, member_conflicts_by_app, team_facts, team_load
from certflow.assessment.assessors import (
    not_found,
    parse_id,
    parse_text,
    restrict_to_scope,
    scheme_by_code,
    scoped_dinas,
    visible_assessors,
)
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Application, Assessor, Scheme, Team, TeamMember, User
from certflow.models.assessment import OPEN_ASSESSMENT_STATES
from certflow.people.policy import application_actor
from workflows import WorkflowError, engine_for
from workflows.guards import N_, GuardContext


def visible_teams(user: User) -> Select:
    """A SELECT of the teams of the dinas ``user`` administers (all for a system admin)."""
    return restrict_to_scope(user, select(Team), Team.dinas_id)


def list_teams(user: User, dinas_id: int | None = None, scheme: Scheme | None = None) -> list[Team]:
    """The teams ``user`` administers, optionally of one dinas or scheme, by name."""
    stmt = visible_teams(user)
    if dinas_id is not None:
        stmt = stmt.where(Team.dinas_id == dinas_id)
    if scheme is not None:
        stmt = stmt.where(Team.scheme_id == scheme.id)
    return list(db.session.scalars(stmt.order_by(Team.name, Team.id)).unique())


def get_visible_team(user: User, team_id: int) -> Team:
    """The team if ``user`` administers it, else a 404."""
    team = db.session.scalar(visible_teams(user).where(Team.id == team_id))
    if team is None:
        raise not_found(N_("Team"))
    return team


def open_assessments(team_ids) -> dict[int, int]:
    """Applications in ``team_assigned`` or ``in_assessment`` per team, in one query."""
    if not team_ids:
        return {}
    rows = db.session.execute(
        select(Application.team_id, func.count(Application.id))
        .where(Application.team_id.in_(list(team_ids)), Application.state.in_(OPEN_ASSESSMENT_STATES))
        .group_by(Application.team_id)
    ).all()
    return dict(rows)


def _member_ids(data: dict, lead_id: int) -> list[int]:
    members = data.get("members", [])
    if not isinstance(members, list):
        raise AppError(N_("%(field)s must be a list of assessor ids."), {"field": "members"}, fields="members")
    return list(dict.fromkeys([lead_id] + [parse_id("members", m) for m in members]))


def _refuse(message, assessor: Assessor | int, rule: str, **params: Any) -> AppError:
    if isinstance(assessor, Assessor):
        return AppError(message, {"assessor": assessor.user.name, **params}, rule=rule, assessor=assessor.id)
    return AppError(message, {"assessor": f"#{assessor}", **params}, rule=rule, assessor=assessor)


def check_members(admin: User, team: Team, scheme: Scheme, ids: list[int]) -> list[Assessor]:
    """The assessors ``ids`` if they may form ``team``; else a 422 naming the assessor and the rule."""
    found = {a.id: a for a in db.session.scalars(visible_assessors(admin).where(Assessor.id.in_(ids))).unique()}
    members = []
    for assessor_id in ids:
        a = found.get(assessor_id)
        if a is None or a.dinas.province_id != team.dinas.province_id:
            raise _refuse(
                N_("Assessor %(assessor)s is unknown or not of a dinas you administer in this province."),
                assessor_id,
                "member_in_scope",
            )
        members.append(a)
    today = clock.today()
    for a in members:
        if not (a.active and a.user.active):
            raise _refuse(N_("Assessor %(assessor)s is not active."), a, "licences_valid")
        if a.licence_expires < today:
            raise _refuse(N_("The licence of assessor %(assessor)s has expired."), a, "licences_valid")
        if scheme.id not in a.scheme_ids:
            raise _refuse(
                N_("The licence of assessor %(assessor)s does not cover scheme %(scheme)s."),
                a,
                "licences_valid",
                scheme=scheme.code,
            )
    if len(members) < scheme.min_team_size:
        raise AppError(
            N_("The team has %(size)s assessors; scheme %(scheme)s needs at least %(minimum)s."),
            {"size": len(members), "scheme": scheme.code, "minimum": scheme.min_team_size},
            rule="team_big_enough",
            fields="members",
        )
    return members


def create_team(admin: User, data: dict) -> Team:
    """Form a team of a dinas ``admin`` administers; the lead is also a member."""
    dinas = scoped_dinas(admin, "dinas", data.get("dinas"))
    scheme = scheme_by_code("scheme", data.get("scheme"))
    team = Team(dinas=dinas, scheme=scheme, name=parse_text("name", data.get("name"), 160))
    lead_id = parse_id("lead", data.get("lead"))
    members = check_members(admin, team, scheme, _member_ids(data, lead_id))
    team.lead_id = lead_id
    team.member_rows = [TeamMember(assessor_id=a.id) for a in members]
    db.session.add(team)
    db.session.flush()
    return team


def _busy(team: Team, message) -> AppError:
    return AppError(message, {"team": team.name}, status=409, code="team_busy")


def update_team(admin: User, team: Team, data: dict) -> Team:
    """Rename a team, change its lead or members (same rules), or disband it (``active`` false)."""
    for fixed in ("dinas", "scheme"):
        if fixed in data:
            raise AppError(N_("%(field)s of a team cannot be changed."), {"field": fixed}, fields=fixed)
    active = data.get("active", team.active)
    if not isinstance(active, bool):
        raise AppError(N_("%(field)s must be true or false."), {"field": "active"}, fields="active")
    if "name" in data:
        team.name = parse_text("name", data["name"], 160)
    recompose = "lead" in data or "members" in data
    if recompose or (active and not team.active):
        if recompose and open_assessments([team.id]):
            raise _busy(team, N_("Team %(team)s has open assessments; its members cannot change now."))
        lead_id = parse_id("lead", data["lead"]) if "lead" in data else team.lead_id
        if "members" in data:
            ids = _member_ids(data, lead_id)
        else:
            ids = list(dict.fromkeys([lead_id] + sorted(team.member_ids)))
        members = check_members(admin, team, team.scheme, ids)
        team.lead_id = lead_id
        keep = [r for r in team.member_rows if r.assessor_id in set(ids)]
        team.member_rows = keep + [TeamMember(assessor_id=a.id) for a in members if a.id not in team.member_ids]
    if not active and team.active and open_assessments([team.id]):
        raise _busy(team, N_("Team %(team)s has open assessments and cannot be disbanded."))
    team.active = active
    db.session.flush()
    return team


# -- suggesting a team ------------------------------------------------------------------------
@dataclass
class Suggestion:
    """The team proposed for one application (None if no team fits) and why each other team does not."""

    application: Application
    team: Team | None = None
    load: int = 0
    refusals: list[tuple[Team | None, WorkflowError]] = field(default_factory=list)


def _team_facts(team: Team, members: list[Assessor], loads: dict[int, int], conflicts: dict) -> TeamFacts:
    """The team as the ``assign_team`` guards see it, with the loads counted so far."""
    return team_facts(team, members, loads, conflicts, team.scheme.max_load)


def suggest_teams(admin: User, applications: list[Application]) -> list[Suggestion]:
    """For each application, the active team of ``admin``'s scope with the lowest load that passes the
    ``assign_team`` guards: for the scheme, big enough, licences valid, no conflict of interest (without an
    override: a same-dinas team is never proposed) and nobody at capacity. The load of a team is the sum of
    its members' open assessments; a team proposed for one application counts for the next ones, so a
    batch spreads over the teams. Queries: a constant few, whatever the number of applications."""
    if not applications:
        return []
    scheme_ids = {a.scheme_id for a in applications}
    teams = list(
        db.session.scalars(
            visible_teams(admin)
            .where(Team.active.is_(True), Team.scheme_id.in_(scheme_ids))
            .order_by(Team.name, Team.id)
        ).unique()
    )
    members = {t.id: [r.assessor for r in t.member_rows] for t in teams}
    loads = dict(active_loads({a.id for ms in members.values() for a in ms}))
    pool = list({a.id: a for ms in members.values() for a in ms}.values())
    conflicts_of = member_conflicts_by_app(applications, pool, None)
    engine, today = engine_for("application"), clock.today()
    result = []
    for app in applications:
        suggestion = Suggestion(app)
        options = [t for t in teams if t.scheme_id == app.scheme_id]
        conflicts = conflicts_of[app.id]
        actor = application_actor(admin, app)
        for team in options:
            facts = SimpleNamespace(
                team=_team_facts(team, members[team.id], loads, conflicts),
                scheme_code=app.scheme.code,
                min_team_size=app.scheme.min_team_size,
            )
            try:
                engine.check(
                    app.state, "assign_team", actor, GuardContext(data={"team": team.id}, day=today, facts=facts)
                )
            except WorkflowError as exc:
                suggestion.refusals.append((team, exc))
                continue
            load = team_load([a.id for a in members[team.id]], loads)
            if suggestion.team is None or load < suggestion.load:
                suggestion.team, suggestion.load = team, load
        if suggestion.team is not None:
            for a in members[suggestion.team.id]:
                loads[a.id] = loads.get(a.id, 0) + 1
        result.append(suggestion)
    return result
