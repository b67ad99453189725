"""A functional position (jabatan fungsional) and its levels, each text in Indonesian and English.

Every claim about a regulation (what a level asks, how certification relates to entering or moving
up a level) carries a ``*_to_confirm`` flag: the pages show a visible note until the certification
body has confirmed it. A level names the schemes that serve it by code (``scheme_codes``), so a
scheme's new version or a scheme not yet created breaks nothing. Each level also answers APL-01's
code of it (``PositionLevel.jf_level``), the code the staff register and the applications keep.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow.extensions import db
from workflows.identity import jf_level_code

TRACKS = ("skilled", "expert", "single")


class FunctionalPosition(db.Model):
    """A jabatan fungsional (e.g. Pekerja Sosial): what it does, and the regulation it stands on."""

    __tablename__ = "functional_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_id: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    regulation_id: Mapped[str] = mapped_column(Text, default="")
    regulation_en: Mapped[str] = mapped_column(Text, default="")
    regulation_to_confirm: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    levels: Mapped[list[PositionLevel]] = relationship(
        back_populates="functional_position",
        order_by=lambda: (PositionLevel.position, PositionLevel.id),
        cascade="all, delete-orphan",
    )

    def text(self, name: str, lang: str) -> str:
        """The field ``name`` in ``lang`` (``id`` or ``en``), the Indonesian text when the English one is empty."""
        value = getattr(self, f"{name}_{'en' if lang == 'en' else 'id'}")
        return value or getattr(self, f"{name}_id")


class PositionLevel(db.Model):
    """A level (jenjang) of a position on its track: what it asks, how certification relates to it."""

    __tablename__ = "position_levels"
    __table_args__ = (CheckConstraint("track IN ('skilled', 'expert', 'single')", name="track"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    functional_position_id: Mapped[int] = mapped_column(
        ForeignKey("functional_positions.id", ondelete="CASCADE"), index=True
    )
    track: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    name_id: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    asks_id: Mapped[str] = mapped_column(Text, default="")
    asks_en: Mapped[str] = mapped_column(Text, default="")
    asks_to_confirm: Mapped[bool] = mapped_column(default=True)
    certification_id: Mapped[str] = mapped_column(Text, default="")
    certification_en: Mapped[str] = mapped_column(Text, default="")
    certification_to_confirm: Mapped[bool] = mapped_column(default=True)
    scheme_codes: Mapped[str] = mapped_column(String(255), default="")

    functional_position: Mapped[FunctionalPosition] = relationship(back_populates="levels")

    text = FunctionalPosition.text

    @property
    def jf_level(self) -> str | None:
        """APL-01's code of this level (``peksos_ahli_pertama``), from its name and its position's, or None.

        The staff register and APL-01 speak these codes; the level's name says the level (``Ahli
        Pertama``), the position's name the track (``Penyuluh Sosial``). A level named otherwise has none.
        """
        return jf_level_code(self.name_id, self.functional_position.name_id)

    @property
    def codes(self) -> list[str]:
        """The codes of the schemes that serve this level, in order."""
        return [c for c in (part.strip() for part in self.scheme_codes.split(",")) if c]
