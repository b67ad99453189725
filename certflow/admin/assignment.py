"""Assignment: assessor teams for eligible candidates, one or many at once, and suggested teams.

Every assignment is the workflow event ``assign_team`` fired through ``fire_application_event``,
so each is checked by the same guards as anywhere else (scheme, size, licences, conflicts of
interest, load). A batch runs each candidate in its own database transaction: fire, then commit
that candidate; a refusal rolls back that candidate's transaction only, so one failure never
undoes the others. (Savepoints were the alternative, but on SQLite the pysqlite driver commits
at the first RELEASE, so they would not mean the same thing on both databases.)
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certflow.admin.common import dinas_admin_required, event_refusal, int_arg, list_filters, rule_label
from certflow.admin.routes import bp
from certflow.admin.verification import paginate, queue_statement
from certflow.applications.facts import active_loads, team_load
from certflow.applications.workflow import fire_application_event
from certflow.assessment import teams as team_service
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Team
from certflow.people.policy import dinas_scope
from certflow.web.refusals import REFUSALS, as_refusal

PER_PAGE = 50
MAX_BATCH = 100
OVERRIDE_MAX = 4000


@dataclass
class Outcome:
    """What happened to one candidate of a batch."""

    application_id: int
    candidate: str
    scheme: str
    dinas: str
    team: str
    assigned: bool
    message: str = ""
    rule: str = ""


def team_options() -> tuple[list[Team], dict[int, int]]:
    """The active teams of the admin's scope, and each team's load (its members' open assessments)."""
    teams = [t for t in team_service.list_teams(current_user) if t.active]
    loads = active_loads({r.assessor_id for t in teams for r in t.member_rows})
    return teams, {t.id: team_load(t.member_ids, loads) for t in teams}


def _render_list(values: dict, errors: dict, status: int = 200):
    chosen = list_filters()
    items, total, page, pages = paginate(queue_statement("eligible", chosen["dinas_id"], chosen["scheme_id"]), PER_PAGE)
    teams, team_loads = team_options()
    return (
        render_template(
            "admin/assignment.html",
            applications=items,
            total=total,
            page=page,
            pages=pages,
            teams=teams,
            team_loads=team_loads,
            values=values,
            errors=errors,
            **chosen,
        ),
        status,
    )


@bp.get("/assignment")
@dinas_admin_required
def assignment():
    """The eligible candidates of the scope, to assign a team to one or many at once."""
    return _render_list({"application": []}, {})


def _selection() -> tuple[list[int], dict, dict]:
    """The chosen application ids (in order, once each), what was posted, and what is wrong with it."""
    ids = list(dict.fromkeys(i for i in (int_arg(v) for v in request.form.getlist("application")) if i is not None))
    values = {
        "application": [str(i) for i in ids],
        "team": request.form.get("team", ""),
        "override_reason": request.form.get("override_reason", "")[:OVERRIDE_MAX],
    }
    errors = {}
    if not ids:
        errors["application"] = _("Choose at least one candidate.")
    elif len(ids) > MAX_BATCH:
        errors["application"] = _("Choose at most %(max)s candidates at once.", max=MAX_BATCH)
    return ids, values, errors


def _scoped(ids: list[int]) -> dict[int, Application]:
    rows = db.session.scalars(
        select(Application).where(Application.id.in_(ids), Application.dinas_id.in_(dinas_scope(current_user)))
    )
    return {a.id: a for a in rows}


@bp.post("/assignment/assign")
@dinas_admin_required
def assign():
    """Assign a team to each chosen candidate (one team for all, or ``team-<id>`` per candidate)."""
    ids, values, errors = _selection()
    teams_of = {i: int_arg(request.form.get(f"team-{i}") or values["team"]) for i in ids}
    if not errors and None in teams_of.values():
        errors["team"] = _("Choose the assessor team to assign.")
    if errors:
        return _render_list(values, errors, 422)
    override = values["override_reason"].strip()
    team_names = {t.id: t.name for t in team_service.list_teams(current_user)}
    found = _scoped(ids)
    outcomes = []
    for app_id in ids:
        app, team_id = found.get(app_id), teams_of[app_id]
        if app is None:
            outcomes.append(Outcome(app_id, f"#{app_id}", "", "", "", False, _("Not found.")))
            continue
        outcome = Outcome(
            app_id, app.candidate.name, app.scheme.code, app.dinas.name, team_names.get(team_id, ""), True
        )
        data = {"team": team_id, **({"override_reason": override} if override else {})}
        try:
            with unit_of_work():  # each candidate its own transaction (see the module's docstring)
                fire_application_event(
                    app, "assign_team", current_user, data=data, version=request.form.get(f"version-{app_id}") or None
                )
        except REFUSALS as exc:
            outcome.assigned, outcome.message = False, event_refusal(exc)[0]
            outcome.rule = rule_label(as_refusal(exc).rule)
        outcomes.append(outcome)
    done = sum(1 for o in outcomes if o.assigned)
    return (
        render_template("admin/assignment_result.html", outcomes=outcomes, done=done, override=override),
        200 if done else 422,
    )


@bp.post("/assignment/suggest")
@dinas_admin_required
def suggest():
    """Propose, for each chosen candidate, the conflict-free team with the lowest load; one click accepts."""
    ids, values, errors = _selection()
    if errors:
        return _render_list(values, errors, 422)
    found = _scoped(ids)
    suggestions = team_service.suggest_teams(current_user, [found[i] for i in ids if i in found])
    teams, team_loads = team_options()
    return render_template(
        "admin/suggestions.html",
        suggestions=suggestions,
        missing=[i for i in ids if i not in found],
        teams=teams,
        team_loads=team_loads,
        refusal_message=lambda exc: event_refusal(exc)[0],
    )
