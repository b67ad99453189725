"""The certificate PDF carries the issuer's PAdES signature: valid against the issuer's certificate,
invalid once a byte is changed; and the face rendered to PNG (poppler's pdftoppm) for a person to look at."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from io import BytesIO

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from certflow.certificates.pdf import certificate_pdf, mask_identity
from certflow.certificates.signing import KEY_FILE, issuer_certificate_pem
from certflow.models import Certificate


def _issuer_context() -> ValidationContext:
    _, _, der = pem.unarmor(issuer_certificate_pem())
    return ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)])


def _status(pdf: bytes):
    reader = PdfFileReader(BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    return validate_pdf_signature(reader.embedded_signatures[0], _issuer_context())


@pytest.fixture()
def signed(app, world, db):
    application = world.new_application()
    world.advance(application, "certified")
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == application.id))
    with app.test_request_context():
        pdf = certificate_pdf(cert, "https://certflow.example.id").getvalue()
        yield cert, pdf


def test_the_pdf_is_signed_by_the_issuer_and_the_signature_validates(signed):
    _cert, pdf = signed
    status = _status(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "LSP Pekerja Sosial" in status.signing_cert.subject.human_friendly


def test_a_changed_byte_fails_validation(signed):
    cert, pdf = signed
    at = pdf.index(cert.holder_name.encode()[:4]) if cert.holder_name.encode()[:4] in pdf else len(pdf) // 3
    tampered = bytearray(pdf)
    tampered[at] = (tampered[at] + 1) % 256
    assert not _status(bytes(tampered)).intact


def test_the_default_key_is_kept_under_the_instance_for_its_owner_only(app, signed):
    key = os.path.join(app.config["CERT_SIGNING_DIR"], KEY_FILE)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_the_identity_is_masked_in_the_middle():
    assert mask_identity("198503152010012001") == "1985**********2001"
    assert mask_identity("1985 0315 2010 0120 01") == "1985**********2001"
    assert mask_identity("12345") == "" and mask_identity(None) == ""


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_the_face_renders_to_a_landscape_png(signed, tmp_path):
    _cert, pdf = signed
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "c.pdf", "face"], cwd=tmp_path, check=True)
    from PIL import Image

    (png,) = tmp_path.glob("face*.png")
    with Image.open(png) as image:
        width, height = image.size
        assert width > height  # A4 landscape
        assert abs(width / height - 297 / 210) < 0.02
        # Not blank: the navy border and the dark title make a good share of dark pixels.
        dark = sum(image.convert("L").histogram()[:100])
        assert dark > width * height * 0.01
    if os.environ.get("CERTFLOW_KEEP_PNG"):
        shutil.copy(png, os.environ["CERTFLOW_KEEP_PNG"])


def test_a_configured_key_and_certificate_sign_instead_of_the_default(app, signed, tmp_path):
    from certflow.certificates import signing

    key_path, cert_path = signing.ensure_default_pair(str(tmp_path / "configured"), "LSP Configured")
    app.config.update(CERT_SIGNING_KEY=key_path, CERT_SIGNING_CERT=cert_path)
    try:
        cert, _pdf = signed
        pdf = certificate_pdf(cert, "https://certflow.example.id").getvalue()
        status = _status(pdf)
        assert status.intact and status.valid and status.trusted
        assert "LSP Configured" in status.signing_cert.subject.human_friendly
    finally:
        app.config.update(CERT_SIGNING_KEY="", CERT_SIGNING_CERT="")
