"""The account page: a person sets their WhatsApp number and consent, and withdraws it, in words."""

from __future__ import annotations

from certflow.extensions import db as _db
from certflow.models import User
from tests.web.test_pages_support import Browser, csrf_token, fresh


def _save(browser: Browser, **data):
    token = csrf_token(browser.get("/account?lang=en").text)
    return browser.post("/account/whatsapp", data={"csrf_token": token, **data})


def _user(db, user_id: int) -> User:
    fresh(db)
    return _db.session.get(User, user_id)


def test_a_person_gives_a_number_and_consent_then_withdraws_it(app, db, world):
    browser = Browser(app).login(world.candidate)
    page = browser.get("/account?lang=en").text
    assert "WhatsApp number" in page and "never your documents or scores" in page
    assert "does not send WhatsApp messages yet" in page  # no provider configured here

    answer = _save(browser, number="0812-3456-7890", consent="y")
    assert answer.status_code == 303
    user = _user(db, world.candidate.id)
    assert user.whatsapp_number == "+6281234567890" and user.whatsapp_consent_at is not None
    assert user.wants_whatsapp
    page = browser.get("/account?lang=en").text
    assert "You receive notifications on WhatsApp at +6281234567890" in page
    agreed = user.whatsapp_consent_at

    _save(browser, number="+62 812 3456 7890", consent="y")  # saved again: the consent keeps its day
    assert _user(db, world.candidate.id).whatsapp_consent_at == agreed

    answer = _save(browser, number="0812 3456 7890")  # the box unticked: withdrawn
    assert answer.status_code == 303
    user = _user(db, world.candidate.id)
    assert user.whatsapp_consent_at is None and not user.wants_whatsapp
    assert user.whatsapp_number == "+6281234567890"
    assert "You will not receive notifications on WhatsApp" in browser.get("/account?lang=en").text


def test_a_wrong_number_or_consent_without_a_number_is_refused_in_words(app, db, world):
    browser = Browser(app).login(world.candidate)
    answer = _save(browser, number="0778 123456", consent="y")
    assert answer.status_code == 422
    assert "Enter a mobile number that has WhatsApp, e.g. 0812 3456 7890" in answer.text
    assert 'value="0778 123456"' in answer.text  # what was typed stays
    answer = _save(browser, number="", consent="y")
    assert answer.status_code == 422
    assert "Enter your WhatsApp number to receive notifications there." in answer.text
    user = _user(db, world.candidate.id)
    assert user.whatsapp_number is None and user.whatsapp_consent_at is None


def test_the_whatsapp_part_of_the_account_page_is_indonesian_by_default(app, world):
    browser = Browser(app).login(world.certifier)
    page = browser.get("/account").text
    assert "Nomor WhatsApp" in page and "Simpan pilihan WhatsApp saya" in page
    answer = browser.post("/account/whatsapp", data={"csrf_token": csrf_token(page), "number": "123", "consent": "y"})
    assert answer.status_code == 422 and "Isi nomor ponsel yang memakai WhatsApp" in answer.text
