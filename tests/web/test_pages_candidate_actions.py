"""The candidate's actions on their application page: submit, resubmit, withdraw, appeal, reassess, certificate."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from certflow import clock
from certflow.models import Appeal, Application
from tests.web.test_pages_candidate_support import browser, neighbour, post
from tests.web.test_pages_support import fresh

BUTTON = re.compile(r'action="/candidate/applications/\d+/events/([a-z_]+)"')


def _page(application) -> str:
    return f"/candidate/applications/{application.id}"


def _fire(b, application, event, version=None, **data):
    fresh_version = version if version is not None else _version(application)
    if event in ("submit", "resubmit"):
        data.setdefault("declaration", "yes")  # the candidate's declaration (test_pages_ux tests its absence)
    return post(b, _page(application), f"{_page(application)}/events/{event}", version=fresh_version, **data)


def _version(application) -> int:
    from certflow.extensions import db

    db.session.rollback()
    return db.session.scalar(select(Application.version).where(Application.id == application.id))


def _state(db, application) -> str:
    fresh(db)
    return db.session.scalar(select(Application.state).where(Application.id == application.id))


def test_the_buttons_are_the_candidates_events_of_the_state(app, world):
    draft = world.new_application()
    b = browser(app, world.candidate)
    assert BUTTON.findall(b.get(_page(draft)).text) == ["submit", "withdraw"]
    assessed = world.advance(world.new_application(), "assessed")
    page = b.get(_page(assessed)).text
    assert BUTTON.findall(page) == []
    assert "There is nothing for you to do on this application now." in page


def test_submit_is_refused_with_the_rule_that_failed_and_done_when_ready(app, world, db):
    draft = world.new_application()
    for doc in list(draft.documents):
        db.session.delete(doc)
    db.session.commit()
    b = browser(app, world.candidate)
    response = _fire(b, draft, "submit")
    assert response.status_code == 422
    assert "“Submit” was not done." in response.text
    assert "Required documents are missing: Diploma, Work letter." in response.text
    assert _state(db, draft) == "draft"
    ready = world.new_application(scheme=world.other_scheme)
    response = _fire(b, ready, "submit")
    assert response.status_code == 303 and response.headers["Location"] == _page(ready)
    assert _state(db, ready) == "submitted"
    assert "Submit: done." in b.get(_page(ready)).text


def test_a_stale_page_is_refused_and_a_missing_csrf_token_too(app, world, db):
    draft = world.new_application(scheme=world.other_scheme)
    b = browser(app, world.candidate)
    response = _fire(b, draft, "submit", version=_version(draft) - 1)
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    response = b.post(f"{_page(draft)}/events/submit", data={"version": _version(draft)})
    assert response.status_code == 400
    assert _state(db, draft) == "draft"


def test_resubmit_after_a_revision_request(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    world.fire(application, "request_revision", world.admin_batam, reason="Foto buram", data={"deadline": "2099-01-01"})
    b = browser(app, world.candidate)
    page = b.get(_page(application)).text
    assert BUTTON.findall(page) == ["resubmit", "withdraw"]
    assert "Foto buram" in page and "January 1, 2099" in page
    assert _fire(b, application, "resubmit").status_code == 303
    assert _state(db, application) == "submitted"


def test_withdraw_asks_for_confirmation_and_closes_the_application(app, world, db):
    application = world.advance(world.new_application(), "eligible")
    b = browser(app, world.candidate)
    page = b.get(_page(application)).text
    withdraw = page[page.index('data-event="withdraw"') :]
    assert "This cannot be undone. Are you sure?" in withdraw[: withdraw.index("</details>")]
    assert _fire(b, application, "withdraw").status_code == 303
    assert _state(db, application) == "withdrawn"


def test_an_appeal_shows_its_window_needs_a_reason_and_closes_after_14_days(app, world, db, monkeypatch):
    application = world.advance(world.new_application(), "submitted")
    world.fire(application, "reject", world.admin_batam, reason="Tidak memenuhi syarat")
    b = browser(app, world.candidate)
    page = b.get(_page(application)).text
    assert "You may appeal until" in page and "(14 days after the decision)" in page
    response = _fire(b, application, "appeal", reason="  ")
    assert response.status_code == 422 and "A reason is required." in response.text
    assert 'data-event="appeal" open' in response.text
    later = clock.now() + timedelta(days=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = _fire(b, application, "appeal", reason="Saya memenuhi syarat")
    assert response.status_code == 422
    assert "An appeal must be made within 14 days of the decision." in response.text
    assert "Saya memenuhi syarat" in response.text  # what was typed is kept
    monkeypatch.undo()
    assert _fire(b, application, "appeal", reason="Saya memenuhi syarat").status_code == 303
    assert _state(db, application) == "under_appeal"
    assert db.session.scalar(select(Appeal.reason).where(Appeal.application_id == application.id)) == (
        "Saya memenuhi syarat"
    )


def test_a_reassessment_covers_only_the_units_judged_bk(app, world, db):
    application = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(application, "decline", world.certifier, reason="Unit 1 belum kompeten")
    b = browser(app, world.candidate)
    page = b.get(_page(application)).text
    assert 'name="units" value="PSG.U1"' in page and 'value="PSG.U2"' not in page
    response = _fire(b, application, "request_reassessment", units=["PSG.U2"])
    assert response.status_code == 422
    assert "A reassessment may cover only the BK units: PSG.U1." in response.text
    assert _fire(b, application, "request_reassessment", units=["PSG.U1"]).status_code == 303
    assert _state(db, application) == "eligible"
    assert db.session.get(Application, application.id).reassessment_units == ["PSG.U1"]


def test_the_holder_downloads_the_certificate_pdf(app, world, db):
    application = world.advance(world.new_application(), "certified")
    fresh(db)
    number = db.session.get(Application, application.id).certificate.number
    response = browser(app, world.candidate).get(f"{_page(application)}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={number}.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert number in text and world.candidate.name in text


def test_no_certificate_no_download_and_nobody_elses(app, world):
    draft = world.new_application()
    b = browser(app, world.candidate)
    assert b.get(f"{_page(draft)}/certificate.pdf").status_code == 404
    theirs = world.advance(world.new_application(candidate=neighbour(world)), "certified")
    assert b.get(f"{_page(theirs)}/certificate.pdf").status_code == 404
