"""Reference data and the caller: schemes with their standards, the dinas, workflows, tokens, me."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from certflow.api.schemas.common import Instant, Ref
from certflow.core.schemas import Code, QueryModel, RequestModel, ResponseModel


class CriterionOut(ResponseModel):
    """A performance criterion."""

    code: str
    text: str


class ElementOut(ResponseModel):
    """An element of competency."""

    code: str
    title: str
    criteria: list[CriterionOut]


class UnitOut(ResponseModel):
    """A unit of competency."""

    code: str
    title: str
    elements: list[ElementOut]


class RouteOut(ResponseModel):
    """One eligibility route of a scheme: its rules and the documents it asks for."""

    route: str
    enabled: bool
    education_fields: list[str]
    min_education_level: str | None = None
    min_practice_hours: int
    training_required: bool
    documents: list[str]


class SchemeOut(ResponseModel):
    """A scheme with its rules and its units → elements → criteria."""

    code: str
    name: str
    level: str | None = None
    validity_years: int
    min_team_size: int | None = None
    max_load: int | None = None
    min_practice_hours: int | None = None
    accepted_education: list[str] = []
    required_documents: list[str]
    routes: list[RouteOut] = []
    units: list[UnitOut]


class Province(ResponseModel):
    """A province."""

    id: int
    code: str
    name: str


class DinasOut(ResponseModel):
    """A dinas with its kind and province."""

    id: int
    name: str
    kind: str
    province: Province


class DinasQuery(QueryModel):
    """``?province=`` an id or a name."""

    province: str | None = Field(None, max_length=200)


class WorkflowEvent(ResponseModel):
    """An event of a workflow: from, to, roles, guards (and whatever else the definition says)."""

    model_config = ConfigDict(from_attributes=True, extra="allow")

    name: str
    from_: list[str] = Field(alias="from", serialization_alias="from")
    to: list[str]
    routes: list[dict[str, Any]] = []
    roles: list[str]
    who: list[dict[str, Any]] = []
    guards: list[str]
    notify: list[str] = []


class WorkflowOut(ResponseModel):
    """A workflow definition, exactly as the engine runs it (every key of the definition kept)."""

    model_config = ConfigDict(from_attributes=True, extra="allow")

    name: str
    version: int
    initial: str
    states: list[str]
    final: list[str]
    events: list[WorkflowEvent]


class Credentials(RequestModel):
    """An e-mail and password to exchange for a token."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class TokenOut(ResponseModel):
    """A bearer token and when it expires."""

    token: str
    expires_at: Instant


class MeOut(ResponseModel):
    """The caller."""

    id: int
    email: str
    name: str
    roles: list[str]
    locale: str | None = None
    dinas: Ref | None


__all__ = ["Code"]
