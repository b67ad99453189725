"""Forming teams on the pages: teams proposed from the whole pool for the chosen candidates, edited, accepted.

The proposal is ``assessment.proposals.propose`` (nothing written); accepting is
``assessment.proposal_accept.accept`` in one ``unit_of_work``: every team formed and assigned,
or nothing. A refused accept shows the edited teams again, as posted, with the reason at the top.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certflow import clock
from certflow.admin.assignment import MAX_BATCH, _render_list, _selection
from certflow.admin.common import dinas_admin_required, int_arg
from certflow.admin.routes import bp
from certflow.admin.schedules import eligible_candidates, schedule_page
from certflow.applications.facts import active_loads
from certflow.assessment import proposal_accept, proposals
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Scheme
from certflow.people.policy import dinas_scope
from certflow.schedules import forming
from certflow.schedules.facts import event_date
from certflow.schedules.plenary_access import get_visible_schedule
from certflow.web.refusals import REFUSALS, refusal_message

OVERRIDE_MAX = 4000


def _scoped(ids: list[int]) -> list[Application]:
    rows = db.session.scalars(
        select(Application).where(Application.id.in_(ids), Application.dinas_id.in_(dinas_scope(current_user)))
    )
    found = {a.id: a for a in rows}
    return [found[i] for i in ids if i in found]


def _section(scheme: Scheme, teams: list[dict], proposal=None) -> dict:
    """One scheme's part of the page: its teams (as dicts the form edits) and the pool to choose from."""
    pool = proposals.pool_of(current_user, scheme, clock.today())
    return {"scheme": scheme, "teams": teams, "pool": pool, "proposal": proposal}


def _render(sections: list[dict], error: str = "", status: int = 200, schedule=None):
    loads = active_loads([a.id for s in sections for a in s["pool"]])
    numbered = 0
    for section in sections:
        for team in section["teams"]:
            team["number"] = numbered = numbered + 1
    if schedule is not None and numbered > 1:
        # a schedule has one team: several teams cannot be accepted for it
        error = error or _(
            "These candidates need %(count)s teams, and a schedule has one. Choose fewer candidates for this "
            "schedule, or add assessors to the pool.",
            count=numbered,
        )
        numbered = 0
    return (
        render_template(
            "admin/proposal.html", sections=sections, error=error, loads=loads, total=numbered, schedule=schedule
        ),
        status,
    )


def _proposed_sections(apps: list[Application], date=None) -> list[dict]:
    """The proposal for ``apps``, a section per scheme, its teams as dicts the form edits."""
    sections = []
    for scheme_id in dict.fromkeys(a.scheme_id for a in apps):
        chosen = [a for a in apps if a.scheme_id == scheme_id]
        scheme = chosen[0].scheme
        request_data = {"scheme": scheme.code, "applications": [a.id for a in chosen]}
        if date is not None:
            request_data["date"] = date
        proposal = proposals.propose(current_user, request_data)
        teams = [
            {
                "lead": t.lead.id,
                "members": [m.assessor.id for m in t.members if m.assessor.id != t.lead.id],
                "why": {m.assessor.id: m.why for m in t.members},
                "applications": t.applications,
                "needs_override": t.needs_override,
                "override": "",
                "name": "",
            }
            for t in proposal.teams
        ]
        sections.append(_section(scheme, teams, proposal))
    return sections


@bp.post("/assignment/propose")
@dinas_admin_required
def propose():
    """Propose teams from the whole pool for the chosen eligible candidates, per scheme, with the reasons."""
    ids, values, errors = _selection()
    if errors:
        return _render_list(values, errors, 422)
    apps = [a for a in _scoped(ids) if a.state == "eligible"]
    if not apps:
        return _render_list(values, {"application": _("Choose at least one candidate.")}, 422)
    return _render(_proposed_sections(apps))


def _schedule_or_404(schedule_id: int):
    schedule = get_visible_schedule(current_user, schedule_id)
    if schedule is None:
        abort(404)
    return schedule


@bp.post("/schedules/<int:schedule_id>/propose")
@dinas_admin_required
def propose_for_schedule(schedule_id: int):
    """Propose the schedule's one team from the whole pool for the chosen candidates, at the schedule's date."""
    sch = _schedule_or_404(schedule_id)
    if not forming.may_form_team(sch):
        message = _("A new team can be proposed only while the schedule is open and nobody is placed yet.")
        return schedule_page(sch, "admin/schedule.html", place_error=message, status=422, eligible=[])
    wanted = {i for i in (int_arg(v) for v in request.form.getlist("application")[:MAX_BATCH]) if i is not None}
    apps = [a for a in eligible_candidates(sch) if a.id in wanted]
    if not apps:
        return schedule_page(
            sch,
            "admin/schedule.html",
            place_error=_("Choose at least one candidate."),
            status=422,
            eligible=eligible_candidates(sch),
        )
    return _render(_proposed_sections(apps, event_date(sch)), schedule=sch)


def _posted_teams() -> list[dict]:
    """The teams as the form posted them (``team`` numbers, and per number its fields)."""
    posted = []
    for number in dict.fromkeys(int_arg(v) for v in request.form.getlist("team")):
        if number is None or len(posted) >= MAX_BATCH:
            continue
        app_ids = [i for i in (int_arg(v) for v in request.form.getlist(f"applications-{number}")) if i is not None]
        members = [i for i in (int_arg(v) for v in request.form.getlist(f"member-{number}")) if i is not None]
        posted.append(
            {
                "number": number,
                "scheme": request.form.get(f"scheme-{number}", ""),
                "lead": int_arg(request.form.get(f"lead-{number}")),
                "members": list(dict.fromkeys(members)),
                "app_ids": app_ids,
                "override": request.form.get(f"override-{number}", "")[:OVERRIDE_MAX],
                "needs_override": request.form.get(f"needs-override-{number}") == "1",
                "name": request.form.get(f"name-{number}", "")[:160],
                "why": {},
            }
        )
    return posted


def _sections_of(posted: list[dict]) -> list[dict]:
    apps = {a.id: a for a in _scoped([i for t in posted for i in t["app_ids"]])}
    schemes = {
        s.code: s for s in db.session.scalars(select(Scheme).where(Scheme.code.in_({t["scheme"] for t in posted})))
    }
    sections: dict[str, dict] = {}
    for t in posted:
        scheme = schemes.get(t["scheme"])
        if scheme is None:
            continue
        t["applications"] = [apps[i] for i in t["app_ids"] if i in apps]
        if scheme.code not in sections:
            sections[scheme.code] = _section(scheme, [])
        sections[scheme.code]["teams"].append(t)
    return list(sections.values())


@bp.post("/assignment/proposals/accept")
@dinas_admin_required
def accept_proposal():
    """Form and assign every team of the (edited) proposal, all or nothing."""
    posted = _posted_teams()
    schedule_id = int_arg(request.form.get("schedule"))
    if schedule_id is not None:
        return _accept_for_schedule(_schedule_or_404(schedule_id), posted)
    teams = [
        {
            "lead": t["lead"],
            "members": t["members"] or ([t["lead"]] if t["lead"] else []),
            "applications": t["app_ids"],
            **({"override_reason": t["override"]} if t["override"].strip() else {}),
            **({"name": t["name"].strip()} if t["name"].strip() else {}),
        }
        for t in posted
    ]
    try:
        with unit_of_work():
            created = proposal_accept.accept(current_user, {"teams": teams})
            result = [(team, list(team_apps)) for team, team_apps in zip(created, _apps_of(posted), strict=True)]
    except REFUSALS as exc:
        return _render(_sections_of(posted), refusal_message(exc), 422)
    return render_template("admin/proposal_done.html", result=result)


def _apps_of(posted: list[dict]) -> list[list[Application]]:
    apps = {a.id: a for a in _scoped([i for t in posted for i in t["app_ids"]])}
    return [[apps[i] for i in t["app_ids"] if i in apps] for t in posted]


def _accept_for_schedule(sch, posted: list[dict]):
    """The schedule's proposal accepted: its one team formed, made the schedule's team, its candidates placed."""
    if len(posted) != 1:
        error = _("A schedule has one team: accept one team for it.")
        return _render(_sections_of(posted), error, 422, schedule=sch)
    (t,) = posted
    plan = {
        "lead": t["lead"],
        "members": t["members"] or ([t["lead"]] if t["lead"] else []),
        "applications": t["app_ids"],
        "override_reason": t["override"],
        "name": t["name"].strip(),
    }
    try:
        with unit_of_work():
            team, apps = forming.form_team_and_place(sch, current_user, plan)
            name, count = team.name, len(apps)
    except REFUSALS as exc:
        return _render(_sections_of(posted), refusal_message(exc), 422, schedule=_schedule_or_404(sch.id))
    flash(
        _("%(team)s is formed and is the schedule's team; %(count)s candidates are placed.", team=name, count=count),
        "success",
    )
    return redirect(url_for("admin.schedule", schedule_id=sch.id), 303)
