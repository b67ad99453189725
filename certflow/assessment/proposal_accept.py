"""Accepting a (possibly edited) proposal: every team formed and assigned, all or nothing.

Each team is formed by ``teams.create_team`` (the composition rules) and assigned to each of its
candidates by the workflow event ``assign_team`` (its guards: scheme, size, licences, conflicts of
interest, load), nothing re-implemented. The caller runs this in one ``unit_of_work``: the first
refusal raises, naming the team and the candidate, and the whole transaction rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from certflow.applications.workflow import fire_application_event
from certflow.assessment.assessors import parse_id
from certflow.assessment.teams import create_team
from certflow.core.errors import AppError, as_app_error
from certflow.extensions import db
from certflow.models import Application, Team, User
from certflow.people.policy import dinas_scope
from workflows import WorkflowError
from workflows.guards import N_

MAX_TEAMS = 500
OVERRIDE_MAX = 4000


def _ids(field: str, value: Any) -> list[int]:
    if not isinstance(value, list) or not value:
        raise AppError(N_("%(field)s must be a non-empty list of ids."), {"field": field}, fields=field)
    return list(dict.fromkeys(parse_id(field, v) for v in value))


def _named(exc: BaseException, number: int, candidate: str | None = None) -> AppError:
    """The refusal ``exc`` of team ``number`` (and a candidate) as a 422 naming them."""
    error = as_app_error(exc)
    if error is None:
        raise exc
    where = {"team": number, "candidate": candidate or "-", "reason": error.text()}
    message = N_("Team %(team)s, candidate %(candidate)s: %(reason)s") if candidate else N_("Team %(team)s: %(reason)s")
    extra = {k: v for k, v in error.extra.items() if k == "assessor"}
    return AppError(message, where, code="guard_failed", rule=error.rule or "team_valid", **extra)


def accept(admin: User, data: dict) -> list[Team]:
    """Form and assign every team of ``data["teams"]``; raise on the first refusal (the caller rolls back)."""
    teams = data.get("teams")
    if not isinstance(teams, list) or not teams or len(teams) > MAX_TEAMS:
        raise AppError(N_("%(field)s must be a non-empty list of teams."), {"field": "teams"}, fields="teams")
    plans, seen = [], set()
    for team in teams:
        if not isinstance(team, dict):
            raise AppError(N_("%(field)s must be a non-empty list of teams."), {"field": "teams"}, fields="teams")
        app_ids = _ids("applications", team.get("applications"))
        twice = seen & set(app_ids)
        if twice:
            raise AppError(
                N_("%(field)s: a candidate is on two teams: %(ids)s."),
                {"field": "applications", "ids": ", ".join(f"#{i}" for i in sorted(twice))},
                fields="applications",
            )
        seen |= set(app_ids)
        plans.append((team, app_ids))
    found = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(Application.id.in_(seen), Application.dinas_id.in_(dinas_scope(admin)))
        )
    }
    missing = sorted(seen - set(found))
    if missing:
        raise AppError(
            N_("%(field)s: unknown candidates or not of your scope: %(ids)s."),
            {"field": "applications", "ids": ", ".join(f"#{i}" for i in missing)},
            fields="applications",
        )
    created = []
    for number, (plan, app_ids) in enumerate(plans, start=1):
        apps = [found[i] for i in app_ids]
        override = plan.get("override_reason")
        override = override.strip()[:OVERRIDE_MAX] if isinstance(override, str) else ""
        try:
            lead = parse_id("lead", plan.get("lead"))
            team = create_team(
                admin,
                {
                    "dinas": admin.dinas_id,
                    "scheme": apps[0].scheme.code,
                    "name": plan.get("name") or f"Tim {apps[0].scheme.code} {number}",
                    "lead": lead,
                    "members": _ids("members", plan.get("members") or [lead]),
                },
            )
        except (AppError, WorkflowError) as exc:
            raise _named(exc, number) from None
        for app in apps:
            event_data = {"team": team.id, **({"override_reason": override} if override else {})}
            try:
                fire_application_event(app, "assign_team", admin, data=event_data)
            except (AppError, WorkflowError) as exc:
                raise _named(exc, number, app.candidate.name) from None
        created.append(team)
    return created
