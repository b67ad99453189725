"""Optimistic locking: a stale ``version`` (given, or changed under the caller) is refused, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from certflow.applications.workflow import StaleVersion, fire_application_event
from certflow.models import Application, Notification, OutboxMessage, TransitionLog
from tests.integration.test_rules_workflow import bring, logs_of, refused


def _counts(db) -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (TransitionLog, Notification, OutboxMessage)
    )


@pytest.mark.parametrize("version", [0, 2, -1, "2", "abc", "", [], {}, 1.5e300, float("inf"), float("nan"), 10**100])
def test_a_version_that_is_not_the_records_is_stale(world, db, version):
    app = world.new_application()
    assert app.version == 1
    before = _counts(db)
    err = refused(db, StaleVersion, app, "submit", world.candidate, version=version)
    assert err.code == "stale_version"
    assert app.state == "draft" and app.version == 1 and _counts(db) == before


@pytest.mark.parametrize("version", [1, "1", " 1 "])
def test_the_current_version_is_accepted(world, db, version):
    app = world.new_application()
    world.fire(app, "submit", world.candidate, version=version)
    assert app.state == "submitted" and app.version == 2


def test_no_version_means_no_check(world, db):
    app = world.new_application()
    world.fire(app, "submit", world.candidate, version=None)
    assert app.version == 2


def test_a_change_committed_by_someone_else_makes_the_flush_stale(world, db):
    """The caller read version 1; another transaction moved it on before the caller's UPDATE."""
    app = bring(world, world.new_application(), "submitted")
    world.mark_documents(app, "valid")
    app = db.session.get(Application, app.id)
    _ = app.documents, app.state  # loaded at version 2
    with db.engine.begin() as other:
        other.execute(update(Application).where(Application.id == app.id).values(version=Application.version + 1))
    before = _counts(db)
    refused(db, StaleVersion, app, "approve", world.admin_batam)
    assert _counts(db) == before
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.state == "submitted" and app.version == 3
    world.fire(app, "approve", world.admin_batam, version=3)
    assert app.state == "eligible"


@pytest.mark.parametrize(
    ("decision", "event"), [("ineligible", "uphold_appeal"), ("not_yet_competent", "dismiss_appeal")]
)
def test_a_stale_appeal_resolution_is_stale_version_not_a_crash(world, db, decision, event):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from=decision)
    app = db.session.get(Application, app.id)
    with db.engine.begin() as other:
        other.execute(update(Application).where(Application.id == app.id).values(version=Application.version + 1))
    refused(db, StaleVersion, app, event, w.certifier2, reason="Considered.")
    assert logs_of(db, app, "appeal") == []


def test_a_stale_reassessment_is_stale_version_and_keeps_the_scores(world, db):
    w = world
    app = bring(w, w.new_application(), "not_yet_competent")
    app = db.session.get(Application, app.id)
    with db.engine.begin() as other:
        other.execute(update(Application).where(Application.id == app.id).values(version=Application.version + 1))
    from certflow.models import Score

    scores = db.session.scalar(select(func.count()).select_from(Score))
    refused(db, StaleVersion, app, "request_reassessment", w.candidate)
    assert db.session.scalar(select(func.count()).select_from(Score)) == scores


def test_every_transition_bumps_the_version_once(world, db):
    app = bring(world, world.new_application(), "certified")
    # The agreement (FR.AK.01), like every part of the application, moves the version when written
    # and when each party signs it: three more on the main path.
    assert app.version == 1 + len(logs_of(db, app)) + 3


def test_fire_with_the_version_read_by_the_caller(world, db):
    app = world.new_application()
    fire_application_event(app, "submit", world.candidate, version=app.version)
    db.session.commit()
    read = app.version
    world.mark_documents(app, "valid")
    world.fire(app, "approve", world.admin_kepri, version=read)
    refused(db, StaleVersion, app, "withdraw", world.candidate, version=read)
