"""API: forming teams — proposals from the pool and accepting them (dinas admins)."""

from __future__ import annotations

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.errors import ApiError
from certflow.api.schemas import proposals as s
from certflow.api.spec import answer, body, operation
from certflow.assessment import proposal_accept, proposals, replacements
from certflow.assessment.teams import get_visible_team
from certflow.core.errors import AppError, NotEditable
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application
from certflow.schedules.plenary_access import get_visible_schedule
from workflows.guards import N_

TAG = "Forming teams"


def proposal_out(p: proposals.Proposal) -> s.ProposalOut:
    """A proposal as the API shows it."""
    return s.ProposalOut(
        teams=[
            s.ProposedTeam(
                lead=t.lead.id,
                members=[
                    s.ProposedMember(
                        assessor=m.assessor.id, name=m.assessor.user.name, dinas=m.assessor.dinas.name, why=m.why
                    )
                    for m in t.members
                ],
                applications=[a.id for a in t.applications],
                needs_override_reason=t.needs_override,
            )
            for t in p.teams
        ],
        unassigned=[s.Unassigned(application=a.id, missing=why) for a, why in p.unassigned],
        shortfall=[
            s.ShortfallOut(scheme=x.scheme, needed=x.needed, where=x.where, message=x.message) for x in p.shortfall
        ],
        actions=p.actions,
        optimal=p.optimal,
    )


@bp.post("/team-proposals")
@operation(json=s.ProposalRequest, resp=s.ProposalOut, errors=(403, 404), tag=TAG)
def propose_teams():
    """Propose teams from the whole pool of the caller's scope for eligible candidates (or a schedule's).

    Nothing is written."""
    require_role("dinas_admin")
    data = body().model_dump(exclude_unset=True)
    if data.get("schedule") is not None:
        data = _schedule_request(data["schedule"])
    elif not data.get("scheme") or not data.get("applications"):
        raise ApiError(422, "validation_error", N_("Give a scheme and candidates, or a schedule."))
    return answer(proposal_out(proposals.propose(current_api_user(), data)))


def _schedule_request(schedule_id: int) -> dict:
    """The proposal request of a schedule: its scheme, its candidates, its event date."""
    schedule = get_visible_schedule(current_api_user(), schedule_id)
    if schedule is None:
        raise ApiError(404, "not_found", N_("Not found."))
    ids = list(db.session.scalars(db.select(Application.id).where(Application.schedule_id == schedule.id)))
    if not ids:
        raise ApiError(422, "validation_error", N_("This schedule has no candidates yet."))
    return {"scheme": schedule.scheme.code, "applications": ids, "date": schedule.starts_at.date()}


def _check_schedule_plan(schedule, teams: list) -> None:
    """A schedule takes one team, for its own candidates, while it is still being planned or open."""
    if schedule.state not in ("planned", "open"):
        raise NotEditable(N_("The team of this schedule can no longer be changed."))
    if len(teams) != 1:
        raise ApiError(422, "validation_error", N_("A schedule has one team: accept one team for it."))
    ids = set(teams[0].get("applications") or [])
    own = set(db.session.scalars(db.select(Application.id).where(Application.schedule_id == schedule.id)))
    if not ids <= own:
        raise AppError(
            N_("Only the schedule's own candidates can be on its team: %(ids)s."),
            {"ids": ", ".join(f"#{i}" for i in sorted(ids - own))},
            fields="applications",
        )


@bp.post("/team-proposals/accept")
@operation(json=s.AcceptRequest, resp=s.AcceptOut, ok=201, errors=(403, 404, 409), tag=TAG)
def accept_proposal():
    """Form every team and assign it to its candidates, all or nothing (422 naming what failed)."""
    require_role("dinas_admin")
    data = body().model_dump(exclude_unset=True)
    schedule_id = data.pop("schedule", None)
    with unit_of_work():
        schedule = None
        if schedule_id is not None:
            schedule = get_visible_schedule(current_api_user(), schedule_id)
            if schedule is None:
                raise ApiError(404, "not_found", N_("Not found."))
            _check_schedule_plan(schedule, data.get("teams") or [])
        teams = proposal_accept.accept(current_api_user(), data)
        if schedule is not None:
            schedule.team_id = teams[0].id
            schedule.version += 1
        ids = [t.id for t in teams]
    return answer(s.AcceptOut(teams=ids), 201)


@bp.post("/teams/<int:team_id>/replacements")
@operation(json=s.ReplacementRequest, resp=s.ReplacementOut, ok=201, errors=(403, 404, 409), tag="Assessors and teams")
def replace_member(team_id: int):
    """Replace a member of a team (and on its open assessments), with a reason; 422 ``guard_failed`` names the rule."""
    require_role("dinas_admin", "admin")
    user = current_api_user()
    data = body().model_dump(exclude_unset=True)
    with unit_of_work():
        team = get_visible_team(user, team_id)
        change = replacements.replace_member(user, team, data)
        out = s.ReplacementOut(
            id=change.id,
            team=team.id,
            leaving=change.leaving_id,
            joining=change.joining_id,
            reason=change.reason,
            applications=change.applications,
        )
    return answer(out, 201)
