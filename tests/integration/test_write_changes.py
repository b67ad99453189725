"""A transition's UPDATE is one Core statement under the version check; the session is left clean."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from certflow.applications.transition_log import write_changes
from certflow.applications.workflow import StaleVersion
from certflow.models import Application
from tests.integration.test_rules_workflow import bring


@pytest.fixture()
def statements(db):
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def _updates(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("UPDATE APPLICATIONS")]


def test_a_transition_writes_one_versioned_update_and_leaves_the_session_clean(world, db, statements):
    app = bring(world, world.new_application(), "submitted")
    world.mark_documents(app, "valid")
    version, updated = app.version, app.updated_at
    statements.clear()
    world.fire(app, "approve", world.admin_batam, version=version)
    (stmt,) = _updates(statements)
    assert "version" in stmt.split("WHERE", 1)[1]  # the optimistic lock
    assert app.version == version + 1 and app.updated_at >= updated
    db.session.expire_all()
    row = db.session.execute(select(Application.state, Application.version).where(Application.id == app.id)).one()
    assert tuple(row) == ("eligible", version + 1)


def test_after_write_changes_nothing_is_left_to_flush(world, db, statements):
    app = world.new_application()
    version = app.version
    app.revision_reason = "written by Core"
    write_changes(app)
    assert not db.session.dirty
    statements.clear()
    db.session.flush()
    assert _updates(statements) == []
    db.session.commit()
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert (app.revision_reason, app.version) == ("written by Core", version + 1), version


def test_a_version_moved_on_underneath_is_stale_and_nothing_is_written(world, db):
    app = world.new_application()
    with db.engine.begin() as other:
        other.execute(update(Application).where(Application.id == app.id).values(version=Application.version + 1))
    app.revision_reason = "lost"
    with pytest.raises(StaleVersion):
        write_changes(app)
    db.session.rollback()
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert (app.revision_reason, app.version) == (None, 2)


def test_a_changed_relationship_is_left_to_the_flush(world, db):
    app = world.new_application()
    other = world.new_application()
    app.scheme = other.scheme  # a relationship, not a column: the unit of work writes it
    app.revision_reason = "by the flush"
    write_changes(app)
    assert not db.session.dirty
    db.session.commit()
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert (app.revision_reason, app.version) == ("by the flush", 2)


def test_nothing_changed_writes_nothing(world, db, statements):
    app = world.new_application()
    statements.clear()
    write_changes(app)
    assert _updates(statements) == [] and app.version == 1
