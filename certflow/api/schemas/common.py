"""Schemas every resource shares: the error body, references, pages, instants, paging."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import Field, PlainSerializer, WithJsonSchema

from certflow.core.converters import MAX_ID
from certflow.core.schemas import Id, QueryInt, QueryModel, ResponseModel


def _instant(value: datetime) -> str:
    # SQLite hands back naive UTC datetimes: always say the offset (RFC 3339).
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


Instant = Annotated[
    datetime,
    PlainSerializer(_instant, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = date


class ErrorDetail(ResponseModel):
    """The ``error`` object: a snake_case code, a sentence, the fields at fault, the rule broken."""

    code: str
    message: str
    fields: list[str] | None = Field(None, description="validation_error: every field at fault")
    rule: str | None = Field(None, description="guard_failed: the rule that failed")
    assessor: int | None = Field(None, description="guard_failed on a team: the assessor the rule names")


class ImportProblem(ResponseModel):
    """One thing wrong in a bad row of an import: the column (its header as the file writes it), and what."""

    column: str | None = None
    message: str


class ImportRow(ResponseModel):
    """A bad row of an import: its number in the file (the header is 1), every problem in one sentence and each."""

    line: int
    reason: str
    problems: list[ImportProblem] | None = None


class RefusedLine(ResponseModel):
    """A refused line of a batch."""

    application: int | None = None
    code: str
    message: str


class ErrorBody(ResponseModel):
    """Every error's body (API.md); an import's 422 adds ``rows``, a plenary decision's 422 ``lines``."""

    error: ErrorDetail
    rows: list[ImportRow] | None = None
    lines: list[RefusedLine] | None = Field(None, description="lines_refused: every refused line of a decision")


class Ref(ResponseModel):
    """A reference to a record by id, with its name."""

    id: int
    name: str


class PageQuery(QueryModel):
    """``?page=&per_page=`` (at most 100 a page)."""

    page: QueryInt(1, MAX_ID // 100) = 1
    per_page: QueryInt(1, 100) = 20


class Page(ResponseModel):
    """The paging fields of a page of records."""

    total: int
    page: int
    per_page: int


__all__ = ["Day", "ErrorBody", "Id", "Instant", "Page", "PageQuery", "Ref"]
