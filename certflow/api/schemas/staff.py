"""The education-gap register's figures (``GET /staff/figures``)."""

from __future__ import annotations

from pydantic import Field

from certflow.core.schemas import QueryId, QueryModel, ResponseModel


class StaffFiguresQuery(QueryModel):
    """``?dinas=&province=`` (ids) narrow the scope."""

    dinas: QueryId | None = None
    province: QueryId | None = None


class RouteCounts(ResponseModel):
    """Staff to whom each route is open now in some active scheme (one person may count under several)."""

    education: int
    experience: int
    rpl: int


class StaffCounts(ResponseModel):
    """The register's counts of one unit (the scope, a province, a dinas)."""

    staff: int
    peksos_kesos: int
    other: int
    could_apply: int
    needs_practice: int
    needs_education: int
    by_route: RouteCounts
    by_level: dict[str, int] = Field(
        description="Staff per functional-position level, by APL-01's codes (`peksos_terampil` … "
        "`penyuluh_ahli_utama`, `none`: no functional position), and `not_known` where the register has none; "
        "every code is listed, 0 included."
    )


class UnitCounts(StaffCounts):
    """The counts of one province or dinas, with its id and name."""

    id: int
    name: str


class StaffScope(ResponseModel):
    """The scope the figures cover: the dinas / province narrowed to, how many dinas (null: the whole region)."""

    dinas: int | None
    province: int | None
    dinas_count: int | None


class StaffFiguresOut(StaffCounts):
    """The education gap of the scope, then per province and per dinas (names are not listed here)."""

    scope: StaffScope
    by_province: list[UnitCounts]
    by_dinas: list[UnitCounts]
