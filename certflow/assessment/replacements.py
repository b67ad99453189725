"""Replacing a member of a team: the joining assessor takes the leaving one's place and open assessments.

The recomposed team must meet the composition rules (``teams.check_members``) and, for every open
assessment of the team, the ``assign_team`` guards (scheme, size, licences, conflicts of interest,
load) exactly as if it were assigned now — checked by the workflow engine itself. Each load counts
the team's open assessments once. The change is kept (``TeamChange``), and the candidates and both
assessors are told (outbox; who: ``notifications.recipients``). Flushes, never commits.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from certflow import clock
from certflow.applications.facts import active_loads, member_conflicts_by_app, team_facts
from certflow.assessment.assessors import parse_id, parse_text
from certflow.assessment.teams import check_members
from certflow.core.errors import AppError, as_app_error
from certflow.core.transaction import lock_row
from certflow.extensions import db
from certflow.models import Application, Assessor, Team, TeamChange, TeamMember, User
from certflow.models.assessment import OPEN_ASSESSMENT_STATES
from certflow.notifications.recipients import team_change_recipients
from certflow.notifications.reminders import add_reminders
from certflow.people.policy import application_actor
from workflows import WorkflowError, engine_for
from workflows.guards import N_, GuardContext


def _not_member(field: str, name: str, team: Team, message) -> AppError:
    return AppError(message, {"field": field, "name": name, "team": team.name}, fields=field)


def history(team: Team) -> list[TeamChange]:
    """The replacements of ``team``, newest first."""
    return list(
        db.session.scalars(
            select(TeamChange).where(TeamChange.team_id == team.id).order_by(TeamChange.id.desc())
        ).unique()
    )


def _check_open(admin: User, team: Team, members: list[Assessor], apps: list[Application], override: str | None):
    """The ``assign_team`` guards for each open assessment, the team as it would be."""
    base = active_loads([m.id for m in members])
    held = {m.id for m in members} & team.member_ids  # these already count the team's open assessments
    loads = {m.id: base.get(m.id, 0) - (len(apps) if m.id in held else 0) for m in members}
    conflicts = member_conflicts_by_app(apps, members, override)
    engine, today = engine_for("application"), clock.today()
    for n, app in enumerate(apps):
        facts = SimpleNamespace(
            team=team_facts(
                team, members, {k: v + n for k, v in loads.items()}, conflicts[app.id], team.scheme.max_load
            ),
            scheme_code=app.scheme.code,
            min_team_size=app.scheme.min_team_size,
        )
        ctx = GuardContext(data={"team": team.id}, day=today, facts=facts)
        try:
            engine.check("eligible", "assign_team", application_actor(admin, app), ctx)
        except WorkflowError as exc:
            error = as_app_error(exc)
            raise AppError(
                N_("Team %(team)s: %(reason)s (candidate %(candidate)s)"),
                {"team": team.name, "reason": error.text(), "candidate": app.candidate.name},
                code="guard_failed",
                rule=error.rule,
            ) from None


def replace_member(admin: User, team: Team, data: dict) -> TeamChange:
    """Replace ``data["leaving"]`` by ``data["joining"]`` on ``team``, with ``data["reason"]``."""
    leaving_id = parse_id("leaving", data.get("leaving"))
    joining_id = parse_id("joining", data.get("joining"))
    reason = parse_text("reason", data.get("reason"), 4000)
    # Two replacements at once: the second waits for the first, then decides on the team as it is now.
    lock_row(Team.id, team.id)
    db.session.refresh(team)
    db.session.expire(team, ["member_rows"])
    if leaving_id not in team.member_ids:
        raise _not_member(
            "leaving", f"#{leaving_id}", team, N_("%(field)s: %(name)s is not a member of team %(team)s.")
        )
    if joining_id in team.member_ids:
        raise _not_member(
            "joining", f"#{joining_id}", team, N_("%(field)s: %(name)s is already a member of team %(team)s.")
        )
    ids = [joining_id if i == leaving_id else i for i in sorted(team.member_ids)]
    lead_id = joining_id if team.lead_id == leaving_id else team.lead_id
    try:
        members = check_members(admin, team, team.scheme, list(dict.fromkeys([lead_id] + ids)))
    except AppError as exc:
        if not exc.rule:
            raise
        raise AppError(exc.message, exc.params, code="guard_failed", rule=exc.rule, **exc.extra) from None
    apps = list(
        db.session.scalars(
            select(Application)
            .where(Application.team_id == team.id, Application.state.in_(OPEN_ASSESSMENT_STATES))
            .order_by(Application.id)
        )
    )
    _check_open(admin, team, members, apps, reason if team.scheme.allow_same_dinas else None)
    leaving = db.session.get(Assessor, leaving_id)
    team.member_rows = [r for r in team.member_rows if r.assessor_id != leaving_id] + [
        TeamMember(assessor_id=joining_id)
    ]
    team.lead_id = lead_id
    change = TeamChange(
        team_id=team.id,
        leaving_id=leaving_id,
        joining_id=joining_id,
        reason=reason,
        by_id=admin.id,
        applications=[a.id for a in apps],
    )
    db.session.add(change)
    db.session.flush()
    joining = next(m for m in members if m.id == joining_id)
    params = {"reason": reason, "team": team.name, "leaving": leaving.user.name, "joining": joining.user.name}
    add_reminders(
        [
            {
                "key": f"team_change:{change.id}:{user_id}",
                "user": user_id,
                "event": "team_changed",
                "application": app_id,
                "params": params,
            }
            for user_id, app_id in team_change_recipients(
                {a.id: a.candidate_id for a in apps}, leaving.user_id, joining.user_id
            )
        ]
    )
    return change
