"""Venues (TUK), schedules and the assessment event (API.md "Venues, schedules and the assessment event")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from certflow.api.schemas.common import Day, Instant, Page, PageQuery, Ref
from certflow.core.schemas import Code, Id, Int, QueryId, QueryModel, RequestModel, ResponseModel, Text
from certflow.models.schedules import VENUE_KINDS
from certflow.schedules.venues import FACILITIES, MAX_CAPACITY
from workflows import SCHEDULE

VenueKind = Literal[VENUE_KINDS]


class VenueQuery(QueryModel):
    """``?dinas=`` (an id)."""

    dinas: QueryId | None = None


class VenueNew(RequestModel):
    """A new venue of a dinas the caller administers (default: their own)."""

    name: str = Field(min_length=1, max_length=160)
    kind: VenueKind
    dinas: Id | None = None
    address: str = Field(min_length=1, max_length=500)
    capacity: Int(1, MAX_CAPACITY)


class VenueChange(RequestModel):
    """Change a venue (only the fields sent); ``"active": false`` retires it."""

    name: str | None = Field(None, min_length=1, max_length=160)
    kind: VenueKind | None = None
    dinas: Id | None = None
    address: str | None = Field(None, min_length=1, max_length=500)
    capacity: Int(1, MAX_CAPACITY) | None = None
    active: bool | None = None


class VerificationIn(RequestModel):
    """A check of the venue against the facilities checklist."""

    facilities_ok: bool
    note: Text | None = None
    checklist: dict[Literal[FACILITIES], bool] | None = None


class VerificationOut(ResponseModel):
    """A verification record: by whom, when, the result."""

    id: int
    facilities_ok: bool
    note: str
    checklist: dict[str, bool]
    verified_by: Ref
    verified_at: Instant


class VenueOut(ResponseModel):
    """A venue, with its latest verification (null: never verified)."""

    id: int
    name: str
    kind: str
    dinas: Ref
    address: str
    capacity: int
    active: bool
    version: int
    verification: VerificationOut | None = None


class ScheduleQuery(PageQuery):
    """Filters of the schedule list (an empty value filters nothing)."""

    scheme: str | None = Field(None, max_length=64)
    dinas: QueryId | None = None
    state: Literal[SCHEDULE.states] | Literal[""] | None = None


class ScheduleNew(RequestModel):
    """A new schedule (state ``planned``)."""

    scheme: Code
    venue: Id
    starts_at: Instant
    quota_min: Int(1, 500)
    quota_max: Int(1, 500)
    registration_closes: Day
    team: Id


class ScheduleChange(RequestModel):
    """Change a planned or open schedule (only the fields sent); ``version`` as last read, if given."""

    venue: Id | None = None
    starts_at: Instant | None = None
    quota_min: Int(1, 500) | None = None
    quota_max: Int(1, 500) | None = None
    registration_closes: Day | None = None
    team: Id | None = None
    version: Id | None = None


class ScheduleEventIn(RequestModel):
    """A schedule event: ``open``, ``confirm``, ``hold``, ``report`` (``data.notes``) or ``cancel`` (``reason``)."""

    event: Code
    reason: Text | None = None
    data: dict[str, Any] | None = None
    version: Id | None = None


class PlacementIn(RequestModel):
    """The applications to place on the schedule."""

    applications: list[Id] = Field(min_length=1, max_length=200)


class Refusal(ResponseModel):
    """A placement refused: the application, the error code, the message, the rule broken."""

    application: int
    code: str
    message: str
    rule: str | None = None


class PlacementOut(ResponseModel):
    """Who was placed, and each refusal named."""

    placed: list[int]
    refused: list[Refusal]


class AttendanceIn(RequestModel):
    """The placed applications whose candidates attended (every other placed one is absent)."""

    present: list[Id] = Field(max_length=500)
    version: Id | None = None


class MissingOut(ResponseModel):
    """Something missing for the next step: the rule, and what to do."""

    rule: str
    message: str


class VenueRef(ResponseModel):
    """The venue of a schedule."""

    id: int
    name: str
    kind: str
    address: str


class AttendanceOut(ResponseModel):
    """Whether a placed candidate attended."""

    application: int
    present: bool


class ScheduleSummary(ResponseModel):
    """A schedule in a list."""

    id: int
    state: str
    version: int
    scheme: str
    dinas: Ref
    venue: VenueRef
    starts_at: Instant
    quota_min: int
    quota_max: int
    registration_closes: Day
    team: Ref


class ScheduleOut(ScheduleSummary):
    """A schedule, with the events the caller may fire now and what is missing for the next step."""

    applications: list[int]
    allowed_events: list[str]
    next_event: str | None = None
    missing: list[MissingOut] = []
    attendance: list[AttendanceOut] = []
    cancel_reason: str | None = None
    report_notes: str | None = None


class ScheduleList(Page):
    """A page of schedules."""

    items: list[ScheduleSummary]
