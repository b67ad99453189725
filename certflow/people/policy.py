"""One place decides "may this user see / do this": the pages, the API and the templates call these.

- **The scope of a dinas admin** (DOMAIN.md, Organisation): a province's dinas admin sees every
  dinas of the province, a kab/kota's only its own. One definition, ``_scope_key``, gives the
  SQL form (``dinas_scope``, a subquery of dinas ids) and the Python form (``in_dinas_scope``,
  no query); ``dinas_covers`` reads it the other way, from a dinas to the admins who see it (SQL).
  The tests check that the three agree.
- **How a user relates to a record** (``application_actor``): owner, the application's dinas
  admin, on its team, its lead, an independent certifier, an appeal handler.
- **What each may see of an application** (rules 6 and 8): who may see it at all
  (``visible_applications``), its scores, the team's recommendation, its documents, the certificate
  PDF; and who administers a dinas.
- **Personal data in APL-01** (rule 8, UU PDP): ``personal_data_view`` and ``shown_apl01`` — the
  NIK, place and date of birth, phone and address whole to the candidate and the dinas admins of
  the scope; to anyone else who sees the application (its team, certifiers, system admins) the NIK
  masked and the rest left out; to the public nothing.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, bindparam, false, or_, select
from sqlalchemy.orm import defaultload, lazyload

from certflow.extensions import db
from certflow.models import (
    Application,
    Assessor,
    Certificate,
    ConflictDeclaration,
    Dinas,
    Schedule,
    Score,
    TeamMember,
    User,
    Venue,
)
from workflows import Actor
from workflows.identity import mask_nik

# The candidate comes with every application (joined); their roles are rarely read, so they are
# loaded when read rather than by one more query for every application or list of them fetched.
CANDIDATE_ROLES_ON_DEMAND = defaultload(Application.candidate).lazyload(User.role_rows)

# ``Dinas.kind`` of a province's dinas (``Dinas.is_province``): its admins see the whole province.
PROVINCE_KIND = "provinsi"

# What a certifier sees of applications as a certifier (DOMAIN.md rule 8, UU PDP): those at a decision
# point — assessed and after (certified, not yet competent) — and those under appeal. Nothing earlier:
# not the candidates being verified or assessed, nor their documents.
CERTIFIER_APPLICATION_STATES = ("assessed", "certified", "not_yet_competent", "under_appeal")


# -- the scope of a dinas admin --------------------------------------------------------------


def _scope_key(user: User):
    """The one definition of a dinas admin's scope: (the ``Dinas`` column, the value it must have).

    A province's admin: the dinas whose province is theirs; a kab/kota's: their own dinas.
    None for anyone who is not a dinas admin attached to a dinas (their scope is empty).
    """
    if not user.has_role("dinas_admin") or user.dinas is None:
        return None
    if user.dinas.kind == PROVINCE_KIND:
        return Dinas.province_id, user.dinas.province_id
    return Dinas.id, user.dinas_id


def dinas_scope(user: User) -> Select | None:
    """The ids of the dinas a dinas admin administers, as a subquery (None if not a dinas admin)."""
    key = _scope_key(user)
    if key is None:
        return None
    column, value = key
    return select(Dinas.id).where(column == value)


def in_dinas_scope(user: User, dinas: Dinas | None) -> bool:
    """Whether ``dinas`` is within the dinas admin's scope: ``dinas_scope`` read on one row (no query)."""
    key = _scope_key(user)
    if key is None or dinas is None:
        return False
    column, value = key
    return getattr(dinas, column.key) == value


def dinas_covers(admin_dinas, target):
    """SQL: whether the admins of ``admin_dinas`` see ``target`` — ``_scope_key`` read the other way.

    For joins from a dinas to the admins who see it (the recipients of its notifications):
    ``admin_dinas`` is ``Dinas`` or an alias of it; ``target`` an alias, or a loaded ``Dinas``.
    The admins of a dinas see it; a province's admins see every dinas of their province.
    """
    return or_(
        admin_dinas.id == target.id,
        and_(admin_dinas.kind == PROVINCE_KIND, admin_dinas.province_id == target.province_id),
    )


def sees_whole_province(user: User) -> bool:
    """Whether the user is a dinas admin whose scope is a whole province."""
    key = _scope_key(user)
    return key is not None and key[0] is Dinas.province_id


def may_administer(user: User, dinas: Dinas | None) -> bool:
    """Whether ``user`` (a system admin, or a dinas admin of ``dinas``) administers ``dinas``."""
    return dinas is not None and (user.has_role("admin") or in_dinas_scope(user, dinas))


# -- relations to a record -------------------------------------------------------------------


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


def team_assessor(user: User, app: Application) -> Assessor | None:
    """The user's assessor record if they are a member of the team assigned to ``app``."""
    if app.team is None:
        return None
    assessor = assessor_of(user)
    if assessor is None or assessor.id not in app.team.member_ids:
        return None
    return assessor


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
            involved = assessor is not None and app.id in took_part(assessor.id, [app.id])
            if not on_team and not involved and app.candidate_id != user.id:
                relations.add("independent")
                if app.decided_by_id != user.id:
                    relations.add("appeal_handler")
    return Actor(id=user.id, roles=roles, relations=frozenset(relations))


def took_part(assessor_id: int | None, app_ids: list[int]) -> set[int]:
    """The applications among ``app_ids`` the assessor took part in (scored, or declared for), in one query.

    A team later unassigned still counts: such a certifier is never ``independent`` of the candidate.
    """
    if assessor_id is None or not app_ids:
        return set()
    return set(
        db.session.scalars(
            select(Score.application_id)
            .where(Score.assessor_id == assessor_id, Score.application_id.in_(app_ids))
            .union(
                select(ConflictDeclaration.application_id).where(
                    ConflictDeclaration.assessor_id == assessor_id, ConflictDeclaration.application_id.in_(app_ids)
                )
            )
        )
    )


def may_decide_plenary(user: User, schedule) -> bool:
    """Whether ``user`` may record the plenary decision of ``schedule``: a certifier (certifiers are national,
    like their certificate decisions); whether they may certify each candidate is each line's own guard."""
    return user.has_role("certifier")


def certificate_actor(user: User) -> Actor:
    """The actor for ``user`` on a certificate (certifiers act on any certificate)."""
    return Actor(id=user.id, roles=user.roles)


# -- what each may see -----------------------------------------------------------------------


def _visibility(user: User) -> tuple[tuple, int | None]:
    """What decides which applications ``user`` sees: the shape of the condition, and the scope's value."""
    key = _scope_key(user)
    roles = user.roles
    shape = (
        "admin" in roles,
        "candidate" in roles,
        None if key is None else key[0].key,
        "assessor" in roles,
        "certifier" in roles,
    )
    return shape, None if key is None else key[1]


def _visible_where(shape: tuple, user_id, scope_value):
    """The condition of the applications a user of ``shape`` sees (None: all of them).

    ``user_id`` and ``scope_value``: the values, or bind parameters for a statement built once.
    """
    admin, candidate, scope_column, assessor, certifier = shape
    if admin:
        return None
    conditions = []
    if candidate:
        conditions.append(Application.candidate_id == user_id)
    if scope_column is not None:
        column = getattr(Dinas, scope_column)
        conditions.append(Application.dinas_id.in_(select(Dinas.id).where(column == scope_value)))
    if assessor:
        my_teams = (
            select(TeamMember.team_id)
            .join(Assessor, Assessor.id == TeamMember.assessor_id)
            .where(Assessor.user_id == user_id)
        )
        conditions.append(Application.team_id.in_(my_teams))
    if certifier:
        conditions.append(Application.state.in_(CERTIFIER_APPLICATION_STATES))
    return or_(*conditions) if conditions else false()


def visible_applications(user: User) -> Select:
    """A SELECT of the applications ``user`` may see (combine with filters and paging)."""
    shape, scope_value = _visibility(user)
    stmt = select(Application).options(CANDIDATE_ROLES_ON_DEMAND)
    where = _visible_where(shape, user.id, scope_value)
    return stmt if where is None else stmt.where(where)


# One application by id, as each shape of visibility and set of loader options asks for it: built
# once per process (a handful of shapes), so a request neither builds it nor computes its cache key.
_ONE_VISIBLE: dict[tuple, Select] = {}


def get_visible_application(user: User, application_id: int, *options) -> Application | None:
    """The application if ``user`` may see it, else None (callers answer 404); ``options``: loader options.

    Pass options built once (module constants): they are part of the cached statement's key.
    """
    shape, scope_value = _visibility(user)
    stmt = _ONE_VISIBLE.get((shape, options))
    if stmt is None:
        stmt = select(Application).options(CANDIDATE_ROLES_ON_DEMAND)
        where = _visible_where(shape, bindparam("user_id"), bindparam("scope_value"))
        if where is not None:
            stmt = stmt.where(where)
        stmt = stmt.where(Application.id == bindparam("application_id")).options(*options)
        if len(_ONE_VISIBLE) < 256:  # options built per call would only fill it: bounded
            _ONE_VISIBLE[(shape, options)] = stmt
    return db.session.scalar(stmt, {"user_id": user.id, "scope_value": scope_value, "application_id": application_id})


def as_certifier(user: User, app: Application) -> bool:
    """Whether ``user`` sees ``app`` as a certifier: a certifier, the application at a decision point (rule 8).

    A certifier who also sees an earlier application otherwise (as its dinas admin, say) sees it only as that.
    """
    return "certifier" in user.roles and app.state in CERTIFIER_APPLICATION_STATES


def may_see_scores(user: User, app: Application) -> bool:
    """The scores: team members and certifiers (never the candidate, never a dinas admin as such; rule 6)."""
    if team_assessor(user, app) is not None:
        return True
    return as_certifier(user, app) and app.candidate_id != user.id


def written_test_role(user: User, app: Application) -> str | None:
    """Who ``user`` is to the written tests of ``app``: ``candidate`` (its owner), ``team`` (on its team) or None.

    The candidate takes the test and never sees a key nor a score; the team follows it and scores it.
    Anybody else (a dinas admin, a certifier) sees no written test.
    """
    if app.candidate_id == user.id:
        return "candidate"
    if team_assessor(user, app) is not None:
        return "team"
    return None


def may_see_recommendation(user: User, app: Application, actor: Actor | None = None) -> bool:
    """The team's recommendation (K / BK): the candidate, the team, certifiers, system admins.

    Not those who see the application only as its dinas admin: they see its status (rule 6).
    ``actor``: ``application_actor(user, app)`` if the caller has it already.
    """
    actor = actor or application_actor(user, app)
    return bool(actor.relations & {"owner", "team_member"}) or "admin" in user.roles or as_certifier(user, app)


def may_read_documents(user: User, app: Application, actor: Actor | None = None) -> bool:
    """Whether ``user`` (who can see ``app``) may open its files: the owner, its dinas admins,
    its team, certifiers once it is at a decision point. Others — a system admin, for one — see only the
    list (UU PDP, rule 8)."""
    actor = actor or application_actor(user, app)
    return bool(actor.relations & {"owner", "dinas_admin", "team_member"}) or as_certifier(user, app)


# The printed forms of an application (``certflow.printing.application_forms``) and who may see each,
# among those who see the application: the candidate's own forms as its documents; the agreement for
# everyone who sees the application; the results (AK.02) and the feedback (AK.03) as the
# recommendation (never a dinas admin as such, rule 6); the observation checklist as the scores.
FORM_READERS = {
    "apl-01": "documents",
    "apl-02": "documents",
    "ak-01": "application",
    "ak-02": "recommendation",
    "ak-03": "recommendation",
    "ia-01": "scores",
}


def may_see_form(user: User, app: Application, form: str, actor: Actor | None = None) -> bool:
    """Whether ``user`` (who can see ``app``) may open its printed form ``form`` (a key of ``FORM_READERS``)."""
    readers = FORM_READERS.get(form)
    if readers == "application":
        return True
    if readers == "documents":
        return may_read_documents(user, app, actor)
    if readers == "recommendation":
        return may_see_recommendation(user, app, actor)
    if readers == "scores":
        return may_see_scores(user, app)
    return False


def may_download_certificate(user: User, cert: Certificate) -> bool:
    """The certificate's PDF: the holder, certifiers, system admins, the admins of the holder's dinas."""
    if cert.holder_id == user.id or user.roles & {"certifier", "admin"}:
        return True
    return in_dinas_scope(user, cert.application.dinas)


def may_apply(user) -> bool:
    """Whether ``user`` (perhaps anonymous) may open an application: a logged-in candidate."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("candidate")


# The checks templates call, under the same names (``certflow.web.context`` provides them).
# -- personal data in APL-01 (rule 8) --------------------------------------------------------------

# The APL-01 fields that are personal data: shown whole only to those who need them.
PERSONAL_APL01_FIELDS = ("nik", "birth_place", "birth_date", "phone", "address")
PERSONAL_WHOLE, PERSONAL_MASKED, PERSONAL_NONE = "whole", "masked", "none"


def personal_data_view(user, app: Application) -> str:
    """How ``user`` (perhaps anonymous) sees the personal data of ``app``'s APL-01.

    ``whole``: the candidate, the dinas admins whose scope holds the application's dinas (they verify
    the person); ``masked``: anyone else signed in (the team, certifiers, system admins — only those
    who may see the application reach it at all): the NIK as ``3171********0001``, no date or place
    of birth, no phone, no address; ``none``: the public.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return PERSONAL_NONE
    if app.candidate_id == user.id or in_dinas_scope(user, app.dinas):
        return PERSONAL_WHOLE
    return PERSONAL_MASKED


def shown_apl01(user, app: Application) -> dict:
    """``app``'s APL-01 as ``user`` may see it (``personal_data_view``): pages, API and printed form use it."""
    form = dict(app.apl01 or {})
    view = personal_data_view(user, app)
    if view == PERSONAL_WHOLE:
        return form
    nik = form.get("nik")
    for name in PERSONAL_APL01_FIELDS:
        form.pop(name, None)
    if view == PERSONAL_MASKED and isinstance(nik, str) and nik:
        form["nik"] = mask_nik(nik)
    return form


TEMPLATE_CHECKS = {
    "may_see_scores": may_see_scores,
    "may_see_recommendation": may_see_recommendation,
    "may_read_documents": may_read_documents,
    "may_see_form": may_see_form,
    "may_download_certificate": may_download_certificate,
    "may_administer": may_administer,
    "may_apply": may_apply,
    "shown_apl01": shown_apl01,
    "personal_data_view": personal_data_view,
}


# -- venues and schedules (assessment events) --------------------------------------------------


def visible_venues(user: User) -> Select:
    """A SELECT of the venues ``user`` keeps: a system admin all, a dinas admin their scope's, others none."""
    stmt = select(Venue)
    if user.has_role("admin"):
        return stmt
    scope = dinas_scope(user)
    return stmt.where(false()) if scope is None else stmt.where(Venue.dinas_id.in_(scope))


def may_manage_schedule(user: User, schedule: Schedule) -> bool:
    """Whether ``user`` manages the schedule (places candidates, opens, confirms, cancels): its dinas admins."""
    return in_dinas_scope(user, schedule.dinas)


def is_schedule_lead(user: User, schedule: Schedule) -> bool:
    """Whether ``user`` is the lead assessor of the schedule's team."""
    if not user.has_role("assessor") or schedule.team is None:
        return False
    return db.session.scalar(select(Assessor.id).where(Assessor.user_id == user.id)) == schedule.team.lead_id


def schedule_actor(user: User, schedule: Schedule) -> Actor:
    """The actor for ``user`` on a schedule: its dinas admin (in scope), the lead of its team."""
    relations = set()
    if may_manage_schedule(user, schedule):
        relations.add("dinas_admin")
    if is_schedule_lead(user, schedule):
        relations.add("schedule_lead")
    return Actor(id=user.id, roles=user.roles, relations=frozenset(relations))


# A certifier sees the schedules that reach the plenary.
CERTIFIER_SCHEDULE_STATES = ("held", "reported", "decided")


def visible_schedules(user: User) -> Select:
    """A SELECT of the schedules ``user`` may see (another dinas's schedule is not found).

    A system admin: all; a dinas admin: their scope's; an assessor: their teams'; a candidate: the
    ones they are placed on; a certifier: those held and after.
    """
    stmt = select(Schedule)
    if user.has_role("admin"):
        return stmt
    conditions = []
    scope = dinas_scope(user)
    if scope is not None:
        conditions.append(Schedule.dinas_id.in_(scope))
    if user.has_role("assessor"):
        my_teams = (
            select(TeamMember.team_id)
            .join(Assessor, Assessor.id == TeamMember.assessor_id)
            .where(Assessor.user_id == user.id)
        )
        conditions.append(Schedule.team_id.in_(my_teams))
    if user.has_role("candidate"):
        conditions.append(Schedule.id.in_(select(Application.schedule_id).where(Application.candidate_id == user.id)))
    if user.has_role("certifier"):
        conditions.append(Schedule.state.in_(CERTIFIER_SCHEDULE_STATES))
    return stmt.where(or_(*conditions) if conditions else false())


def get_visible_schedule(user: User, schedule_id: int) -> Schedule | None:
    """The schedule if ``user`` may see it, else None (callers answer 404)."""
    return db.session.scalar(visible_schedules(user).where(Schedule.id == schedule_id))
