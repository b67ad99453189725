"""The public self-check (API.md "Eligibility (public)"): a person's answers in, schemes and routes out."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from certflow.core.schemas import Int, RequestModel, ResponseModel

EducationField = Literal["peksos", "kesos", "other"]
EducationLevel = Literal["SMA", "D1", "D3", "D4", "S1", "S2", "S3"]
RouteName = Literal["education", "experience", "rpl"]


class EligibilityCheckIn(RequestModel):
    """What a person says of themself: education field and level, practice hours, training, position."""

    education_field: EducationField
    education_level: EducationLevel
    practice_hours: Int(0, 100_000)
    training: bool = Field(description="whether the person has done the scheme's training (diklat)")
    position: str | None = Field(None, max_length=120, description="the current position, in the person's words")


class RouteCheckOut(ResponseModel):
    """A route of a scheme: open now, or what is missing (sentences in the reader's language)."""

    route: RouteName
    open: bool
    missing: list[str]


class SchemeCheckOut(ResponseModel):
    """An active scheme and each of its routes."""

    code: str
    name: str
    routes: list[RouteCheckOut]


class EligibilityCheckOut(ResponseModel):
    """Every active scheme, with which routes are open to the person and what each closed one lacks."""

    schemes: list[SchemeCheckOut]
