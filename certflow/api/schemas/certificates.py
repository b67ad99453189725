"""Certificates: the public check, the managed record, its lifecycle events, the list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from certflow.api.schemas.common import Day, Page, PageQuery
from certflow.core.schemas import Id, RequestModel, ResponseModel, Text
from workflows import CERTIFICATE

CERTIFICATE_STATES = tuple(CERTIFICATE.states)


class PublicCertificate(ResponseModel):
    """What anyone may know of a certificate: nothing personal beyond the holder's name."""

    number: str
    status: str = Field(description="live: past its expiry date it is expired")
    holder: str = Field(description="the holder's name only")
    scheme: str
    scheme_name: str | None = None
    level: str | None = None
    issued_on: Day
    expires_on: Day


class CertificateUnit(ResponseModel):
    """A unit of competency the certificate covers."""

    code: str
    title: str


class CertificateOut(PublicCertificate):
    """A certificate for those who manage it."""

    id: int
    application: int | None
    version: int
    status_reason: str | None = None
    suspended_until: Day | None = None
    units: list[CertificateUnit] | list[Any] | None = None
    issuer: str | None = None
    signatory: str | None = None


class CertificatePage(Page):
    """A page of certificates."""

    items: list[CertificateOut]


class CertificateQuery(PageQuery):
    """Filters of the certificate list."""

    status: Literal[CERTIFICATE_STATES] | Literal[""] | None = None
    scheme: str | None = Field(None, max_length=64)


class CertificateEvent(RequestModel):
    """Suspend, reinstate or withdraw a certificate."""

    event: Literal["suspend", "reinstate", "withdraw"]
    reason: Text | None = None
    data: dict[str, Any] | None = None
    version: Id | None = None


Number = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class BulkCertificateEvent(RequestModel):
    """Suspend, reinstate or withdraw many certificates at once, each in its own transaction."""

    event: Literal["suspend", "reinstate", "withdraw"]
    reason: Text | None = None
    numbers: list[Number] = Field(min_length=1, max_length=200)
    data: dict[str, Any] | None = Field(None, description='the event\'s inputs, e.g. {"until": "YYYY-MM-DD"}')


class RefusedNumber(ResponseModel):
    """A number the event was refused for, and why."""

    number: str
    code: str
    message: str


class BulkCertificateResult(ResponseModel):
    """The numbers done and those refused (each with its error code and message)."""

    done: list[str]
    refused: list[RefusedNumber]


class Reissue(RequestModel):
    """Correct the holder's name: the certificate is re-issued under a new number, the old one superseded."""

    holder_name: Annotated[str, StringConstraints(min_length=1, max_length=160)]
    reason: Text | None = None
    version: Id | None = None


class ReissueResult(ResponseModel):
    """The new certificate and the number it replaces."""

    certificate: CertificateOut
    replaces: str
