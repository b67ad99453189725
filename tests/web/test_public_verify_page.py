"""The verification page tells a person the status at a glance, what was certified and by whom,
offers sharing and "add to profile", and the signed PDF to those who may download it."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

from certflow import clock
from certflow.applications.workflow import fire_certificate_event
from certflow.certificates.operations import _ALPHABET
from certflow.extensions import db as _db
from certflow.models import Application, Certificate
from certflow.public.routes import NUMBER_EXAMPLE
from tests.web.test_pages_support import Browser


@pytest.fixture()
def cert(world, db) -> Certificate:
    app = world.new_application()
    world.advance(app, "certified")
    return db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))


def page(client, cert) -> str:
    return client.get(f"/verify/{cert.number}?lang=en").get_data(as_text=True)


def test_a_valid_certificate_says_so_and_who_issued_and_signed_it(client, cert):
    html = page(client, cert)
    assert "verdict-active" in html and ">Valid<" in html
    assert f"Valid until {cert.expires_on.strftime('%B %-d, %Y')}." in html
    assert cert.issuer in html and cert.signatory in html
    assert "Siti Candidate" in html and "Pekerja Sosial Generalis" in html


def test_the_add_to_profile_link_carries_the_certification_fields(client, cert, app):
    html = page(client, cert)
    href = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', html).group(1).replace("&amp;", "&")
    fields = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    assert fields["startTask"] == "CERTIFICATION_NAME"
    assert fields["name"] == "Pekerja Sosial Generalis (PSG)"
    assert fields["organizationName"] == cert.issuer
    assert fields["issueYear"] == str(cert.issued_on.year) and fields["issueMonth"] == str(cert.issued_on.month)
    assert fields["expirationYear"] == str(cert.expires_on.year)
    assert fields["certId"] == cert.number
    assert fields["certUrl"] == f"{app.config['BASE_URL'].rstrip('/')}/verify/{cert.number}"
    assert f'value="{fields["certUrl"]}"' in html  # the share link


def test_a_suspended_certificate_says_until_when_and_offers_no_profile_link(client, cert, world):
    until = clock.today() + timedelta(days=10)
    fire_certificate_event(cert, "suspend", world.certifier, reason="Checked", data={"until": until.isoformat()})
    _db.session.commit()
    html = page(client, cert)
    assert "verdict-suspended" in html and "Suspended — not valid at the moment" in html
    assert f"Suspended until {until.strftime('%B %-d, %Y')}." in html
    assert "linkedin.com" not in html


def test_withdrawn_and_expired_say_so(client, cert, world, monkeypatch):
    fire_certificate_event(cert, "withdraw", world.certifier, reason="Fraud", data=None)
    _db.session.commit()
    html = page(client, cert)
    assert "verdict-withdrawn" in html and "Withdrawn — no longer valid" in html and "Fraud" not in html
    cert.status = "active"
    _db.session.commit()
    monkeypatch.setattr(clock, "today", lambda: cert.expires_on)
    html = page(client, cert)
    assert "verdict-expired" in html and f"It expired on {cert.expires_on.strftime('%B %-d, %Y')}." in html


def test_a_superseded_certificate_links_the_newer_one(client, cert, world, db):
    newer_app = Application(candidate=world.candidate, scheme=world.scheme, dinas=world.batam, state="certified")
    db.session.add(newer_app)
    db.session.flush()
    newer = Certificate(
        **{
            k: getattr(cert, k)
            for k in ("holder_id", "holder_name", "scheme_id", "scheme_code", "scheme_name", "level", "units")
        },
        number="PSG-2026-NEWER000",
        application_id=newer_app.id,
        issuer=cert.issuer,
        signatory=cert.signatory,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        status="active",
    )
    db.session.add(newer)
    db.session.flush()
    cert.status, cert.superseded_by_id = "superseded", newer.id
    db.session.commit()
    html = page(client, cert)
    assert "verdict-superseded" in html and "Replaced by a newer certificate" in html
    assert 'href="/verify/PSG-2026-NEWER000"' in html


def test_the_number_example_is_in_the_real_format(client):
    assert re.fullmatch(rf"PSG-\d{{4}}-[{_ALPHABET}]{{8}}", NUMBER_EXAMPLE)
    html = client.get("/verify?lang=en").get_data(as_text=True)
    assert f'placeholder="{NUMBER_EXAMPLE}"' in html and f"for example {NUMBER_EXAMPLE}" in html
    assert "XXXXXXXX" not in html


@pytest.mark.parametrize("who", ["candidate", "certifier", "admin_batam", "admin_kepri", "sysadmin"])
def test_those_who_may_download_get_the_signed_pdf_from_the_page(app, cert, world, who):
    b = Browser(app).login(getattr(world, who))
    html = b.get(f"/verify/{cert.number}").text
    assert f"/verify/{cert.number}/certificate.pdf" in html
    r = b.get(f"/verify/{cert.number}/certificate.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert len(PdfFileReader(BytesIO(r.data)).embedded_signatures) == 1


@pytest.mark.parametrize("who", [None, "other_candidate", "admin_riau", "member"])
def test_others_see_no_download_and_get_a_404(app, cert, world, who):
    b = Browser(app)
    if who:
        user = getattr(world, who)
        b.login(getattr(user, "user", user))
    html = b.get(f"/verify/{cert.number}").text
    assert "certificate.pdf" not in html
    assert b.get(f"/verify/{cert.number}/certificate.pdf").status_code == 404
    assert b.get("/verify/NO-SUCH-NUMBER/certificate.pdf").status_code == 404


def test_anyone_downloads_the_issuer_certificate_that_validates_the_signed_pdf(client, cert, app):
    html = page(client, cert)
    assert 'href="/issuer-certificate.pem"' in html
    r = client.get("/issuer-certificate.pem")
    assert r.status_code == 200 and r.data.startswith(b"-----BEGIN CERTIFICATE-----")
    with app.test_request_context():
        from certflow.certificates.signing import issuer_certificate_pem

        assert r.data == issuer_certificate_pem()
