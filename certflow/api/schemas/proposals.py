"""Forming teams (dinas admins): proposals from the pool, accepting them, replacing a member."""

from __future__ import annotations

from pydantic import Field

from certflow.api.schemas.common import Day
from certflow.core.schemas import Code, Id, RequestModel, ResponseModel

MAX_APPLICATIONS = 2000


class ProposalRequest(RequestModel):
    """Propose teams for eligible candidates of one scheme; ``date``: the event's (default today).

    Or give ``schedule`` alone: its scheme, its candidates and its date (for licence validity)."""

    scheme: Code | None = None
    applications: list[Id] | None = Field(default=None, min_length=1, max_length=MAX_APPLICATIONS)
    date: Day | None = None
    schedule: Id | None = None


class ProposedMember(ResponseModel):
    """A proposed member and why they are on the team."""

    assessor: int
    name: str
    dinas: str
    why: str


class ProposedTeam(ResponseModel):
    """A proposed team: lead, members (lead first), the applications it would assess."""

    lead: int
    members: list[ProposedMember]
    applications: list[int]
    needs_override_reason: bool = Field(description="a member works in a candidate's own dinas (scheme allows it)")


class Unassigned(ResponseModel):
    """A candidate no valid team can assess, and what is missing."""

    application: int
    missing: str


class ShortfallOut(ResponseModel):
    """How many more assessors are needed and from where."""

    scheme: str
    needed: int
    where: str
    message: str


class ProposalOut(ResponseModel):
    """The proposal; nothing is written."""

    teams: list[ProposedTeam]
    unassigned: list[Unassigned]
    shortfall: list[ShortfallOut]
    actions: list[str]
    optimal: bool


class AcceptTeam(RequestModel):
    """A team to form and assign (as proposed, or edited)."""

    lead: Id
    members: list[Id] = Field([], max_length=50)
    applications: list[Id] = Field(min_length=1, max_length=MAX_APPLICATIONS)
    name: str | None = Field(None, max_length=160)
    override_reason: str | None = Field(None, max_length=4000)


class AcceptRequest(RequestModel):
    """The (possibly edited) teams of a proposal; with ``schedule``, its one team becomes the schedule's."""

    teams: list[AcceptTeam] = Field(min_length=1, max_length=500)
    schedule: Id | None = None


class AcceptOut(ResponseModel):
    """The ids of the teams formed."""

    teams: list[int]


class ReplacementRequest(RequestModel):
    """Replace a member of a team: who leaves, who joins, why."""

    leaving: Id
    joining: Id
    reason: str = Field(min_length=1, max_length=4000)


class ReplacementOut(ResponseModel):
    """A replacement recorded."""

    id: int
    team: int
    leaving: int
    joining: int
    reason: str
    applications: list[int]
