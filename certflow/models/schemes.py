"""Certification schemes and their competency standards."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow.extensions import db
from certflow.models.types import JSONType

DOCUMENT_KINDS = (
    "diploma",
    "work_letter",
    "recommendation",
    "practice_log",
    "training_certificate",
    "portfolio",
    "photo",
    "other",
)

# Kinds a candidate uploads once per competency unit of the scheme (the ``rpl`` route's portfolio).
PER_UNIT_KINDS = ("portfolio",)


def requirement_key(kind: str, unit_code: str | None = None) -> str:
    """What one required document is called inside certflow: its kind, and for a kind asked per unit
    (``PER_UNIT_KINDS``) the unit's code after an ``@`` (``portfolio@PSG.01``). Never shown to people."""
    return f"{kind}@{unit_code}" if unit_code else kind


def split_requirement_key(key: str) -> tuple[str, str | None]:
    """``requirement_key`` read back: the kind and the unit code (None: not asked per unit)."""
    kind, at, unit = key.partition("@")
    return kind, (unit if at else None)


class Scheme(db.Model):
    """A skema sertifikasi: what a candidate is certified in, and its rules."""

    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    validity_years: Mapped[int] = mapped_column(default=5)
    min_team_size: Mapped[int] = mapped_column(default=2)
    max_load: Mapped[int] = mapped_column(default=5)
    allow_same_dinas: Mapped[bool] = mapped_column(default=False)
    min_practice_hours: Mapped[int] = mapped_column(default=0)
    accepted_education: Mapped[list] = mapped_column(JSONType, default=list)
    required_documents: Mapped[list] = mapped_column(JSONType, default=list)
    # The eligibility routes (``workflows.eligibility.Route.as_data``); None: follow the older rules.
    routes: Mapped[list | None] = mapped_column(JSONType, nullable=True, default=None)
    active: Mapped[bool] = mapped_column(default=True)

    units: Mapped[list[Unit]] = relationship(
        back_populates="scheme", order_by="Unit.position", cascade="all, delete-orphan"
    )


class Unit(db.Model):
    """A unit kompetensi of a scheme."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    scheme: Mapped[Scheme] = relationship(back_populates="units")
    elements: Mapped[list[Element]] = relationship(
        back_populates="unit", order_by="Element.position", cascade="all, delete-orphan"
    )


class Element(db.Model):
    """An elemen of a unit."""

    __tablename__ = "elements"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship(back_populates="elements")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="element", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    """A KUK (kriteria unjuk kerja), judged K or BK.

    ``scheme_id`` and ``unit_id`` are copied from the element so the engine's
    guards count and group criteria with one query.
    """

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("elements.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(56))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    element: Mapped[Element] = relationship(back_populates="criteria")
