"""Open Badges 3.0: the signed credential, its status lists, the issuer — every signature checked
here with the issuer's *published* key and code written from the specifications (cryptography's
Ed25519 verify, RFC 8785, base58, gzip), not with the functions that made them."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import stat
from datetime import timedelta

import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from certflow import clock
from certflow.applications.effects import supersede_certificate
from certflow.applications.workflow import fire_certificate_event
from certflow.certificates.operations import issue_certificate
from certflow.extensions import db as _db
from certflow.models import Application, Certificate
from tests.factories import make_user

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def unb58(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture()
def cert(world, db) -> Certificate:
    app = world.new_application()
    world.advance(app, "certified")
    return db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))


def published_key(client) -> Ed25519PublicKey:
    r = client.get("/api/v1/issuer")
    assert r.status_code == 200
    method = r.get_json()["verificationMethod"][0]
    jwk = method["publicKeyJwk"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    raw = unb64url(jwk["x"])
    multikey = unb58(method["publicKeyMultibase"][1:])
    assert multikey == b"\xed\x01" + raw  # both forms of the published key agree
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_data_integrity(document: dict, key: Ed25519PublicKey) -> None:
    """eddsa-jcs-2022 (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3): raises if invalid."""
    document = dict(document)
    proof = dict(document.pop("proof"))
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    value = proof.pop("proofValue")
    assert value.startswith("z")
    assert proof["@context"] == document["@context"]
    data = hashlib.sha256(rfc8785.dumps(proof)).digest() + hashlib.sha256(rfc8785.dumps(document)).digest()
    key.verify(unb58(value[1:]), data)


def verify_jws(token: str, key: Ed25519PublicKey) -> tuple[dict, dict]:
    header_b64, payload_b64, signature_b64 = token.split(".")
    key.verify(unb64url(signature_b64), f"{header_b64}.{payload_b64}".encode())
    return json.loads(unb64url(header_b64)), json.loads(unb64url(payload_b64))


def bit(client, entry: dict) -> bool:
    url = entry["statusListCredential"]
    r = client.get(url[url.index("/api/v1/") :])
    assert r.status_code == 200
    status_list = r.get_json()
    verify_data_integrity(status_list, published_key(client))
    subject = status_list["credentialSubject"]
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == entry["statusPurpose"]
    assert subject["encodedList"].startswith("u")
    raw = gzip.decompress(unb64url(subject["encodedList"][1:]))
    assert len(raw) * 8 >= 131072
    index = int(entry["statusListIndex"])
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def bits(client, number: str) -> dict[str, bool]:
    body = client.get(f"/api/v1/certificates/{number}/credential").get_json()
    return {entry["statusPurpose"]: bit(client, entry) for entry in body["credentialStatus"]}


def test_credential_is_a_signed_open_badge_verified_with_the_published_key(client, cert):
    r = client.get(f"/api/v1/certificates/{cert.number.lower()}/credential")  # no token
    assert r.status_code == 200
    body = r.get_json()
    assert "https://www.w3.org/ns/credentials/v2" == body["@context"][0]
    assert body["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = body["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certification" and achievement["name"] == cert.scheme_name
    assert body["validUntil"].startswith(cert.expires_on.isoformat())
    assert body["credentialSubject"]["identifier"][0]["identityHash"] == cert.holder_name
    assert {e["type"] for e in body["credentialStatus"]} == {"BitstringStatusListEntry"}
    verify_data_integrity(body, published_key(client))


def test_a_changed_credential_fails_verification(client, cert):
    body = client.get(f"/api/v1/certificates/{cert.number}/credential").get_json()
    body["validUntil"] = "2099-01-01T00:00:00Z"
    with pytest.raises(InvalidSignature):
        verify_data_integrity(body, published_key(client))


@pytest.mark.parametrize("how", ["query", "accept"])
def test_compact_jws_verified_with_the_published_jwk(client, cert, how):
    if how == "query":
        r = client.get(f"/api/v1/certificates/{cert.number}/credential?format=jwt")
    else:
        r = client.get(f"/api/v1/certificates/{cert.number}/credential", headers={"Accept": "application/vc+jwt"})
    assert r.status_code == 200 and r.mimetype == "application/vc+jwt"
    header, payload = verify_jws(r.get_data(as_text=True), published_key(client))
    issuer = client.get("/api/v1/issuer").get_json()
    assert header["alg"] == "EdDSA" and header["kid"] == issuer["verificationMethod"][0]["id"]
    assert payload["iss"] == issuer["id"] and payload["type"][-1] == "OpenBadgeCredential"
    assert payload["exp"] > payload["nbf"]
    tampered = r.get_data(as_text=True).split(".")
    tampered[1] = base64.urlsafe_b64encode(json.dumps({**payload, "exp": 1}).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        verify_jws(".".join(tampered), published_key(client))


def test_status_bits_flip_on_each_lifecycle_event(client, cert, world, monkeypatch):
    assert bits(client, cert.number) == {"revocation": False, "suspension": False}
    until = clock.today() + timedelta(days=30)
    fire_certificate_event(cert, "suspend", world.certifier, reason="Complaint", data={"until": until.isoformat()})
    _db.session.commit()
    assert bits(client, cert.number) == {"revocation": False, "suspension": True}
    fire_certificate_event(cert, "reinstate", world.certifier, reason="Cleared")
    _db.session.commit()
    assert bits(client, cert.number) == {"revocation": False, "suspension": False}
    fire_certificate_event(cert, "withdraw", world.certifier, reason="Fraud")
    _db.session.commit()
    assert bits(client, cert.number) == {"revocation": True, "suspension": False}


def test_status_bit_set_on_expiry_and_on_supersession(client, world, db, monkeypatch):
    holder = make_user("candidate", world.batam, name="Two Certificates")
    first = Application(candidate=holder, scheme=world.scheme, dinas=world.batam, state="certified")
    db.session.add(first)
    db.session.flush()
    old = issue_certificate(first)
    db.session.commit()
    assert bits(client, old.number)["revocation"] is False
    later = old.expires_on + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)  # the expiry date passed, the job not yet run
    assert bits(client, old.number)["revocation"] is True
    monkeypatch.undo()

    other = issue_certificate(
        _saved(Application(candidate=holder, scheme=world.scheme, dinas=world.batam, state="certified"))
    )
    supersede_certificate(old, other)
    db.session.commit()
    assert bits(client, old.number) == {"revocation": True, "suspension": False}
    assert bits(client, other.number) == {"revocation": False, "suspension": False}


def _saved(app: Application) -> Application:
    _db.session.add(app)
    _db.session.flush()
    return app


def test_unknown_credential_and_status_list_are_404(client, world):
    assert client.get("/api/v1/certificates/NOPE-2026-XXXXXXXX/credential").status_code == 404
    for bad in ("nope-0", "revocation-", "revocation-x", "suspension-1234567890", "revocation-\u0661"):
        assert client.get(f"/api/v1/status-lists/{bad}").status_code == 404, bad


def test_embedded_default_key_is_made_once_private_to_its_owner(app):
    path = os.path.join(app.instance_path, "credential_signing_key.pem")
    with app.app_context():
        from certflow.certificates.credentials import public_jwk

        public_jwk()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def _statements(client, url: str) -> int:
    from sqlalchemy import event

    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return len(seen)


def test_status_list_takes_the_same_statements_for_1_or_6_certificates(client, world, db):
    from tests.web.test_api_certificates import certified_in

    certified_in(world, world.batam)
    one = _statements(client, "/api/v1/status-lists/revocation-0")
    for _ in range(5):
        certified_in(world, world.batam)
    assert _statements(client, "/api/v1/status-lists/revocation-0") == one


def test_a_configured_signing_key_is_used(app, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path = tmp_path / "issuer.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    saved_path, saved_key = app.config.get("CREDENTIAL_SIGNING_KEY"), app.extensions.pop("credential_key", None)
    app.config["CREDENTIAL_SIGNING_KEY"] = str(path)
    try:
        with app.app_context():
            from certflow.certificates.credentials import public_jwk

            assert unb64url(public_jwk()["x"]) == raw
    finally:
        app.config["CREDENTIAL_SIGNING_KEY"] = saved_path
        app.extensions.pop("credential_key", None)
        if saved_key is not None:
            app.extensions["credential_key"] = saved_key
