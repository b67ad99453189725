"""Records of the assessment: the FR.AK.01 agreement, FR.AK.02 per unit, FR.AK.03 feedback."""

from __future__ import annotations

from datetime import time as Time
from typing import Literal

from pydantic import Field

from certflow.api.schemas.common import Day, Instant
from certflow.core.schemas import Code, Int, RequestModel, ResponseModel, Text
from certflow.models.assessment import METHODS

Method = Literal[METHODS]


# -- requests ----------------------------------------------------------------------------------


class EvidenceIn(RequestModel):
    """The evidence to be gathered for one unit: the methods."""

    unit: Code
    methods: list[Method] = Field(min_length=1, max_length=len(METHODS))


class AgreementIn(RequestModel):
    """The terms of FR.AK.01: date, time, venue, and the methods for every unit of the scheme."""

    date: Day
    time: Time
    venue: str | None = Field(None, max_length=255)
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=500)


class UnitRecordIn(RequestModel):
    """FR.AK.02 of one unit: the methods used, the lead's feedback (the result comes from the scores)."""

    unit: Code
    methods: list[Method] = Field(min_length=1, max_length=len(METHODS))
    feedback: Text | None = None


class UnitRecordsIn(RequestModel):
    """Some or all units of FR.AK.02."""

    records: list[UnitRecordIn] = Field(min_length=1, max_length=500)


class FeedbackAnswerIn(RequestModel):
    """One question of FR.AK.03: yes or no, and a comment."""

    item: Int(1, 10)
    answer: bool
    comment: Text | None = None


class FeedbackIn(RequestModel):
    """FR.AK.03: the answers to the ten questions, and general comments."""

    answers: list[FeedbackAnswerIn] = Field(min_length=1, max_length=10)
    comments: Text | None = None


# -- answers -----------------------------------------------------------------------------------


class EvidenceOut(ResponseModel):
    """The methods for one unit."""

    unit: str
    methods: list[str]


class AgreementOut(ResponseModel):
    """FR.AK.01 as written, and who signed it when."""

    application: int
    date: Day
    time: str
    venue: str
    evidence: list[EvidenceOut]
    signed_by_candidate_at: Instant | None = None
    signed_by_lead_at: Instant | None = None
    signed: bool
    updated_at: Instant


class UnitRecordOut(ResponseModel):
    """FR.AK.02 of one unit."""

    unit: str
    title: str
    methods: list[str]
    result: Literal["K", "BK"] | None = Field(None, description="from the lead's scores; none while unscored")
    feedback: str
    recorded: bool
    updated_at: Instant | None = None


class UnitRecordsOut(ResponseModel):
    """FR.AK.02 of every unit of the scheme."""

    items: list[UnitRecordOut]


class FeedbackAnswerOut(ResponseModel):
    """One answer of FR.AK.03."""

    item: int
    answer: bool
    comment: str


class FeedbackOut(ResponseModel):
    """FR.AK.03 as the candidate gave it."""

    application: int
    answers: list[FeedbackAnswerOut]
    comments: str
    submitted_at: Instant
