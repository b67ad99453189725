"""API: the assessor pool and assessor teams (dinas admins and system admins)."""

from __future__ import annotations

from datetime import date

from certflow import clock
from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.schemas import people as s
from certflow.api.spec import answer, body, operation, query
from certflow.applications.facts import active_loads
from certflow.assessment import assessors as pool
from certflow.assessment import teams as team_service
from certflow.extensions import db
from certflow.models import Assessor, Team

ADMIN_ROLES = ("dinas_admin", "admin")
TAG = "Assessors and teams"


def _filters() -> tuple:
    """The ``?scheme=`` (a code) and ``?dinas=`` (an id) filters of a list."""
    args = query()
    scheme = (args.scheme or "").strip()
    return (pool.scheme_by_code("scheme", scheme) if scheme else None, args.dinas)


def assessor_out(a: Assessor, load: int, today: date) -> s.AssessorOut:
    """An assessor as the API shows it to admins."""
    valid, expiring = pool.licence_state(a, today)
    return s.AssessorOut(
        id=a.id,
        user=a.user_id,
        name=a.user.name,
        email=a.user.email,
        dinas={"id": a.dinas.id, "name": a.dinas.name},
        licence_number=a.licence_number,
        licence_expires=a.licence_expires,
        licence_valid=valid,
        licence_expiring_soon=expiring,
        schemes=sorted(r.scheme.code for r in a.scheme_rows),
        active=a.active,
        active_load=load,
        max_load=a.max_load,
    )


def _one_assessor(a: Assessor) -> s.AssessorOut:
    return assessor_out(a, active_loads([a.id]).get(a.id, 0), clock.today())


def _data(model) -> dict:
    """The validated body as the services read it (dates as text, only the fields sent)."""
    return model.model_dump(mode="json", exclude_unset=True)


@bp.get("/assessors")
@operation(query=s.PoolQuery, resp=list[s.AssessorOut], errors=(403, 404), tag=TAG)
def list_assessors():
    """The assessors the caller keeps, with licence state and open load; ``?scheme=&dinas=``."""
    require_role(*ADMIN_ROLES)
    scheme, dinas_id = _filters()
    found = pool.list_assessors(current_api_user(), scheme, dinas_id)
    loads, today = active_loads([a.id for a in found]), clock.today()
    return answer([assessor_out(a, loads.get(a.id, 0), today) for a in found])


@bp.post("/assessors")
@operation(json=s.AssessorNew, resp=s.AssessorOut, ok=201, errors=(403, 404), tag=TAG)
def create_assessor():
    """Register a user of the caller's scope as an assessor."""
    require_role(*ADMIN_ROLES)
    assessor = pool.register_assessor(current_api_user(), _data(body()))
    db.session.commit()
    return answer(_one_assessor(assessor), 201)


@bp.get("/assessors/<int:assessor_id>")
@operation(resp=s.AssessorOut, errors=(403, 404), tag=TAG)
def get_assessor(assessor_id: int):
    """One assessor of the caller's scope."""
    require_role(*ADMIN_ROLES)
    return answer(_one_assessor(pool.get_visible_assessor(current_api_user(), assessor_id)))


@bp.patch("/assessors/<int:assessor_id>")
@operation(json=s.AssessorChange, resp=s.AssessorOut, errors=(403, 404), tag=TAG)
def update_assessor(assessor_id: int):
    """Change an assessor's licence, schemes, load or home dinas; ``"active": false`` deactivates."""
    require_role(*ADMIN_ROLES)
    user = current_api_user()
    assessor = pool.get_visible_assessor(user, assessor_id)
    assessor = pool.update_assessor(user, assessor, _data(body()))
    db.session.commit()
    return answer(_one_assessor(assessor))


def team_out(team: Team, open_count: int) -> s.TeamOut:
    """A team with its lead and members."""
    members = sorted((r.assessor for r in team.member_rows), key=lambda a: (a.id != team.lead_id, a.user.name, a.id))
    lead = next((a for a in members if a.id == team.lead_id), None) or team.lead
    return s.TeamOut(
        id=team.id,
        name=team.name,
        dinas={"id": team.dinas.id, "name": team.dinas.name},
        scheme=team.scheme.code,
        lead={"id": lead.id, "name": lead.user.name},
        members=[s.TeamMember(id=a.id, user=a.user_id, name=a.user.name) for a in members],
        active=team.active,
        open_assessments=open_count,
    )


def _one_team(team: Team) -> s.TeamOut:
    return team_out(team, team_service.open_assessments([team.id]).get(team.id, 0))


@bp.get("/teams")
@operation(query=s.PoolQuery, resp=list[s.TeamOut], errors=(403, 404), tag=TAG)
def list_teams():
    """The teams of the caller's scope, each with lead, members and open assessments; ``?dinas=&scheme=``."""
    require_role(*ADMIN_ROLES)
    scheme, dinas_id = _filters()
    found = team_service.list_teams(current_api_user(), dinas_id, scheme)
    counts = team_service.open_assessments([t.id for t in found])
    return answer([team_out(t, counts.get(t.id, 0)) for t in found])


@bp.post("/teams")
@operation(json=s.TeamNew, resp=s.TeamOut, ok=201, errors=(403, 404), tag=TAG)
def create_team():
    """Form a team: ``{"dinas", "scheme", "name", "lead", "members"}``."""
    require_role(*ADMIN_ROLES)
    team = team_service.create_team(current_api_user(), _data(body()))
    db.session.commit()
    return answer(_one_team(team), 201)


@bp.get("/teams/<int:team_id>")
@operation(resp=s.TeamOut, errors=(403, 404), tag=TAG)
def get_team(team_id: int):
    """One team of the caller's scope."""
    require_role(*ADMIN_ROLES)
    return answer(_one_team(team_service.get_visible_team(current_api_user(), team_id)))


@bp.patch("/teams/<int:team_id>")
@operation(json=s.TeamChange, resp=s.TeamOut, errors=(403, 404, 409), tag=TAG)
def update_team(team_id: int):
    """Rename a team, change its lead or members, or disband it (``"active": false``)."""
    require_role(*ADMIN_ROLES)
    user = current_api_user()
    team = team_service.get_visible_team(user, team_id)
    team = team_service.update_team(user, team, _data(body()))
    db.session.commit()
    return answer(_one_team(team))
