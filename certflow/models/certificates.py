"""Certificates: what was certified, fixed when issued, and their live status."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certflow import clock
from certflow.extensions import db
from certflow.models.types import JSONType, UTCDateTime
from workflows import CERTIFICATE


class Certificate(db.Model):
    """An issued certificate. Everything but its status is fixed at issue."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint(f"status IN {CERTIFICATE.states}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # One application's certificate is re-issued under a new number when the holder's name is corrected:
    # the old one points to its re-issue (``reissued_as_id``) and is no longer the application's certificate.
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(160))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    scheme_code: Mapped[str] = mapped_column(String(32))
    scheme_name: Mapped[str] = mapped_column(String(160))
    level: Mapped[str] = mapped_column(String(64), default="")
    units: Mapped[list] = mapped_column(JSONType, default=list)
    issuer: Mapped[str] = mapped_column(String(160))
    signatory: Mapped[str] = mapped_column(String(160))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=CERTIFICATE.initial, index=True)
    version: Mapped[int] = mapped_column(default=1)
    status_reason: Mapped[str | None] = mapped_column(Text)
    suspended_until: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    reissued_as_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    application = relationship("Application", foreign_keys=[application_id])
    holder = relationship("User", foreign_keys=[holder_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def state(self) -> str:
        """The workflow engine's name for ``status``."""
        return self.status

    @state.setter
    def state(self, value: str) -> None:
        self.status = value
