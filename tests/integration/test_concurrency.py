"""Twenty people fire the same event on the same application at the same moment: exactly one wins.

Each thread has its own application context, session and connection (PostgreSQL, READ
COMMITTED, as in production); a barrier releases them together. The losers are told the
record changed (``stale_version``) or that the event is no longer possible
(``invalid_transition``); nothing is written twice. SQLite serialises writers, so the race
is only run on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from certflow import create_app
from certflow.applications.workflow import StaleVersion, fire_application_event
from certflow.extensions import db as _db
from certflow.models import (
    Agreement,
    Appeal,
    Application,
    Certificate,
    Notification,
    OutboxMessage,
    Score,
    TransitionLog,
    User,
)
from tests.conftest import DB_KIND, pg_available, require_service
from tests.integration.test_rules_workflow import bring
from workflows import WorkflowError

THREADS = 20


@pytest.fixture()
def racing_app(app, database_url):
    """A second application on the same PostgreSQL database, with a pool for every thread at once."""
    if DB_KIND != "postgresql":
        pytest.skip("SQLite serialises writers; the race runs on PostgreSQL")
    require_service(pg_available(), "PostgreSQL")

    config = {k: v for k, v in app.config.items() if k.isupper()}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": THREADS + 2, "max_overflow": 0, "pool_timeout": 30}
    racing = create_app(type("RacingConfig", (), config))
    yield racing
    with racing.app_context():
        _db.engine.dispose()


def race(racing_app, application_id: int, calls) -> list[str]:
    """Run ``calls[i](app, user)`` in thread i, all released at once; return each outcome."""
    barrier = threading.Barrier(len(calls), timeout=60)
    outcomes: list[str | None] = [None] * len(calls)

    def run(i: int, user_id: int | None, call) -> None:
        with racing_app.app_context():
            try:
                app = _db.session.get(Application, application_id)
                user = _db.session.get(User, user_id) if user_id is not None else None
                _ = app.state, app.version, app.documents, app.team  # read before the race, as a request would
                barrier.wait()
                try:
                    call(app, user)
                    _db.session.commit()
                    outcomes[i] = "ok"
                except (WorkflowError, StaleVersion) as exc:
                    _db.session.rollback()
                    outcomes[i] = exc.code
            except Exception as exc:  # noqa: BLE001 - reported as the outcome, checked below
                _db.session.rollback()
                outcomes[i] = f"crash: {exc!r}"
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, uid, call)) for i, (uid, call) in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def _fire(event, **kw):
    def call(app, user):
        fire_application_event(app, event, user, **kw)

    return call


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _check(db, outcomes, app_id, event, dest):
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", "stale_version", "invalid_transition"}, outcomes
    db.session.expire_all()
    app = db.session.get(Application, app_id)
    assert app.state == dest
    assert _count(db, TransitionLog, TransitionLog.application_id == app_id, TransitionLog.event == event) == 1
    logs = _count(db, TransitionLog, TransitionLog.application_id == app_id, TransitionLog.workflow == "application")
    # The agreement (FR.AK.01) moves the version too, when written and when each party signs it.
    agreement = 3 * _count(db, Agreement, Agreement.application_id == app_id)
    assert app.version == 1 + logs + agreement
    return app


def _no_duplicate_messages(db, app_id, event):
    notes = db.session.scalars(
        select(Notification.user_id).where(Notification.application_id == app_id, Notification.event == event)
    ).all()
    assert len(notes) == len(set(notes)) > 0
    mails = db.session.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.application_id == app_id, OutboxMessage.event == event)
    ).all()
    assert sorted(mails) == sorted(notes)


def test_twenty_admins_approve_at_once(world, db, racing_app):
    w = world
    app = bring(w, w.new_application(), "submitted")
    w.mark_documents(app, "valid")
    admins = [w.admin_batam.id, w.admin_kepri.id]
    outcomes = race(racing_app, app.id, [(admins[i % 2], _fire("approve")) for i in range(THREADS)])
    _check(db, outcomes, app.id, "approve", "eligible")
    _no_duplicate_messages(db, app.id, "approve")


def test_twenty_certifiers_certify_at_once_and_one_certificate_is_issued(world, db, racing_app):
    w = world
    app = bring(w, w.new_application(), "assessed")
    certifiers = [w.certifier.id, w.certifier2.id]
    outcomes = race(racing_app, app.id, [(certifiers[i % 2], _fire("certify")) for i in range(THREADS)])
    _check(db, outcomes, app.id, "certify", "certified")
    assert _count(db, Certificate, Certificate.application_id == app.id) == 1
    assert _count(db, Certificate) == 1
    _no_duplicate_messages(db, app.id, "certify")


def test_twenty_stale_versions_and_one_winner(world, db, racing_app):
    """Every thread passes the version it read: the same outcome with the version check."""
    w = world
    app = bring(w, w.new_application(), "assessed")
    version = app.version
    outcomes = race(racing_app, app.id, [(w.certifier.id, _fire("certify", version=version)) for _ in range(THREADS)])
    _check(db, outcomes, app.id, "certify", "certified")
    assert _count(db, Certificate) == 1


@pytest.mark.parametrize(
    ("decision", "event", "dest"),
    [("ineligible", "uphold_appeal", "submitted"), ("not_yet_competent", "dismiss_appeal", "not_yet_competent")],
)
def test_twenty_certifiers_resolve_the_same_appeal_at_once(world, db, racing_app, decision, event, dest):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from=decision)
    outcomes = race(racing_app, app.id, [(w.certifier2.id, _fire(event, reason="Decided.")) for _ in range(THREADS)])
    _check(db, outcomes, app.id, event, dest)
    appeal = db.session.scalar(select(Appeal).where(Appeal.application_id == app.id))
    assert appeal.state in ("upheld", "dismissed")
    assert _count(db, TransitionLog, TransitionLog.workflow == "appeal", TransitionLog.subject_id == appeal.id) == 1


def test_twenty_reassessment_requests_at_once(world, db, racing_app):
    w = world
    app = bring(w, w.new_application(), "not_yet_competent")
    scores = _count(db, Score, Score.application_id == app.id)
    outcomes = race(racing_app, app.id, [(w.candidate.id, _fire("request_reassessment")) for _ in range(THREADS)])
    _check(db, outcomes, app.id, "request_reassessment", "eligible")
    assert _count(db, Score, Score.application_id == app.id) == scores // 2  # the BK unit's scores, once


def test_withdraw_racing_approve_one_of_them_wins(world, db, racing_app):
    w = world
    app = bring(w, w.new_application(), "submitted")
    w.mark_documents(app, "valid")
    calls = [
        (w.candidate.id, _fire("withdraw")) if i % 2 else (w.admin_batam.id, _fire("approve")) for i in range(THREADS)
    ]
    outcomes = race(racing_app, app.id, calls)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", "stale_version", "invalid_transition"}, outcomes
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.state in ("withdrawn", "eligible")
    assert _count(db, TransitionLog, TransitionLog.application_id == app.id) == 2  # submit + the winner
