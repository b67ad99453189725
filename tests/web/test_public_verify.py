"""The public verification page: live status, the minimum about the holder, no login."""

from __future__ import annotations

import re
from datetime import timedelta

import flask_babel
import pytest
from sqlalchemy import select

from certflow import clock
from certflow.applications.workflow import fire_certificate_event
from certflow.extensions import db as _db
from certflow.models import Certificate


@pytest.fixture()
def cert(world, db) -> Certificate:
    app = world.new_application()
    world.advance(app, "certified")
    return db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))


def shown_status(html: str) -> str:
    match = re.search(r'data-status="([a-z]+)">([^<]+)<', html)
    assert match, html
    return match.group(1), match.group(2)


def test_active_certificate_page_shows_the_minimum_without_login(client, cert, world):
    r = client.get(f"/verify/{cert.number}?lang=en")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert shown_status(html) == ("active", "Active")
    for text in (cert.number, "Siti Candidate", "Pekerja Sosial Generalis", "PSG", "Generalis"):
        assert text in html
    assert cert.issued_on.isoformat() in html and cert.expires_on.isoformat() in html
    assert r.headers["Cache-Control"] == "no-cache" and "noindex" in r.headers["X-Robots-Tag"]
    # nothing else personal
    for private in (world.candidate.email, "Batam", "D4", "peksos", world.certifier.name, world.lead.user.name):
        assert private not in html


def test_number_is_matched_whatever_the_case_and_spaces(client, cert):
    r = client.get(f"/verify/{cert.number.lower()}")
    assert r.status_code == 200 and cert.number in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "event, data, status, label",
    [
        ("suspend", {"until": "FUTURE"}, "suspended", "Suspended"),
        ("withdraw", None, "withdrawn", "Withdrawn"),
    ],
)
def test_page_shows_the_live_status_after_an_event(client, cert, world, event, data, status, label):
    if data:
        data = {"until": (clock.today() + timedelta(days=10)).isoformat()}
    fire_certificate_event(cert, event, world.certifier, reason="Checked", data=data)
    _db.session.commit()
    html = client.get(f"/verify/{cert.number}?lang=en").get_data(as_text=True)
    assert shown_status(html) == (status, label)
    assert "Checked" not in html  # the reason is not for the public


def test_page_shows_expired_past_the_expiry_date_before_the_job_runs(client, cert, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: cert.expires_on + timedelta(days=1))
    html = client.get(f"/verify/{cert.number}?lang=en").get_data(as_text=True)
    assert shown_status(html) == ("expired", "Expired")


def test_page_shows_superseded(client, cert):
    cert.status = "superseded"
    _db.session.commit()
    html = client.get(f"/verify/{cert.number}?lang=en").get_data(as_text=True)
    assert shown_status(html) == ("superseded", "Superseded")


def test_search_form_redirects_to_the_certificate_page(client, cert):
    r = client.get("/verify")
    assert r.status_code == 200
    assert 'name="number"' in r.get_data(as_text=True)
    r = client.get(f"/verify?number=+{cert.number.lower()}+")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/verify/{cert.number}")
    r = client.get("/verify?number=")
    assert r.status_code == 200


def test_unknown_number_is_a_404_page_that_keeps_the_form(client, world):
    r = client.get("/verify/PSG-2026-NOSUCHNO?lang=en")
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert "No certificate has the number PSG-2026-NOSUCHNO" in html
    assert 'name="number"' in html
    assert "<script" not in client.get("/verify/%3Cscript%3E").get_data(as_text=True)


def test_page_is_translated(client, cert):
    html_en = client.get(f"/verify/{cert.number}?lang=en").get_data(as_text=True)
    assert "Verify a certificate" in html_en and "Valid until" in html_en
    # The tests' app context outlives the request, and Flask-Babel caches the locale on ``g``.
    flask_babel.refresh()
    html_id = client.get(f"/verify/{cert.number}?lang=id").get_data(as_text=True)
    assert 'lang="id"' in html_id
