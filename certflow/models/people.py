"""Regions, dinas, users and their roles, API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import UTCDateTime
from workflows.eligibility import EDUCATION_FIELDS

ROLES = ("candidate", "assessor", "dinas_admin", "certifier", "admin")
DINAS_KINDS = ("provinsi", "kabupaten", "kota")


# The longest position a person's profile and APL-01 keep (the self-check, registration and APL-01 forms).
POSITION_MAX = 120


class Province(db.Model):
    """A province (BPS code and name)."""

    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    region: Mapped[str] = mapped_column(String(120), default="Regional I Sumatera")


class Dinas(db.Model):
    """A Dinas Sosial: of a province (``provinsi``) or of a kabupaten/kota."""

    __tablename__ = "dinas"
    __table_args__ = (CheckConstraint(f"kind IN {DINAS_KINDS}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    area: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    province_id: Mapped[int] = mapped_column(ForeignKey("provinces.id"), index=True)

    province: Mapped[Province] = relationship(lazy="joined")

    @property
    def is_province(self) -> bool:
        """Whether this is a province's dinas (its admins see the whole province)."""
        return self.kind == "provinsi"

    @staticmethod
    def full_name(kind: str, area: str) -> str:
        """The dinas's name as DOMAIN.md writes it, e.g. 'Dinas Sosial Kota Batam'."""
        prefix = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota"}[kind]
        return f"Dinas Sosial {prefix} {area}"


class User(UserMixin, db.Model):
    """A person with one or more roles."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"education_field IS NULL OR education_field IN {EDUCATION_FIELDS}", name="education"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    dinas_id: Mapped[int | None] = mapped_column(ForeignKey("dinas.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    education_field: Mapped[str | None] = mapped_column(String(16))
    education_level: Mapped[str | None] = mapped_column(String(32))
    practice_hours: Mapped[int | None] = mapped_column()
    # The self-check's other answers, kept from registration for the first APL-01 (None: not answered).
    training: Mapped[bool | None] = mapped_column()
    position: Mapped[str | None] = mapped_column(String(POSITION_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Raised by a password change, a reset and "sign out everywhere": a session signed in under an
    # earlier epoch is no longer loaded (see ``get_id`` and the user loader).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # WhatsApp beside e-mail (certflow.notifications.whatsapp): the number in E.164 (+62…) and when the
    # person agreed to receive notifications there; no consent (None) or no number: no WhatsApp.
    whatsapp_number: Mapped[str | None] = mapped_column(String(16))
    whatsapp_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dinas: Mapped[Dinas | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:  # Flask-Login: what the session cookie keeps
        """The user's id and session epoch, ``"<id>:<epoch>"``: raising the epoch ends every session."""
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def roles(self) -> frozenset[str]:
        """The user's role ids."""
        return frozenset(r.role for r in self.role_rows)

    @property
    def wants_whatsapp(self) -> bool:
        """Whether the person gave a WhatsApp number and agreed to receive notifications there."""
        return bool(self.whatsapp_number) and self.whatsapp_consent_at is not None

    def has_role(self, role: str) -> bool:
        """Whether the user holds ``role``."""
        return role in self.roles

    def set_roles(self, roles) -> None:
        """Replace the user's roles."""
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role))


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
