"""Password reset and registration: idempotent under double-clicks, alike whatever the e-mail."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import OutboxMessage
from tests.web.test_pages_support import Browser, csrf_token, fresh


def _forgot(browser: Browser, email: str):
    page = browser.get("/forgot-password")
    return browser.post("/forgot-password", data={"csrf_token": csrf_token(page.text), "email": email})


def _resets(db) -> list[OutboxMessage]:
    fresh(db)
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "password_reset")).all()


def test_two_resets_in_the_same_second_answer_alike_and_send_one_email(app, world, db, monkeypatch):
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)  # the very same second
    browser = Browser(app)
    answers = [_forgot(browser, world.candidate.email) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len(_resets(db)) == 1


def test_a_reset_asked_again_later_sends_again(app, world, db, monkeypatch):
    from datetime import timedelta

    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)
    assert _forgot(Browser(app), world.candidate.email).status_code == 302
    monkeypatch.setattr(clock, "now", lambda: moment + timedelta(minutes=2))
    assert _forgot(Browser(app), world.candidate.email).status_code == 302
    assert len(_resets(db)) == 2


def test_concurrent_account_emails_write_one_message(app, world, db):
    """The insert itself is idempotent: a second writer of the same key writes nothing and does not fail."""
    from certflow.people.passwords import queue_account_email

    queue_account_email(world.candidate, "password_reset")
    queue_account_email(world.candidate, "password_reset")
    db.session.commit()
    assert len(_resets(db)) == 1


def _timed(fn) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


@pytest.mark.parametrize("form", ["forgot", "register"])
def test_the_answer_takes_as_long_whatever_the_email(app, world, db, monkeypatch, form):
    monkeypatch.setitem(app.config, "ACCOUNT_ANSWER_SECONDS", 0.3)

    def send(email: str):
        browser = Browser(app)
        if form == "forgot":
            page = browser.get("/forgot-password")
            data = {"csrf_token": csrf_token(page.text), "email": email}
            return lambda: browser.post("/forgot-password", data=data)
        page = browser.get("/register")
        data = {
            "csrf_token": csrf_token(page.text),
            "name": "Rina",
            "email": email,
            "dinas": str(world.bintan.id),
            "education_field": "kesos",
            "education_level": "S1",
            "practice_hours": "10",
        }
        return lambda: browser.post("/register", data=data)

    known = _timed(send(world.candidate.email))
    unknown = _timed(send("orang-baru@example.id"))
    assert known >= 0.3 and unknown >= 0.3
    assert abs(known - unknown) < 0.15
