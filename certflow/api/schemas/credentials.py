"""Credentials: the Open Badges 3.0 credential, the status lists, the issuer's profile."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from certflow.core.schemas import QueryModel, ResponseModel


class Signed(ResponseModel):
    """A JSON-LD document with a W3C Data Integrity proof (``eddsa-jcs-2022``)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    issuer: Any
    validFrom: str
    credentialSubject: dict[str, Any]
    proof: dict[str, Any] = Field(description="DataIntegrityProof, cryptosuite eddsa-jcs-2022, the issuer's key")


class OpenBadgeCredential(Signed):
    """The certificate as an Open Badges 3.0 ``OpenBadgeCredential``."""

    name: str
    validUntil: str = Field(description="the certificate's expiry date")
    credentialStatus: list[dict[str, Any]] = Field(
        description="BitstringStatusListEntry in the revocation and the suspension list"
    )


class StatusListCredential(Signed):
    """A W3C ``BitstringStatusListCredential``: ``encodedList`` is base64url (multibase ``u``) of the gzip bitstring."""


class CredentialQuery(QueryModel):
    """``format=jwt`` answers the compact JWS (VC-JWT) instead of the JSON-LD form."""

    format: Literal["json", "jwt"] | None = None


class VerificationMethod(ResponseModel):
    """The issuer's public key."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    controller: str
    publicKeyMultibase: str
    publicKeyJwk: dict[str, str]


class IssuerProfile(ResponseModel):
    """The issuer's Open Badges ``Profile`` and its public key (a JWK)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    name: str
    url: str
    verificationMethod: list[VerificationMethod]
    assertionMethod: list[str]
