"""Schemas of the plenary decision (API.md "Plenary decision")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certflow.core.schemas import Id, RequestModel, ResponseModel, Text

Number = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern="^[^\\u0000]*$")]


class PlenaryLineIn(RequestModel):
    """One candidate's line: K (certify) or BK (decline, with its reason)."""

    application: Id
    decision: Literal["K", "BK"]
    reason: Text | None = None


class PlenaryIn(RequestModel):
    """The decision of a reported schedule: its number, date, members (certifiers) and a line per candidate."""

    number: Number
    date: dt.date
    members: list[Id] = Field(min_length=1, max_length=50)
    lines: list[PlenaryLineIn] = Field(min_length=1, max_length=500)


class PlenaryLineOut(ResponseModel):
    application: int
    decision: str
    reason: str | None = None


class PlenaryOut(ResponseModel):
    """A recorded plenary decision."""

    id: int
    schedule: int
    number: str
    date: dt.date
    members: list[int]
    lines: list[PlenaryLineOut]
