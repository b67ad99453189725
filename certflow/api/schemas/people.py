"""Assessors and teams (dinas admins): the pool, its licences and load, the teams."""

from __future__ import annotations

from pydantic import Field

from certflow.api.schemas.common import Day, Ref
from certflow.core.schemas import Code, Id, Int, QueryId, QueryModel, RequestModel, ResponseModel


class PoolQuery(QueryModel):
    """``?scheme=`` (a code) and ``?dinas=`` (an id)."""

    scheme: str | None = Field(None, max_length=64)
    dinas: QueryId | None = None


class AssessorNew(RequestModel):
    """Register a user of the admin's region as an assessor."""

    user: Id
    licence_number: str = Field(max_length=64)
    licence_expires: Day
    schemes: list[Code] = Field(min_length=1, max_length=50)
    max_load: Int(1, 50) | None = None
    dinas: Id | None = None


class AssessorChange(RequestModel):
    """Change an assessor; ``"active": false`` deactivates."""

    licence_number: str | None = Field(None, max_length=64)
    licence_expires: Day | None = None
    schemes: list[Code] | None = Field(None, min_length=1, max_length=50)
    max_load: Int(1, 50) | None = None
    dinas: Id | None = None
    active: bool | None = None


class AssessorOut(ResponseModel):
    """An assessor as admins see it."""

    id: int
    user: int
    name: str
    email: str
    dinas: Ref
    licence_number: str
    licence_expires: Day
    licence_valid: bool
    licence_expiring_soon: bool
    schemes: list[str]
    active: bool
    active_load: int
    max_load: int


class TeamNew(RequestModel):
    """Form a team."""

    dinas: Id
    scheme: Code
    name: str = Field(max_length=160)
    lead: Id
    members: list[Id] = Field([], max_length=50)


class TeamChange(RequestModel):
    """Rename a team, change its lead or members, or disband it."""

    name: str | None = Field(None, max_length=160)
    lead: Id | None = None
    members: list[Id] | None = Field(None, max_length=50)
    active: bool | None = None


class TeamMember(ResponseModel):
    """A member of a team."""

    id: int
    user: int
    name: str


class TeamOut(ResponseModel):
    """A team with its lead and members."""

    id: int
    name: str
    dinas: Ref
    scheme: str
    lead: Ref
    members: list[TeamMember]
    active: bool
    open_assessments: int
