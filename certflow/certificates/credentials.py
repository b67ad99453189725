"""Credentials that travel: a certificate as a signed Open Badges 3.0 ``OpenBadgeCredential``.

The issuer signs with one Ed25519 key (``CREDENTIAL_SIGNING_KEY``: a PEM file in production; the
embedded default makes its own under ``instance/``, mode 0600). A credential is published two ways:

- JSON-LD with a W3C Data Integrity proof, cryptosuite ``eddsa-jcs-2022`` (JSON canonicalisation,
  RFC 8785, so no JSON-LD context is fetched at run time);
- the compact JWS of the unsigned credential (VC-JWT, ``alg`` EdDSA, ``kid`` the key's id).

Its ``credentialStatus`` points to two W3C Bitstring Status Lists (``revocation``: withdrawn,
expired or superseded; ``suspension``: suspended), built from the live status at each request, so
the bit changes the moment a lifecycle event is recorded (or the expiry date passes).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import time as _time
import warnings
from datetime import UTC, date, datetime, time

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from joserfc import jwt
from joserfc.jwk import OKPKey
from sqlalchemy import select

from certflow import clock
from certflow.certificates.operations import live_status
from certflow.extensions import db
from certflow.models import Certificate

KEY_FILE = "credential_signing_key.pem"
LIST_SIZE = 131072  # bits per status list: the W3C minimum (16 KB), so a list hides who is on it
PURPOSES = ("revocation", "suspension")
REVOKED = ("withdrawn", "expired", "superseded")
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
JWT_MEDIA = "application/vc+jwt"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"  # multicodec prefix of an Ed25519 public key


class CredentialKeyError(RuntimeError):
    """The configured signing key cannot be read as an Ed25519 private key."""


# --- the key -------------------------------------------------------------------------------


def _instance_key(instance_path: str) -> bytes:
    """The embedded default's own key, made once (mode 0600; a concurrent start reads the same file)."""
    path = os.path.join(instance_path, KEY_FILE)
    os.makedirs(instance_path, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    for _attempt in range(50):
        with open(path, "rb") as key_file:
            data = key_file.read()
        if b"END PRIVATE KEY" in data:
            return data
        _time.sleep(0.02)
    raise CredentialKeyError(f"{path} does not hold a key; remove it and start again")


def signing_key() -> Ed25519PrivateKey:
    """The issuer's private key (read once per process)."""
    cached = current_app.extensions.get("credential_key")
    if cached is not None:
        return cached
    path = current_app.config.get("CREDENTIAL_SIGNING_KEY")
    if path:
        with open(path, "rb") as key_file:
            pem = key_file.read()
    else:
        pem = _instance_key(current_app.instance_path)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CredentialKeyError("CREDENTIAL_SIGNING_KEY must be an Ed25519 private key (PEM, PKCS#8)")
    current_app.extensions["credential_key"] = key
    return key


def _raw_public() -> bytes:
    return signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def base58(data: bytes) -> str:
    """Bitcoin base58 (the ``z`` multibase)."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def public_jwk() -> dict:
    """The issuer's public key as a JWK (RFC 8037), with its id and use."""
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(_raw_public()), "kid": key_id(), "alg": "EdDSA"}


def key_id() -> str:
    return f"{issuer_id()}#key-1"


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def issuer_id() -> str:
    return f"{_base()}/api/v1/issuer"


def issuer_profile() -> dict:
    """The issuer's Open Badges ``Profile`` with its verification method (the public key)."""
    multibase = "z" + base58(_ED25519_PUB + _raw_public())
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": current_app.config["CERT_ISSUER"],
        "url": _base(),
        "verificationMethod": [
            {
                "id": key_id(),
                "type": "Multikey",
                "controller": issuer_id(),
                "publicKeyMultibase": multibase,
                "publicKeyJwk": public_jwk(),
            }
        ],
        "assertionMethod": [key_id()],
    }


# --- signing -------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day_start(day: date) -> str:
    return _stamp(datetime.combine(day, time(0, 0), tzinfo=UTC))


def sign(document: dict) -> dict:
    """``document`` with a Data Integrity proof, cryptosuite ``eddsa-jcs-2022``."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": _stamp(clock.now()),
        "verificationMethod": key_id(),
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    digest = hashlib.sha256(rfc8785.dumps(options)).digest() + hashlib.sha256(rfc8785.dumps(document)).digest()
    proof = {**options, "proofValue": "z" + base58(signing_key().sign(digest))}
    return {**document, "proof": proof}


def compact_jws(document: dict) -> str:
    """The unsigned credential as a VC-JWT (compact JWS), the registered claims beside it."""
    claims = {
        **document,
        "iss": issuer_id(),
        "jti": document["id"],
        "nbf": int(datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00")).timestamp()),
    }
    if "id" in document.get("credentialSubject", {}):
        claims["sub"] = document["credentialSubject"]["id"]
    if "validUntil" in document:
        claims["exp"] = int(datetime.fromisoformat(document["validUntil"].replace("Z", "+00:00")).timestamp())
    key = OKPKey.import_key(
        signing_key().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": key_id()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc prefers the newer "Ed25519" name (RFC 9864); verifiers know EdDSA
        return jwt.encode(header, claims, key, algorithms=["EdDSA"])


# --- the credential and its status ----------------------------------------------------------


def status_list_url(purpose: str, page: int) -> str:
    return f"{_base()}/api/v1/status-lists/{purpose}-{page}"


def status_entries(cert: Certificate) -> list[dict]:
    """The certificate's place in the revocation and suspension lists."""
    page, index = divmod(cert.id, LIST_SIZE)
    return [
        {
            "id": f"{status_list_url(purpose, page)}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(index),
            "statusListCredential": status_list_url(purpose, page),
        }
        for purpose in PURPOSES
    ]


def credential_id(cert: Certificate) -> str:
    return f"{_base()}/api/v1/certificates/{cert.number}/credential"


def unsigned_credential(cert: Certificate) -> dict:
    """The certificate as an ``OpenBadgeCredential`` (the scheme an ``Achievement`` of type Certification)."""
    units = cert.units or []
    narrative = "\n".join(f"- {u.get('code', '')} {u.get('title', '')}".rstrip() for u in units if isinstance(u, dict))
    achievement = {
        "id": f"{_base()}/schemes/{cert.scheme_code}",
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": cert.scheme_name,
        "description": f"{cert.scheme_name} ({cert.level})" if cert.level else cert.scheme_name,
        "criteria": {"narrative": narrative or cert.scheme_name},
        "creator": {"id": issuer_id(), "type": ["Profile"], "name": cert.issuer},
    }
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(cert),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": cert.scheme_name,
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": cert.issuer},
        "validFrom": _day_start(cert.issued_on),
        "validUntil": _day_start(cert.expires_on),
        "credentialSubject": {
            # No id: the holder has no identifier of their own; the name (as issued) identifies them.
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": cert.holder_name,
                }
            ],
            "achievement": achievement,
        },
        "credentialStatus": status_entries(cert),
    }


def signed_credential(cert: Certificate) -> dict:
    return sign(unsigned_credential(cert))


def credential_jwt(cert: Certificate) -> str:
    return compact_jws(unsigned_credential(cert))


def status_bit(purpose: str, status: str) -> bool:
    """Whether a certificate in live ``status`` has its bit set in the ``purpose`` list."""
    return status in REVOKED if purpose == "revocation" else status == "suspended"


def _encoded(bits: set[int]) -> str:
    raw = bytearray(LIST_SIZE // 8)
    for index in bits:
        raw[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    return "u" + _b64url(gzip.compress(bytes(raw), mtime=0))


def status_list(purpose: str, page: int) -> dict:
    """The signed ``BitstringStatusListCredential`` of one page of certificates (one query)."""
    rows = db.session.execute(
        select(Certificate.id, Certificate.status, Certificate.expires_on).where(
            Certificate.id >= page * LIST_SIZE, Certificate.id < (page + 1) * LIST_SIZE
        )
    ).all()
    bits = {row.id % LIST_SIZE for row in rows if status_bit(purpose, live_status(row))}
    url = status_list_url(purpose, page)
    return sign(
        {
            "@context": [VC_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_id(),
            "validFrom": _stamp(clock.now()),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "encodedList": _encoded(bits),
            },
        }
    )


def parse_list_id(list_id: str) -> tuple[str, int] | None:
    """``revocation-0`` → (``revocation``, 0); anything else → None."""
    purpose, _, page = list_id.partition("-")
    if purpose not in PURPOSES or not page.isascii() or not page.isdigit() or len(page) > 9:
        return None
    return purpose, int(page)
