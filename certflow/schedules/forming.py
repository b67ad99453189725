"""A team formed for a schedule from a proposal: the schedule's team, its candidates placed — all or nothing.

The dinas admin chooses eligible candidates on the schedule page and asks for a proposal
(``assessment.proposals.propose`` at the schedule's date, nothing written). Accepting it here forms
the one team (``teams.create_team``: the composition rules), makes it the schedule's team and places
each candidate exactly as the "place" button does (``operations._place_one``: the placement guards
and ``assign_team`` with all its rules). The caller runs it in one ``unit_of_work``: the first refusal
names the candidate and nothing is kept.
"""

from __future__ import annotations

from sqlalchemy import func, select

from certflow.assessment.teams import create_team
from certflow.core.errors import AppError, Forbidden, NotEditable, as_app_error
from certflow.extensions import db
from certflow.models import Application, Schedule, Team, User
from certflow.people.policy import may_manage_schedule
from certflow.schedules.facts import placed_filter
from certflow.schedules.operations import _locked, _place_one, notify_schedule
from workflows import WorkflowError
from workflows.guards import N_

MAX_CANDIDATES = 200


def placed_count(schedule: Schedule) -> int:
    """How many candidates are placed on the schedule (with its team) now."""
    return db.session.scalar(select(func.count(Application.id)).where(placed_filter(schedule.id)))


def may_form_team(schedule: Schedule) -> bool:
    """A new team can be formed for the schedule while it is open and nobody is placed with its team yet."""
    return schedule.state == "open" and placed_count(schedule) == 0


def form_team_and_place(schedule: Schedule, user: User, plan: dict) -> tuple[Team, list[Application]]:
    """Form ``plan``'s team (``lead``, ``members``, ``applications``, ``name``?, ``override_reason``?),
    make it the schedule's team and place its candidates; raise on the first refusal (caller rolls back)."""
    if not may_manage_schedule(user, schedule):
        raise Forbidden(N_("Only a dinas admin of the schedule's dinas may place candidates."))
    schedule = _locked(schedule.id)
    if schedule.state != "open":
        raise NotEditable(N_("Candidates can be placed only while the schedule is open."))
    if placed_count(schedule):
        raise NotEditable(
            N_("Candidates are already placed with this schedule's team: replace a member of that team instead.")
        )
    app_ids = list(dict.fromkeys(plan.get("applications") or []))[:MAX_CANDIDATES]
    if not app_ids:
        raise AppError(N_("Choose at least one candidate."), fields="applications")
    team = create_team(
        user,
        {
            "dinas": schedule.dinas_id,
            "scheme": schedule.scheme.code,
            "name": plan.get("name") or f"Tim {schedule.scheme.code} {schedule.starts_at:%d-%m-%Y}",
            "lead": plan.get("lead"),
            "members": plan.get("members") or [plan.get("lead")],
        },
    )
    schedule.team_id = team.id
    schedule.version += 1
    db.session.flush()
    override = (plan.get("override_reason") or "").strip()
    for app_id in app_ids:
        try:
            _place_one(schedule.id, user, app_id, override)
        except (AppError, WorkflowError) as exc:
            error = as_app_error(exc)
            if error is None:
                raise
            app = db.session.get(Application, app_id)
            name = app.candidate.name if app is not None else f"#{app_id}"
            raise AppError(
                N_("Candidate %(candidate)s: %(reason)s"),
                {"candidate": name, "reason": error.text()},
                code="guard_failed",
                rule=error.rule or "team_valid",
            ) from None
    apps = list(db.session.scalars(select(Application).where(Application.id.in_(app_ids)).order_by(Application.id)))
    notify_schedule(
        schedule,
        "schedule_team_placed",
        ("team",),
        f"team-placed:{schedule.id}:{app_ids[0]}",
        params={"count": len(apps)},
    )
    return team, apps
