"""Who may see what, and how an actor relates to a record.

One place answers "may this user see / act on this record": the API, the
pages and the templates all call these functions.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import defaultload, lazyload

from certflow.extensions import db
from certflow.models import Application, Assessor, ConflictDeclaration, Dinas, Score, TeamMember, User
from workflows import Actor

# The candidate comes with every application (joined); their roles are rarely read, so they are
# loaded when read rather than by one more query for every application or list of them fetched.
CANDIDATE_ROLES_ON_DEMAND = defaultload(Application.candidate).lazyload(User.role_rows)


def dinas_scope(user: User) -> Select | None:
    """The ids of the dinas a dinas admin administers, as a subquery (None if not a dinas admin).

    A province's dinas admin has every dinas of the province; a kab/kota's, only its own.
    """
    if not user.has_role("dinas_admin") or user.dinas is None:
        return None
    if user.dinas.is_province:
        return select(Dinas.id).where(Dinas.province_id == user.dinas.province_id)
    return select(Dinas.id).where(Dinas.id == user.dinas_id)


def in_dinas_scope(user: User, dinas: Dinas) -> bool:
    """Whether ``dinas`` is within the dinas admin's scope (no query)."""
    if not user.has_role("dinas_admin") or user.dinas is None or dinas is None:
        return False
    if user.dinas.is_province:
        return dinas.province_id == user.dinas.province_id
    return dinas.id == user.dinas_id


def assessor_of(user: User) -> Assessor | None:
    """The user's assessor record, if they are a registered assessor."""
    if not user.has_role("assessor"):
        return None
    # The user is the one asking (already loaded, roles and all); the schemes are read when needed.
    return db.session.scalar(
        select(Assessor)
        .options(lazyload(Assessor.scheme_rows), defaultload(Assessor.user).lazyload(User.role_rows))
        .where(Assessor.user_id == user.id)
    )


def visible_applications(user: User) -> Select:
    """A SELECT of the applications ``user`` may see (combine with filters and paging)."""
    stmt = select(Application).options(CANDIDATE_ROLES_ON_DEMAND)
    if user.has_role("admin"):
        return stmt
    conditions = []
    if user.has_role("candidate"):
        conditions.append(Application.candidate_id == user.id)
    scope = dinas_scope(user)
    if scope is not None:
        conditions.append(Application.dinas_id.in_(scope))
    if user.has_role("assessor"):
        my_teams = (
            select(TeamMember.team_id)
            .join(Assessor, Assessor.id == TeamMember.assessor_id)
            .where(Assessor.user_id == user.id)
        )
        conditions.append(Application.team_id.in_(my_teams))
    if user.has_role("certifier"):
        conditions.append(Application.state != "draft")
    return stmt.where(or_(*conditions) if conditions else false())


def get_visible_application(user: User, application_id: int, *options) -> Application | None:
    """The application if ``user`` may see it, else None (callers answer 404); ``options``: loader options."""
    return db.session.scalar(visible_applications(user).where(Application.id == application_id).options(*options))


def application_actor(user: User, app: Application) -> Actor:
    """The actor for ``user`` on ``app``: their roles and their relations to it."""
    relations = set()
    roles = user.roles
    if app.candidate_id == user.id:
        relations.add("owner")
    if in_dinas_scope(user, app.dinas):
        relations.add("dinas_admin")
    if roles & {"assessor", "certifier"}:
        # A certifier may also hold an assessor record: that is how "never decides on a
        # candidate they assessed" is checked.
        assessor = db.session.scalar(select(Assessor).where(Assessor.user_id == user.id))
        on_team = False
        if assessor is not None and app.team is not None:
            on_team = assessor.id in app.team.member_ids
            if on_team:
                relations.add("team_member")
            if app.team.lead_id == assessor.id:
                relations.add("team_lead")
        if "certifier" in roles:
            # Involved in the assessment: on the team now, or ever scored or declared for this candidate
            # (a team later unassigned still counts).
            involved = assessor is not None and db.session.scalar(
                select(Score.id)
                .where(Score.application_id == app.id, Score.assessor_id == assessor.id)
                .union_all(
                    select(ConflictDeclaration.id).where(
                        ConflictDeclaration.application_id == app.id, ConflictDeclaration.assessor_id == assessor.id
                    )
                )
                .limit(1)
            )
            if not on_team and not involved and app.candidate_id != user.id:
                relations.add("independent")
                if app.decided_by_id != user.id:
                    relations.add("appeal_handler")
    return Actor(id=user.id, roles=roles, relations=frozenset(relations))


def certificate_actor(user: User) -> Actor:
    """The actor for ``user`` on a certificate (certifiers act on any certificate)."""
    return Actor(id=user.id, roles=user.roles)
