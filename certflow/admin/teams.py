"""Assessor teams: forming them from the pool, changing them, disbanding them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certflow import clock
from certflow.admin.common import (
    active_schemes,
    dinas_admin_required,
    form_status,
    int_arg,
    list_filters,
    scope_dinas,
    service_message,
)
from certflow.admin.routes import bp
from certflow.applications.facts import active_loads
from certflow.assessment import assessors as pool
from certflow.assessment import teams as team_service
from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.models import Team
from certflow.web.labels import team_name


def _team_or_404(team_id: int) -> Team:
    try:
        return team_service.get_visible_team(current_user, team_id)
    except AppError:
        abort(404)


@bp.get("/teams")
@dinas_admin_required
def teams():
    """The teams of the admin's scope with their members, their load and their open assessments."""
    chosen = list_filters()
    found = team_service.list_teams(current_user, chosen["dinas_id"], chosen["scheme"])
    member_ids = {r.assessor_id for t in found for r in t.member_rows}
    return render_template(
        "admin/teams.html",
        teams=found,
        open_counts=team_service.open_assessments([t.id for t in found]),
        loads=active_loads(member_ids),
        today=clock.today(),
        **chosen,
    )


def _render_form(team: Team | None, values: dict, errors: dict, status: int = 200):
    candidates = pool.list_assessors(current_user)
    return (
        render_template(
            "admin/team_form.html",
            team=team,
            values=values,
            errors=errors,
            assessors=candidates,
            lead_choices=[(a.id, f"{a.user.name} — {a.dinas.name}") for a in candidates],
            loads=active_loads([a.id for a in candidates]),
            today=clock.today(),
            dinas_choices=[(d.id, d.name) for d in scope_dinas()],
            scheme_choices=[(s.code, f"{s.code} — {s.name}") for s in active_schemes()],
            open_count=team_service.open_assessments([team.id]).get(team.id, 0) if team is not None else 0,
        ),
        status,
    )


def _errors_of(exc: AppError, lead) -> dict:
    """A refusal placed by the input at fault: the lead, the members, or the field the service names."""
    if exc.status == 404:
        return {"dinas": _("Choose a dinas from the list.")}
    field = exc.field
    assessor = exc.extra.get("assessor")
    if assessor is not None:
        field = "lead" if str(assessor) == str(lead).strip() else "members"
    elif exc.rule:
        field = field or "members"
    return {field or "form": service_message(exc)}


# the lists of the form whose placeholder left chosen says so in plain words
PICKED = {"scheme": lambda: _("Choose a scheme from the list."), "dinas": lambda: _("Choose a dinas from the list.")}


def _field_errors(values: dict, *, new: bool) -> dict:
    """Every field of the team form checked on its own, so that the page shows all its errors at once
    (the service stops at the first); the composition rules are the service's, checked after."""
    checks = [("name", lambda: pool.parse_text("name", values["name"], 160))]
    if new:
        checks += [
            ("scheme", lambda: pool.scheme_by_code("scheme", values["scheme"])),
            ("dinas", lambda: pool.scoped_dinas(current_user, "dinas", values["dinas"])),
        ]
    checks.append(("lead", lambda: pool.parse_id("lead", values["lead"])))
    checks += [("members", lambda m=m: pool.parse_id("members", m)) for m in values["members"]]
    errors: dict = {}
    for name, check in checks:
        if name in errors:
            continue
        if name in PICKED and not values[name]:  # a list left at its placeholder
            errors[name] = PICKED[name]()
            continue
        try:
            check()
        except AppError as exc:
            errors[name] = _("Choose a dinas from the list.") if exc.status == 404 else service_message(exc)
    return errors


def _posted_members() -> list[str]:
    return [m for m in request.form.getlist("members") if m]


@bp.route("/teams/new", methods=["GET", "POST"])
@dinas_admin_required
def new_team():
    """Form a team for a scheme: a lead and members from the pool (the lead is a member too)."""
    if request.method == "GET":
        return _render_form(None, {"dinas": current_user.dinas_id, "members": []}, {})
    values = {name: request.form.get(name, "").strip() for name in ("name", "scheme", "dinas", "lead")}
    values["members"] = _posted_members()
    errors = _field_errors(values, new=True)
    if errors:
        return _render_form(None, values, errors, 422)
    try:
        with unit_of_work():
            team = team_service.create_team(current_user, values)
    except AppError as exc:
        return _render_form(None, values, _errors_of(exc, values["lead"]), form_status(exc))
    flash(_("Team %(team)s is formed.", team=team_name(team.name)), "success")
    return redirect(url_for("admin.teams"), 303)


def _changes(team: Team, values: dict) -> dict:
    """Only what the form changes: recomposing a team with open assessments is refused, renaming is not."""
    data = {}
    if values["name"] != team.name:
        data["name"] = values["name"]
    lead, members = int_arg(values["lead"]), [int_arg(m) for m in values["members"]]
    same_lead = lead == team.lead_id
    same_members = None not in members and {lead, *members} == team.member_ids
    if not (same_lead and same_members):
        data["lead"], data["members"] = values["lead"], values["members"]
    return data


def _values_of(team: Team) -> dict:
    return {"name": team.name, "lead": team.lead_id, "members": [str(i) for i in sorted(team.member_ids)]}


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@dinas_admin_required
def edit_team(team_id: int):
    """Rename a team or change its lead and members (not while it has open assessments)."""
    team = _team_or_404(team_id)
    if request.method == "GET":
        return _render_form(team, _values_of(team), {})
    values = {"name": request.form.get("name", "").strip(), "lead": request.form.get("lead", "").strip()}
    values["members"] = _posted_members()
    errors = _field_errors(values, new=False)
    if errors:
        return _render_form(_team_or_404(team_id), values, errors, 422)
    try:
        with unit_of_work():
            team_service.update_team(current_user, team, _changes(team, values))
    except AppError as exc:
        errors = _errors_of(exc, values["lead"])
        return _render_form(_team_or_404(team_id), values, errors, form_status(exc))
    flash(_("Team %(team)s is saved.", team=team_name(team.name)), "success")
    return redirect(url_for("admin.teams"), 303)


@bp.post("/teams/<int:team_id>/active")
@dinas_admin_required
def set_team_active(team_id: int):
    """Disband a team (refused while it has an open assessment), or form it again with the same members."""
    team = _team_or_404(team_id)
    active = request.form.get("active") == "1"
    try:
        with unit_of_work():
            team_service.update_team(current_user, team, {"active": active})
    except AppError as exc:
        team = _team_or_404(team_id)
        return _render_form(team, _values_of(team), {"form": service_message(exc)}, exc.status)
    flash(
        _("Team %(team)s is active again.", team=team_name(team.name))
        if active
        else _("Team %(team)s is disbanded.", team=team_name(team.name)),
        "success",
    )
    return redirect(url_for("admin.teams"), 303)
