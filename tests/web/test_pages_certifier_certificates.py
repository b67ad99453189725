"""The certifier's certificate pages: search, the lifecycle through the pages, the PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certflow import clock
from certflow.models import Certificate
from tests.web.test_pages_support import Browser, csrf_token, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(getattr(user, "user", user))
    browser.get("/?lang=en")
    return browser


@pytest.fixture()
def cert(world):
    application = world.advance(world.new_application(), "certified")
    return application.certificate


def _status(db, cert) -> tuple[str, object]:
    fresh(db)
    row = db.session.scalar(select(Certificate).where(Certificate.id == cert.id))
    return row.status, row.suspended_until


def _fire(browser, db, cert, event, **data):
    page = browser.get(f"/certifier/certificates/{cert.number}").text
    fresh(db)
    version = db.session.scalar(select(Certificate.version).where(Certificate.id == cert.id))
    return browser.post(
        f"/certifier/certificates/{cert.number}/events/{event}",
        data={"csrf_token": csrf_token(page), "version": version, **data},
    )


@pytest.mark.parametrize("who", ["candidate", "admin_batam", "lead", "sysadmin"])
def test_the_certificate_pages_are_refused_to_other_roles(app, world, db, cert, who):
    user = getattr(world, who)
    browser = Browser(app).login(getattr(user, "user", user))
    assert browser.get("/certifier/certificates").status_code == 403
    assert browser.get(f"/certifier/certificates/{cert.number}").status_code == 403
    assert browser.get(f"/certifier/certificates/{cert.number}/pdf").status_code == 403
    token = csrf_token(browser.get("/", follow_redirects=True).text)
    response = browser.post(
        f"/certifier/certificates/{cert.number}/events/withdraw", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403
    assert _status(db, cert)[0] == "active"


def test_search_by_number_or_holder_and_filter_by_live_status(app, world, db, cert, monkeypatch):
    other = world.advance(world.new_application(), "certified").certificate
    browser = _browser(app, world.certifier)
    everything = browser.get("/certifier/certificates").text
    assert f'data-certificate="{cert.number}"' in everything and f'data-certificate="{other.number}"' in everything
    by_number = browser.get(f"/certifier/certificates?q={cert.number[-5:].lower()}").text
    assert f'data-certificate="{cert.number}"' in by_number and f'data-certificate="{other.number}"' not in by_number
    by_holder = browser.get("/certifier/certificates?q=siti").text
    assert by_holder.count("data-certificate=") == 2
    assert "No certificate matches" in browser.get("/certifier/certificates?q=Budi").text
    assert "No certificate matches" in browser.get("/certifier/certificates?q=%25").text  # % is taken literally
    assert browser.get("/certifier/certificates?status=active").text.count("data-certificate=") == 2
    assert browser.get("/certifier/certificates?status=suspended").text.count("data-certificate=") == 0
    assert browser.get("/certifier/certificates?status=nonsense").text.count("data-certificate=") == 2
    later = cert.expires_on + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)
    assert browser.get("/certifier/certificates?status=expired").text.count("data-certificate=") == 2


def test_the_lifecycle_through_the_pages(app, world, db, cert):
    browser = _browser(app, world.certifier)
    page = browser.get(f"/certifier/certificates/{cert.number}").text
    assert 'data-event="suspend"' in page and 'data-event="withdraw"' in page and 'data-event="reinstate"' not in page
    assert "Siti Candidate" in page and "PSG.U1" in page

    missing = _fire(browser, db, cert, "suspend", reason="Complaint under investigation", until="")
    assert missing.status_code == 422
    assert "A suspension end date (YYYY-MM-DD) is required." in missing.text
    assert "Complaint under investigation" in missing.text  # the reason typed is kept
    past = _fire(browser, db, cert, "suspend", reason="Complaint", until=clock.today().isoformat())
    assert past.status_code == 422 and "must be after today" in past.text
    no_reason = _fire(browser, db, cert, "suspend", reason="", until=(clock.today() + timedelta(days=30)).isoformat())
    assert no_reason.status_code == 422 and "A reason is required." in no_reason.text
    assert _status(db, cert) == ("active", None)

    until = clock.today() + timedelta(days=30)
    done = _fire(browser, db, cert, "suspend", reason="Complaint under investigation", until=until.isoformat())
    assert done.status_code == 303
    assert _status(db, cert) == ("suspended", until)
    page = browser.get(f"/certifier/certificates/{cert.number}").text
    assert 'data-status="suspended"' in page and "Complaint under investigation" in page
    assert 'data-event="reinstate"' in page and 'data-event="suspend"' not in page
    assert 'data-status="suspended"' in Browser(app).get(f"/verify/{cert.number}").text  # the public page, live

    assert _fire(browser, db, cert, "reinstate", reason="").status_code == 422
    assert _fire(browser, db, cert, "reinstate", reason="Complaint dismissed").status_code == 303
    assert _status(db, cert) == ("active", None)

    assert _fire(browser, db, cert, "withdraw", reason="Fraudulent diploma").status_code == 303
    assert _status(db, cert)[0] == "withdrawn"
    page = browser.get(f"/certifier/certificates/{cert.number}").text
    assert "nothing more can be done" in page
    assert (
        "<strong>Suspend</strong>" in page
        and "<strong>Reinstate</strong>" in page
        and "<strong>Withdraw</strong>" in page
    )
    assert _fire(browser, db, cert, "reinstate", reason="Oops").status_code == 409


def test_an_expired_certificate_has_no_lifecycle_actions(app, world, db, cert, monkeypatch):
    later = cert.expires_on + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)
    browser = _browser(app, world.certifier)
    page = browser.get(f"/certifier/certificates/{cert.number}").text
    assert 'data-status="expired"' in page and 'data-event="suspend"' not in page
    response = browser.post(
        f"/certifier/certificates/{cert.number}/events/suspend",
        data={"csrf_token": csrf_token(page), "version": cert.version, "reason": "x", "until": "2100-01-01"},
    )
    assert response.status_code == 409
    assert _status(db, cert)[0] == "active"


def test_unknown_certificates_and_events_are_404(app, world, cert):
    browser = _browser(app, world.certifier)
    assert browser.get("/certifier/certificates/NOPE-2026-XXXX").status_code == 404
    page = browser.get(f"/certifier/certificates/{cert.number}").text
    response = browser.post(
        f"/certifier/certificates/{cert.number}/events/expire", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 404


def test_the_pdf_is_downloadable(app, world, cert):
    response = _browser(app, world.certifier).get(f"/certifier/certificates/{cert.number}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert cert.number in text and "Siti Candidate" in text
