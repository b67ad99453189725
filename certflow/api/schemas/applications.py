"""Applications: the application, its APL-01 form, self-assessment, documents, events, history, scores, declarations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from certflow.api.schemas.common import Day, Instant, Page, PageQuery, Ref
from certflow.core.schemas import Code, Id, Int, QueryId, RequestModel, ResponseModel, Text
from workflows import APPLICATION
from workflows.identity import JF_LEVELS

Claim = Literal["K", "BK"]
APPLICATION_STATES = tuple(APPLICATION.states)


# -- requests ----------------------------------------------------------------------------------


class ApplicationNew(RequestModel):
    """Open a draft: the scheme's code; ``renews`` a live certificate's number (recertification)."""

    scheme: Code
    renews: Code | None = None


class ApplicationQuery(PageQuery):
    """Filters of the application list (an empty value filters nothing)."""

    state: Literal[APPLICATION_STATES] | Literal[""] | None = None
    scheme: str | None = Field(None, max_length=64)
    dinas: QueryId | None = None


class Apl01(RequestModel):
    """The APL-01 form: fields not sent are kept, ``null`` clears one."""

    education_field: Literal["peksos", "kesos", "other"] | None = None
    education_level: Literal["SMA", "D1", "D3", "D4", "S1", "S2", "S3"] | None = None
    practice_hours: Int(0, 100_000) | None = None
    route: Literal["education", "experience", "rpl"] | None = None
    purpose: Literal["certification", "recertification", "rpl", "jf_entry", "jf_promotion"] | None = None
    training: bool | None = None
    workplace: str | None = Field(None, max_length=200)
    position: str | None = Field(None, max_length=120)
    employee_id: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=500)
    nik: str | None = Field(
        None, max_length=24, description="NIK, 16 digits (spaces or dots between groups are dropped)"
    )
    birth_place: str | None = Field(None, max_length=100)
    birth_date: Day | None = Field(None, description="date of birth, YYYY-MM-DD; age 17 to 80")
    sex: Literal["male", "female"] | None = None
    jf_level: Literal[JF_LEVELS] | None = Field(None, description="functional-position level, or none")


class ClaimIn(RequestModel):
    """One APL-02 claim."""

    criterion: Code
    claim: Claim
    evidence: Text | None = None


class SelfAssessmentIn(RequestModel):
    """Some or all of the APL-02 claims."""

    answers: list[ClaimIn] = Field(min_length=1, max_length=2000)


class ScoreIn(RequestModel):
    """One assessor's result for one criterion."""

    criterion: Code
    result: Claim
    method: Code | None = None
    evidence: Text


class ScoresIn(RequestModel):
    """Some or all of the caller's scores."""

    scores: list[ScoreIn] = Field(min_length=1, max_length=2000)


class EventIn(RequestModel):
    """A workflow event to fire: its name, a reason, its data, and the version the caller saw."""

    event: Code
    reason: Text | None = None
    data: dict[str, Any] | None = None
    version: Id | None = None


class DocumentReview(RequestModel):
    """A dinas admin's verdict on a document."""

    status: Literal["valid", "invalid"]
    note: Text | None = None


class DocumentUpload(RequestModel):
    """The multipart form of an upload."""

    kind: Code
    unit: str | None = Field(
        None, max_length=40, description="The code of the competency unit a portfolio is for (a portfolio only)."
    )
    file: bytes = Field(json_schema_extra={"format": "binary"})


class ConflictIn(RequestModel):
    """A team member's declaration of (no) conflict of interest."""

    conflict: bool
    note: Text | None = None


# -- answers -----------------------------------------------------------------------------------


class SchemeRef(ResponseModel):
    """The scheme of an application."""

    code: str
    name: str


class CertificateBrief(ResponseModel):
    """The certificate issued on an application."""

    number: str
    status: str
    issued_on: Day
    expires_on: Day


class TeamMemberOut(ResponseModel):
    """A member of an application's team."""

    id: int
    name: str
    lead: bool
    conflict_declared: bool | None


class ApplicationTeam(ResponseModel):
    """The team assigned to an application."""

    id: int
    name: str
    lead: Ref | None
    members: list[TeamMemberOut]


class DocumentOut(ResponseModel):
    """A document's metadata (the file itself is at ``/documents/<id>/file``)."""

    id: int
    kind: str
    unit: str | None = Field(None, description="The code of the competency unit a portfolio is for.")
    filename: str
    content_type: str | None = None
    size: int | None = None
    status: str
    note: str | None = None
    uploaded_at: Instant | None = None
    reviewed_at: Instant | None = None


class ApplicationSummary(ResponseModel):
    """An application in a list."""

    id: int
    state: str
    version: int
    scheme: SchemeRef
    candidate: Ref
    dinas: Ref
    created_at: Instant | None = None
    updated_at: Instant | None = None
    state_changed_at: Instant | None = None


class ApplicationOut(ApplicationSummary):
    """One application as the caller may see it (no recommendation for dinas admins)."""

    allowed_events: list[str]
    certificate: CertificateBrief | None
    renews: str | None = None
    apl01: dict[str, Any] = {}
    revision_reason: str | None = None
    revision_deadline: Day | None = None
    team: ApplicationTeam | None = None
    documents: list[DocumentOut] = []
    recommendation: str | None = None


class ApplicationPage(Page):
    """A page of applications."""

    items: list[ApplicationSummary]


class ClaimOut(ResponseModel):
    """A saved claim."""

    criterion: str
    claim: str
    evidence: str | None = None


class SelfAssessmentOut(ResponseModel):
    """The saved claims and how many criteria remain."""

    answers: list[ClaimOut]
    answered: int
    unanswered: int
    total: int
    version: int | None = None


class HistoryEntry(ResponseModel):
    """One transition (``actor`` null: the system)."""

    event: str
    from_: str | None = Field(alias="from", serialization_alias="from")
    to: str
    actor: Ref | None
    at: Instant
    reason: str | None = None
    workflow: str | None = None
    workflow_version: int | None = None


class ScoreOut(ResponseModel):
    """A recorded score."""

    criterion: str
    result: str
    method: str | None = None
    evidence: str | None = None
    updated_at: Instant | None = None


class AssessorScores(ResponseModel):
    """One assessor's scores."""

    assessor: Ref
    lead: bool
    scores: list[ScoreOut]


class ScoresOut(ResponseModel):
    """Scores grouped by assessor."""

    items: list[AssessorScores]
    version: int | None = None


class ConflictOut(ResponseModel):
    """A recorded declaration."""

    assessor: int
    conflict: bool
    note: str | None = None
    declared_at: Instant | None = None
