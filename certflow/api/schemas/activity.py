"""Notifications, imports and reports: what the caller is told, what an admin loads, the figures."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from certflow.api.schemas.common import Instant, Page, PageQuery
from certflow.core.schemas import QueryId, QueryModel, RequestModel, ResponseModel


class NotificationQuery(PageQuery):
    """``?unread=true`` only unread ones, ``false`` only read ones."""

    unread: bool | None = None


class NotificationOut(ResponseModel):
    """One notification, its message in the caller's language."""

    id: int
    event: str
    workflow: str | None = None
    application: int | None
    certificate: str | None = None
    message: str
    created_at: Instant
    read: bool
    read_at: Instant | None = None


class NotificationPage(Page):
    """A page of notifications, and how many are unread."""

    items: list[NotificationOut]
    unread: int


class NotificationRead(ResponseModel):
    """A notification marked read."""

    id: int
    read: bool
    read_at: Instant


class NotificationsRead(ResponseModel):
    """How many were marked read."""

    marked: int
    unread: int


class CsvUpload(RequestModel):
    """The multipart form of an import: a CSV (``,`` or ``;``) or an .xlsx workbook, with a header row."""

    file: bytes = Field(json_schema_extra={"format": "binary"})


class ImportResult(ResponseModel):
    """An import where every row was good."""

    imported: int
    unchanged: int


class TemplateQuery(QueryModel):
    """``?format=csv|xlsx&language=en|id`` of an import's template (language: the reader's by default)."""

    format: Literal["csv", "xlsx"] = "csv"
    language: Literal["en", "id"] | None = None


class ReportQuery(QueryModel):
    """``?dinas=&province=`` (ids) narrow the scope."""

    dinas: QueryId | None = None
    province: QueryId | None = None


class Education(ResponseModel):
    """Candidates by education."""

    peksos_kesos: int
    other: int


class Capacity(ResponseModel):
    """The assessor capacity of a scheme against its open demand."""

    scheme: str
    assessors: int
    capacity: int
    open_demand: int


class ReportScope(ResponseModel):
    """The scope the figures cover."""

    dinas: int | None
    province: int | None
    dinas_count: int | None


class ReportOut(ResponseModel):
    """The figures of the caller's scope."""

    by_state: dict[str, int]
    certified_by_scheme: dict[str, int]
    education: Education
    assessor_capacity: list[Capacity]
    expiring_90_days: int
    median_days_in_state: dict[str, float | None]
    scope: ReportScope | None = None
