"""The database refuses an application whose columns contradict its state (migration 0004_invariants).

Each rule: a row the workflow wrote in that state is accepted, and a direct write (an UPDATE or
INSERT through the session, past the services) that breaks the rule is refused with the rule's
constraint named. Then the migration itself: on a database already holding rows that break a
rule, the upgrade stops with a message naming the constraint, the count and the ids.
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from certflow import clock
from certflow.extensions import db as _db
from certflow.models import Application
from certflow.models.applications import STATE_INVARIANTS
from tests.factories import World
from tests.integration.test_migrations import _app_on, _pg_database
from tests.integration.test_rules_workflow import bring

APPLICATIONS = Application.__table__
REVISION = "0004_invariants"
BEFORE = "0002_perf"  # the revision before 0004_invariants (file 0003_performance.py)


def _update(app_id: int, **values):
    return sa.update(APPLICATIONS).where(APPLICATIONS.c.id == app_id).values(**values)


def refused(db, stmt, constraint: str) -> None:
    """``stmt`` is refused by the check constraint ``ck_applications_<constraint>``; the session rolled back."""
    with pytest.raises(IntegrityError) as err:
        db.session.execute(stmt)
        db.session.flush()
    db.session.rollback()
    assert f"ck_applications_{constraint}" in str(err.value.orig), err.value.orig


def accepted(db, stmt) -> None:
    db.session.execute(stmt)
    db.session.commit()


def test_revision_requested_needs_a_deadline(world, db):
    app = bring(world, world.new_application(), "revision_requested")
    assert app.revision_deadline is not None  # the workflow's row is accepted
    refused(db, _update(app.id, revision_deadline=None), "revision_has_deadline")

    draft = world.new_application(world.other_candidate)
    refused(db, _update(draft.id, state="revision_requested"), "revision_has_deadline")
    accepted(db, _update(draft.id, state="revision_requested", revision_deadline=clock.today() + timedelta(days=7)))
    accepted(db, _update(app.id, state="withdrawn"))  # a withdrawn application keeps its old deadline


@pytest.mark.parametrize("appealed_from", ["ineligible", "not_yet_competent"])
def test_under_appeal_and_only_it_records_the_state_appealed_from(world, db, appealed_from):
    app = bring(world, world.new_application(), "under_appeal", appealed_from=appealed_from)
    assert app.appealed_from == appealed_from
    refused(db, _update(app.id, appealed_from=None), "appeal_has_origin")
    refused(db, _update(app.id, state=appealed_from), "appeal_has_origin")  # left the appeal, kept its origin
    accepted(db, _update(app.id, state=appealed_from, appealed_from=None))
    refused(db, _update(app.id, appealed_from=appealed_from), "appeal_has_origin")


@pytest.mark.parametrize("state", ["team_assigned", "in_assessment", "assessed"])
def test_the_assessment_states_need_a_team(world, db, state):
    app = bring(world, world.new_application(), state)
    assert app.team_id == world.team.id
    refused(db, _update(app.id, team_id=None), "assessment_has_team")
    other = world.new_application(world.other_candidate).id
    refused(db, _update(other, state=state, recommendation="K"), "assessment_has_team")  # K: only the team lacks
    accepted(db, _update(app.id, state="eligible", team_id=None, recommendation=None))


def test_assessed_needs_the_recommendation(world, db):
    app = bring(world, world.new_application(), "assessed", recommendation="BK")
    assert app.recommendation == "BK"
    refused(db, _update(app.id, recommendation=None), "assessed_has_recommendation")
    accepted(db, _update(app.id, state="in_assessment", recommendation=None))  # return_assessment's row
    refused(db, _update(app.id, state="assessed"), "assessed_has_recommendation")
    accepted(db, _update(app.id, state="assessed", recommendation="K"))


def test_an_insert_is_checked_too(world, db):
    row = {
        "candidate_id": world.candidate.id,
        "scheme_id": world.scheme.id,
        "dinas_id": world.batam.id,
        "version": 1,
        "apl01": {},
        "created_at": clock.now(),
        "updated_at": clock.now(),
        "state_changed_at": clock.now(),
    }
    refused(
        db,
        sa.insert(APPLICATIONS).values(**row, state="assessed", team_id=world.team.id),
        "assessed_has_recommendation",
    )
    refused(db, sa.insert(APPLICATIONS).values(**row, state="under_appeal"), "appeal_has_origin")
    accepted(db, sa.insert(APPLICATIONS).values(**row, state="assessed", team_id=world.team.id, recommendation="K"))


# -- the migration --------------------------------------------------------------------------------
def _migration():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0004_invariants.py"
    spec = importlib.util.spec_from_file_location("migration_0004_invariants", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_creates_the_models_rules_and_the_database_has_them(db):
    """Autogenerate does not compare check constraints: the model and the migration are compared here."""
    assert {name: sql for name, sql, _fix in _migration().INVARIANTS} == STATE_INVARIANTS
    checks = {c["name"] for c in sa.inspect(db.engine).get_check_constraints("applications")}
    assert {f"ck_applications_{name}" for name in STATE_INVARIANTS} <= checks


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_app(request, tmp_path):
    """An application on a database of its own (each kind), migrated to head."""
    if request.param == "sqlite":
        yield _migrated(f"sqlite:///{tmp_path / 'invariants.sqlite'}", tmp_path)
    else:
        with _pg_database() as url:
            yield _migrated(url, tmp_path)


def _migrated(url: str, tmp_path):
    flask_app = _app_on(url, tmp_path)
    with flask_app.app_context():
        command.upgrade(_alembic_config(flask_app), "head")
    return flask_app


def _alembic_config(flask_app):
    return flask_app.extensions["migrate"].migrate.get_config()


def _revision() -> str:
    with _db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def test_the_migration_refuses_existing_rows_that_break_a_rule(migrated_app):
    with migrated_app.app_context():
        config = _alembic_config(migrated_app)
        try:
            w = World.build()
            ids = [w.new_application().id for _ in range(3)]
            other = w.new_application(w.other_candidate).id
            team, documents = w.team.id, 4 * len(w.scheme.required_documents)
            _db.session.remove()
            command.downgrade(config, BEFORE)
            with _db.engine.begin() as conn:  # what the rules forbid, written while nothing forbade it
                conn.execute(_update_in(ids, state="revision_requested"))
                conn.execute(_update_in([other], state="assessed", team_id=team))

            with pytest.raises(RuntimeError) as err:
                command.upgrade(config, REVISION)
            message = str(err.value)
            assert "ck_applications_revision_has_deadline" in message
            assert f"3 application(s) break it, ids {', '.join(map(str, ids))}" in message
            assert "revision_deadline" in message and "fix" in message
            assert "ck_applications_assessed_has_recommendation" in message and f"ids {other};" in message
            assert "ck_applications_appeal_has_origin" not in message
            assert "ck_applications_assessment_has_team" not in message
            assert _revision() == BEFORE  # nothing was changed

            with _db.engine.begin() as conn:  # corrected as the message says, the upgrade goes through
                conn.execute(_update_in(ids, revision_deadline=clock.today() + timedelta(days=7)))
                conn.execute(_update_in([other], recommendation="K"))
            command.upgrade(config, REVISION)
            assert _revision() == REVISION
            with _db.engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM applications")).scalar() == 4
                assert conn.execute(sa.text("SELECT count(*) FROM documents")).scalar() == documents
        finally:
            _db.session.remove()
            _db.engine.dispose()


def _update_in(ids, **values):
    return sa.update(APPLICATIONS).where(APPLICATIONS.c.id.in_(ids)).values(**values)
