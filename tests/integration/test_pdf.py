"""The certificate PDF: every field DOMAIN.md names, and a QR code that decodes to the verification page."""

from __future__ import annotations

from io import BytesIO

import pypdf
import zxingcpp
from flask_babel import force_locale
from sqlalchemy import select

from certflow.certificates.operations import issue_certificate
from certflow.certificates.pdf import certificate_pdf, verification_url
from certflow.models import Application, Certificate
from tests.factories import make_scheme, make_user


def _read(pdf: BytesIO) -> tuple[str, list[str]]:
    """All the text of the PDF, and the decoded text of every barcode in its images."""
    reader = pypdf.PdfReader(BytesIO(pdf.getvalue()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    codes = [
        barcode.text
        for page in reader.pages
        for image in page.images
        for barcode in zxingcpp.read_barcodes(image.image)
    ]
    return text, codes


def test_pdf_carries_every_field_and_a_qr_to_the_verification_page(app, world, db):
    application = world.new_application()
    world.advance(application, "certified")
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == application.id))
    app.config["BASE_URL"] = "https://certflow.example.id/"
    try:
        with app.test_request_context(), force_locale("en"):
            text, codes = _read(certificate_pdf(cert, app.config["BASE_URL"]))
    finally:
        app.config["BASE_URL"] = "http://127.0.0.1:5000"

    assert cert.number in text
    assert "Siti Candidate" in text
    assert "Pekerja Sosial Generalis" in text and "PSG" in text
    assert "Generalis" in text
    for unit in cert.units:
        assert unit["code"] in text and unit["title"] in text
    assert cert.issuer in text and cert.signatory in text
    assert cert.issued_on.strftime("%B %-d, %Y") in text
    assert cert.expires_on.strftime("%B %-d, %Y") in text
    assert codes == [f"https://certflow.example.id/verify/{cert.number}"]
    assert verification_url("https://certflow.example.id/", cert.number) == codes[0]


def test_pdf_uses_the_fixed_snapshot_not_the_current_scheme(app, world, db):
    application = world.new_application()
    world.advance(application, "certified")
    cert = application.certificate
    world.scheme.name = "Renamed later"
    world.scheme.units[0].title = "Changed unit title"
    db.session.commit()
    with app.test_request_context():
        text, _ = _read(certificate_pdf(cert, "http://x"))
    assert "Renamed later" not in text and "Changed unit title" not in text
    assert "Pekerja Sosial Generalis" in text and "Unit 1" in text


def test_a_long_unit_list_flows_onto_more_pages_and_keeps_the_qr(app, world, db):
    scheme = make_scheme("LONG", units=40, elements=1, criteria=1, name="Scheme with many units")
    holder = make_user("candidate", world.batam, name="Many Units Holder")
    application = Application(candidate=holder, scheme=scheme, dinas=world.batam, state="certified")
    db.session.add(application)
    db.session.flush()
    cert = issue_certificate(application)
    db.session.commit()
    with app.test_request_context():
        pdf = certificate_pdf(cert, "http://x")
        text, codes = _read(pdf)
    assert len(pypdf.PdfReader(BytesIO(pdf.getvalue())).pages) > 1
    assert "LONG.U40" in text and "LONG.U1" in text
    assert codes == [f"http://x/verify/{cert.number}"]


def test_the_face_is_landscape_bilingual_with_the_masked_nip_and_indonesian_dates(app, world, db):
    application = world.new_application()
    application.apl01 = {**application.apl01, "employee_id": "198503152010012001"}
    db.session.commit()
    world.advance(application, "certified")
    cert = application.certificate
    with app.test_request_context():
        pdf = certificate_pdf(cert, "http://x")
    reader = pypdf.PdfReader(BytesIO(pdf.getvalue()))
    face = reader.pages[0]
    assert float(face.mediabox.width) > float(face.mediabox.height)  # A4 landscape
    text = face.extract_text()
    assert "SERTIFIKAT KOMPETENSI" in text and "Certificate of Competence" in text
    assert "NIP: 1985**********2001" in text and "198503152010012001" not in text
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober")
    months += ("November", "Desember")
    assert f"{cert.issued_on.day} {months[cert.issued_on.month - 1]} {cert.issued_on.year}" in text
    assert "Ketua LSP Pekerja Sosial" in text  # the signatory's title and the issuer
    units_page = reader.pages[1].extract_text()
    assert "DAFTAR UNIT KOMPETENSI" in units_page and cert.units[0]["code"] in units_page


def test_configured_logo_and_signature_images_are_drawn_and_a_missing_one_falls_back(app, world, db, tmp_path):
    from PIL import Image as PILImage

    logo, signature = tmp_path / "logo.png", tmp_path / "signature.png"
    PILImage.new("RGB", (120, 120), "#aa0000").save(logo)
    PILImage.new("RGB", (300, 120), "#0000aa").save(signature)
    application = world.new_application()
    world.advance(application, "certified")
    cert = application.certificate

    def images(**config) -> int:
        app.config.update(config)
        try:
            with app.test_request_context():
                reader = pypdf.PdfReader(BytesIO(certificate_pdf(cert, "http://x").getvalue()))
            return len(reader.pages[0].images)
        finally:
            app.config.update(CERT_ISSUER_LOGO="", CERT_SIGNATURE_IMAGE="")

    assert images() == 1  # the QR code; the emblem and the signature line are drawn
    assert images(CERT_ISSUER_LOGO=str(logo), CERT_SIGNATURE_IMAGE=str(signature)) == 3
    assert images(CERT_ISSUER_LOGO=str(tmp_path / "missing.png")) == 1
