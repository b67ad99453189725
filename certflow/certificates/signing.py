"""The issuer's digital signature on the certificate PDF (PAdES, pyHanko).

Production configures the issuer's key and certificate (``CERT_SIGNING_KEY`` / ``CERT_SIGNING_CERT``,
PEM). Without them, the embedded default makes a self-signed pair once, under ``CERT_SIGNING_DIR``
(the key readable by its owner only), and keeps using it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from io import BytesIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

KEY_FILE = "issuer_key.pem"
CERT_FILE = "issuer_cert.pem"
FIELD_NAME = "IssuerSignature"

_signers: dict[tuple[str, str], signers.SimpleSigner] = {}


def _self_signed(issuer: str) -> tuple[bytes, bytes]:
    """A new RSA key and a self-signed certificate in the issuer's name (ten years), both as PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, issuer[:64]),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def ensure_default_pair(directory: str, issuer: str) -> tuple[str, str]:
    """The embedded default's key and certificate paths, made once (safe when several workers start at once)."""
    key_path, cert_path = os.path.join(directory, KEY_FILE), os.path.join(directory, CERT_FILE)
    if os.path.exists(key_path) and os.path.exists(cert_path):
        return key_path, cert_path
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".signing-", dir=parent)  # mode 0700
    try:
        key_pem, cert_pem = _self_signed(issuer)
        fd = os.open(os.path.join(work, KEY_FILE), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key_pem)
        with open(os.path.join(work, CERT_FILE), "wb") as out:
            out.write(cert_pem)
        try:
            os.rename(work, directory)  # atomic: the first worker's pair wins
            work = None
        except OSError:
            pass  # another worker made it first
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)
    return key_path, cert_path


def signing_paths() -> tuple[str, str]:
    """The issuer's key and certificate files: configured, or the embedded default's own pair."""
    config = current_app.config
    if config.get("CERT_SIGNING_KEY") and config.get("CERT_SIGNING_CERT"):
        return config["CERT_SIGNING_KEY"], config["CERT_SIGNING_CERT"]
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not config.get("TESTING"):
        current_app.logger.warning(
            "CERT_SIGNING_KEY and CERT_SIGNING_CERT are not set: certificates are signed by a self-signed key "
            "made under %s; configure the issuer's own key in production",
            config["CERT_SIGNING_DIR"],
        )
    return ensure_default_pair(config["CERT_SIGNING_DIR"], config["CERT_ISSUER"])


def issuer_certificate_pem() -> bytes:
    """The issuer's certificate (PEM) that validates the signature of every certificate PDF."""
    with open(signing_paths()[1], "rb") as cert_file:
        return cert_file.read()


def _signer() -> signers.SimpleSigner:
    paths = signing_paths()
    signer = _signers.get(paths)
    if signer is None:
        signer = signers.SimpleSigner.load(paths[0], paths[1])
        if signer is None:
            raise RuntimeError(f"the signing key {paths[0]} or certificate {paths[1]} cannot be read")
        _signers[paths] = signer
    return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> BytesIO:
    """``pdf`` with the issuer's PAdES signature (an invisible field: the page already shows who signed)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        md_algorithm="sha256",
    )
    out = signers.sign_pdf(writer, meta, signer=_signer())
    out.seek(0)
    return out
