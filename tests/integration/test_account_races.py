"""Account e-mails under double-clicks: requests at the same moment write one message and none fails.

Each thread has its own application context, session and connection; a barrier releases them
together (PostgreSQL, READ COMMITTED as in production; SQLite serialises the writers).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from certflow import create_app
from certflow.core.transaction import unit_of_work
from certflow.extensions import db as _db
from certflow.models import OutboxMessage, User
from certflow.people.passwords import request_password_reset
from certflow.people.registration import register_candidate
from certflow.people.sessions import end_every_session
from tests.conftest import DB_KIND

THREADS = 8


@pytest.fixture()
def racing_app(app):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    if DB_KIND == "postgresql":
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": THREADS + 2, "max_overflow": 0, "pool_timeout": 30}
    racing = create_app(type("RacingConfig", (), config))
    yield racing
    with racing.app_context():
        _db.engine.dispose()


def _race(racing_app, call) -> list[str]:
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str] = [""] * THREADS

    def run(i: int) -> None:
        with racing_app.app_context():
            barrier.wait()
            try:
                with unit_of_work():
                    call()
                outcomes[i] = "ok"
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
                outcomes[i] = type(exc).__name__
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return outcomes


def _messages(db, event: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.event == event))


def test_simultaneous_resets_write_one_email_and_none_fails(racing_app, world, db):
    email = world.candidate.email
    db.session.commit()
    outcomes = _race(racing_app, lambda: request_password_reset(email))
    assert outcomes == ["ok"] * THREADS
    assert _messages(db, "password_reset") == 1


def test_simultaneous_registrations_of_one_address_make_one_account(racing_app, world, db):
    dinas_id = world.bintan.id
    db.session.commit()

    def register():
        from certflow.models import Dinas

        register_candidate(
            "kembar@example.id",
            "Kembar",
            _db.session.get(Dinas, dinas_id),
            education_field="kesos",
            education_level="S1",
            practice_hours=0,
        )

    outcomes = _race(racing_app, register)
    # One creates the account; the others either tell its owner or lose the race to the unique e-mail
    # (the page answers that alike: StaleVersion is caught there).
    assert set(outcomes) <= {"ok", "StaleVersion"} and "ok" in outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "kembar@example.id")) == 1
    # one confirmation: the requests that found the account just made queue the same key (two only
    # if the race straddles the end of a one-minute window)
    assert _messages(db, "account_confirm") in (1, 2)


def test_ending_every_session_twice_at_once_raises_the_epoch(racing_app, world, db):
    user_id = world.candidate.id
    before = world.candidate.session_epoch
    db.session.commit()
    outcomes = _race(racing_app, lambda: end_every_session(_db.session.get(User, user_id)))
    assert set(outcomes) <= {"ok", "StaleVersion"} and "ok" in outcomes
    db.session.rollback()
    assert db.session.get(User, user_id).session_epoch > before
