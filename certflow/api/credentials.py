"""API: credentials that travel — the Open Badges 3.0 credential, its status lists, the issuer (API.md)."""

from __future__ import annotations

from flask import Response, jsonify, request

from certflow.api import bp
from certflow.api.certificates import TAG, by_number
from certflow.api.errors import ApiError
from certflow.api.schemas import credentials as s
from certflow.api.spec import operation, query
from certflow.certificates import credentials as c
from workflows.guards import N_


def _wants_jwt(fmt: str | None) -> bool:
    if fmt:
        return fmt == "jwt"
    best = request.accept_mimetypes.best_match(["application/json", "application/ld+json", c.JWT_MEDIA])
    return best == c.JWT_MEDIA and request.accept_mimetypes[c.JWT_MEDIA] > request.accept_mimetypes["application/json"]


@bp.get("/certificates/<number>/credential")
@operation(
    query=s.CredentialQuery, resp=s.OpenBadgeCredential, errors=(404,), public=True, tag=TAG, also=(c.JWT_MEDIA,)
)
def certificate_credential(number: str):
    """Public: the certificate as a signed Open Badges 3.0 credential (JSON-LD with a proof, or
    ``?format=jwt`` / ``Accept: application/vc+jwt`` for the compact JWS)."""
    cert = by_number(number)
    fmt = query().format
    if _wants_jwt(fmt):
        return Response(c.credential_jwt(cert), mimetype=c.JWT_MEDIA)
    document = c.signed_credential(cert)
    s.OpenBadgeCredential.model_validate(document)
    return jsonify(document)


@bp.get("/status-lists/<list_id>")
@operation(resp=s.StatusListCredential, errors=(404,), public=True, tag=TAG)
def status_list(list_id: str):
    """Public: a signed W3C Bitstring Status List (``revocation-N`` or ``suspension-N``) of the live statuses."""
    parsed = c.parse_list_id(list_id) if len(list_id) <= 40 else None
    if parsed is None:
        raise ApiError(404, "not_found", N_("Not found."))
    response = jsonify(c.status_list(*parsed))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/issuer")
@operation(resp=s.IssuerProfile, public=True, tag=TAG)
def issuer():
    """Public: the issuer's profile and its public key (``verificationMethod``: a JWK and a Multikey)."""
    return jsonify(c.issuer_profile())
