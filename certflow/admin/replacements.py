"""Replacing a member of a team on the pages: who leaves, who joins, why; the team's history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certflow import clock
from certflow.admin.common import FIELD_LABELS, dinas_admin_required, int_arg
from certflow.admin.routes import bp
from certflow.applications.facts import active_loads
from certflow.assessment import proposals, replacements
from certflow.assessment import teams as team_service
from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.web.refusals import REFUSALS, as_refusal, refusal_message

LABELS = {**FIELD_LABELS, "leaving": _l("Leaving member"), "joining": _l("Joining assessor"), "reason": _l("Reason")}


def _team(team_id: int):
    try:
        return team_service.get_visible_team(current_user, team_id)
    except AppError:
        abort(404)


def _render(team, values: dict, error: str = "", status: int = 200):
    pool = [a for a in proposals.pool_of(current_user, team.scheme, clock.today()) if a.id not in team.member_ids]
    return (
        render_template(
            "admin/team_replace.html",
            team=team,
            members=[r.assessor for r in team.member_rows],
            pool=pool,
            loads=active_loads([a.id for a in pool]),
            history=replacements.history(team),
            values=values,
            error=error,
        ),
        status,
    )


@bp.route("/teams/<int:team_id>/replace", methods=["GET", "POST"])
@dinas_admin_required
def replace_member(team_id: int):
    """Replace a member who became unavailable; their open assessments move to the joining assessor."""
    team = _team(team_id)
    if request.method == "GET":
        return _render(team, {})
    values = {k: request.form.get(k, "").strip() for k in ("leaving", "joining", "reason")}
    data = {"leaving": int_arg(values["leaving"]), "joining": int_arg(values["joining"]), "reason": values["reason"]}
    try:
        with unit_of_work():
            change = replacements.replace_member(current_user, team, data)
            message = _(
                "Member replaced: %(leaving)s by %(joining)s.",
                leaving=change.leaving.user.name,
                joining=change.joining.user.name,
            )
    except REFUSALS as exc:
        return _render(_team(team_id), values, refusal_message(exc, LABELS), as_refusal(exc).status)
    flash(message, "success")
    return redirect(url_for("admin.replace_member", team_id=team_id), 303)
