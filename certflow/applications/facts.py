"""Facts the workflow guards read, gathered from the database on demand.

Each fact is a cached property, computed only if a guard of the event being
fired asks for it, with a constant number of queries. What is read from the
database is read by the batched functions of ``fact_queries`` (asked about this
one application), so the pages that show a fact for many applications at once
(``ApplicationFacts.many``) read it exactly as the guards do; the rules on top
(which documents are missing, a unit's result, ...) are stated here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import func, select

from certflow.applications.fact_queries import BATCHED, declarations_by_app
from certflow.core.converters import as_id
from certflow.extensions import db
from certflow.models import (
    Application,
    Assessor,
    AssessorRelation,
    Certificate,
    Team,
    TeamMember,
    User,
)
from certflow.models.assessment import OPEN_ASSESSMENT_STATES
from certflow.people.policy import dinas_scope
from certflow.schemes.routes import application_profile, chosen_route, required_documents
from workflows.eligibility import route_missing
from workflows.guards import N_, Msg

# What ``submit`` asks of the form: the profile the routes judge, the route chosen and the purpose.
APL01_REQUIRED = ("education_field", "education_level", "practice_hours", "route", "purpose")


@dataclass
class MemberFacts:
    """What the assignment guards need to know of one team member."""

    assessor_id: int
    user_id: int
    name: str
    active: bool
    licence_expires: date | None
    schemes: set[str]
    load: int
    max_load: int
    conflicts: list[Msg] = field(default_factory=list)


@dataclass
class TeamFacts:
    """A team as the assignment guards see it."""

    id: int
    name: str
    scheme_code: str
    members: list[MemberFacts]


def team_facts(team: Team, members: list[Assessor], loads: dict[int, int], conflicts: dict, scheme_max_load: int):
    """The team as the ``assign_team`` guards see it: each member's licence, load and conflicts.

    A member's limit is the tighter of their own maximum load and the scheme's.
    """
    return TeamFacts(
        id=team.id,
        name=team.name,
        scheme_code=team.scheme.code,
        members=[
            MemberFacts(
                assessor_id=m.id,
                user_id=m.user_id,
                name=m.user.name,
                active=m.active and m.user.active,
                licence_expires=m.licence_expires,
                schemes={r.scheme.code for r in m.scheme_rows},
                load=loads.get(m.id, 0),
                max_load=min(m.max_load, scheme_max_load),
                conflicts=conflicts.get(m.id, []),
            )
            for m in members
        ],
    )


def active_loads(assessor_ids) -> dict[int, int]:
    """Open assessments (team assigned or in assessment) per assessor, in one query."""
    if not assessor_ids:
        return {}
    rows = db.session.execute(
        select(TeamMember.assessor_id, func.count(Application.id))
        .join(Application, Application.team_id == TeamMember.team_id)
        .where(TeamMember.assessor_id.in_(list(assessor_ids)), Application.state.in_(OPEN_ASSESSMENT_STATES))
        .group_by(TeamMember.assessor_id)
    ).all()
    return dict(rows)


def team_load(assessor_ids, loads: dict[int, int]) -> int:
    """A team's load: the sum of its members' open assessments (``loads`` from ``active_loads``)."""
    return sum(loads.get(i, 0) for i in assessor_ids)


def member_conflicts(app: Application, members: list[Assessor], override_reason: str | None) -> dict[int, list[Msg]]:
    """The conflicts of interest (DOMAIN.md rule 5) of each assessor with the application's candidate."""
    return member_conflicts_by_app([app], members, override_reason)[app.id]


def member_conflicts_by_app(
    apps: list[Application], members: list[Assessor], override_reason: str | None
) -> dict[int, dict[int, list[Msg]]]:
    """``member_conflicts`` of each application with each of ``members``, in two queries for all of them."""
    ids = [m.id for m in members]
    related: set[tuple[int, int]] = set()
    if ids and apps:
        related = set(
            db.session.execute(
                select(AssessorRelation.assessor_id, AssessorRelation.user_id).where(
                    AssessorRelation.assessor_id.in_(ids),
                    AssessorRelation.user_id.in_({a.candidate_id for a in apps}),
                )
            ).tuples()
        )
    declared = declarations_by_app(apps) if ids else {a.id: {} for a in apps}
    override = override_reason.strip() if isinstance(override_reason, str) else ""
    result: dict[int, dict[int, list[Msg]]] = {}
    for app in apps:
        result[app.id] = per_member = {}
        for m in members:
            reasons = []
            if m.user_id == app.candidate_id:
                reasons.append(N_("an assessor may not assess themself."))
            if (m.id, app.candidate_id) in related:
                reasons.append(N_("the assessor declared a relation to this candidate."))
            if declared[app.id].get(m.id) is True:
                reasons.append(N_("the assessor declared a conflict of interest with this candidate."))
            if m.dinas_id == app.dinas_id:
                if not app.scheme.allow_same_dinas:
                    reasons.append(N_("the assessor works in the candidate's own dinas."))
                elif not override:
                    reasons.append(
                        N_("the assessor works in the candidate's own dinas; give data.override_reason to override.")
                    )
            per_member[m.id] = reasons
    return result


def _record_id(value) -> int | None:
    """A record id from an integer or a string of digits that a database integer can hold, else None."""
    return as_id(value)


class ApplicationFacts:
    """The facts about one application that its guards read.

    What comes from the database is read on demand, through the batched function of ``BATCHED`` asked
    about this application alone; ``ApplicationFacts.many`` reads it for many applications at once.
    """

    def __init__(self, app: Application, data: dict | None, user: User | None):
        self.app = app
        self.data = data or {}
        self.user = user

    @classmethod
    def many(cls, apps: list[Application], user: User | None, facts=tuple(BATCHED)) -> dict[int, ApplicationFacts]:
        """The facts of each application (by id), with ``facts`` (names of ``BATCHED``) read for all of them
        at once: one query per fact, whatever the number of applications."""
        result = {a.id: cls(a, {}, user) for a in apps}
        for name in facts:
            values = BATCHED[name](apps)
            for app_id, f in result.items():
                f.__dict__[name] = values[app_id]  # what the cached property would have computed
        return result

    def _batched(self, name: str):
        return BATCHED[name]([self.app])[self.app.id]

    # -- the form, the self-assessment, the documents ---------------------------------
    @cached_property
    def apl01_missing(self) -> list[str]:
        """The required fields empty; the route counts as empty when the scheme no longer opens it
        (it was open when saved, ``update_apl01`` checks that), as the candidate must choose again."""
        form = self.app.apl01 or {}
        missing = [f for f in APL01_REQUIRED if form.get(f) in (None, "")]
        if "route" not in missing and (self.route is None or not self.route.enabled):
            missing.insert(APL01_REQUIRED.index("route"), "route")
        return missing

    @cached_property
    def _document_status(self) -> dict[str, set[str]]:
        return self._batched("_document_status")

    @cached_property
    def required_documents(self) -> list[str]:
        """The documents the application needs (requirement keys: a portfolio per unit on ``rpl``)."""
        return required_documents(self.app)

    @cached_property
    def missing_documents(self) -> list[str]:
        have = self._document_status
        return [k for k in self.required_documents if not (have.get(k, set()) - {"invalid"})]

    @cached_property
    def documents_not_valid(self) -> list[str]:
        have = self._document_status
        return [k for k in self.required_documents if "valid" not in have.get(k, set())]

    @cached_property
    def unreplaced_documents(self) -> list[str]:
        """The requirements with a document marked invalid and no new upload (a document not reviewed yet)."""
        have = self._document_status
        return [k for k, statuses in have.items() if "invalid" in statuses and "pending" not in statuses]

    @cached_property
    def unanswered_criteria(self) -> int:
        return self._batched("unanswered_criteria")

    # -- eligibility -------------------------------------------------------------------
    @property
    def education_field(self):
        return (self.app.apl01 or {}).get("education_field")

    @property
    def practice_hours(self) -> int:
        try:
            return int((self.app.apl01 or {}).get("practice_hours") or 0)
        except (TypeError, ValueError):
            return 0

    @property
    def route_name(self) -> str | None:
        return (self.app.apl01 or {}).get("route")

    @cached_property
    def route(self):
        return chosen_route(self.app)

    @cached_property
    def profile(self):
        return application_profile(self.app)

    @cached_property
    def route_missing(self):
        """What the candidate's profile lacks for the chosen route (``workflows.eligibility.route_missing``)."""
        return route_missing(self.route, self.profile) if self.route is not None else ()

    @property
    def accepted_education(self) -> list[str]:
        return self.app.scheme.accepted_education

    @property
    def min_practice_hours(self) -> int:
        return self.app.scheme.min_practice_hours

    # -- the team ----------------------------------------------------------------------
    @property
    def scheme_code(self) -> str:
        return self.app.scheme.code

    @property
    def min_team_size(self) -> int:
        return self.app.scheme.min_team_size

    @cached_property
    def team(self) -> TeamFacts | None:
        team_id = _record_id(self.data.get("team"))
        if team_id is None:
            return None
        stmt = select(Team).where(Team.id == team_id, Team.active.is_(True))
        scope = dinas_scope(self.user) if self.user is not None else None
        if self.user is not None and not self.user.has_role("admin"):
            if scope is None:
                return None
            stmt = stmt.where(Team.dinas_id.in_(scope))
        team = db.session.scalar(stmt)
        if team is None:
            return None
        members = [row.assessor for row in team.member_rows]
        loads = active_loads([m.id for m in members])
        conflicts = member_conflicts(self.app, members, self.data.get("override_reason"))
        return team_facts(team, members, loads, conflicts, self.app.scheme.max_load)

    @cached_property
    def _declarations(self) -> dict[int, bool]:
        return self._batched("_declarations")

    @property
    def conflicted_members(self) -> list[str]:
        team = self.app.team
        return [r.assessor.user.name for r in team.member_rows if self._declarations.get(r.assessor_id) is True]

    @property
    def undeclared_members(self) -> list[str]:
        team = self.app.team
        return [r.assessor.user.name for r in team.member_rows if r.assessor_id not in self._declarations]

    @cached_property
    def scored_since_assignment(self) -> int:
        """Scores recorded after the team was assigned (a kept score of an earlier assessment is older)."""
        return self._batched("scored_since_assignment")

    @cached_property
    def agreement_unsigned(self) -> tuple[str, ...] | None:
        """Who has not signed the assessment agreement yet; None when there is none."""
        return self._batched("agreement_unsigned")

    # -- scores and the decision ---------------------------------------------------------
    @cached_property
    def _lead_results(self) -> list[tuple[str, str | None]]:
        """(unit code, the lead's result or None) for every criterion of the scheme."""
        return self._batched("_lead_results")

    @property
    def unscored_criteria(self) -> int:
        return sum(1 for _, r in self._lead_results if r is None)

    @property
    def unit_results(self) -> dict[str, str]:
        results: dict[str, str] = {}
        for unit, r in self._lead_results:
            results[unit] = "K" if results.get(unit, "K") == "K" and r == "K" else "BK"
        return results

    @property
    def bk_units(self) -> list[str]:
        """The units the last assessment did not judge K."""
        return [u for u, r in self.unit_results.items() if r != "K"]

    @property
    def recommendation(self) -> str | None:
        return self.app.recommendation

    @property
    def decided_at(self) -> datetime | None:
        return self.app.decided_at

    @cached_property
    def decision_appealed(self) -> bool:
        """Whether the current decision has already been appealed once."""
        return self._batched("decision_appealed")

    @property
    def revision_deadline(self) -> date | None:
        return self.app.revision_deadline


class CertificateFacts:
    """The facts about one certificate that its guards read."""

    def __init__(self, cert: Certificate):
        self.cert = cert

    @property
    def expires_on(self) -> date:
        return self.cert.expires_on
