"""The migrations: upgrade an empty database to head, down to base, up again; the models match them.

Each test migrates a database of its own (a fresh PostgreSQL database, dropped afterwards, or a
SQLite file), through ``flask_migrate`` on an application made by ``certflow.create_app``.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from certflow import create_app
from certflow.extensions import db
from config import TestConfig
from tests.conftest import PG_URL, _pg_admin_url, pg_available, require_service


def _app_on(url: str, tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(tmp_path / "uploads")
        CELERY_BROKER_DIR = str(tmp_path / "broker")
        MAIL_FILE_DIR = str(tmp_path / "mail")
        OUTBOX_DISPATCH = False

    return create_app(Config)


@contextmanager
def _pg_database():
    """A new, empty PostgreSQL database named certflow_test_tests_mig_<random>; dropped afterwards."""
    require_service(pg_available(), "PostgreSQL")
    name = f"certflow_test_tests_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(_pg_admin_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:
        with _pg_database() as url:
            yield url


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_and_no_difference_with_the_models(empty_database, tmp_path):
    flask_app = _app_on(empty_database, tmp_path)
    with flask_app.app_context():
        try:
            assert _tables() == set()
            upgrade()
            model_tables = {t.name for t in db.metadata.sorted_tables}
            assert _tables() == model_tables | {"alembic_version"}
            assert _differences() == []

            downgrade(revision="base")
            assert _tables() == {"alembic_version"}, "downgrade to base left tables behind"
            with db.engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 0
                if conn.dialect.name == "postgresql":
                    leftovers = conn.execute(
                        sa.text(
                            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = 'public' AND relname NOT LIKE 'alembic_version%'"
                        )
                    ).scalars()
                    assert list(leftovers) == [], "downgrade left sequences, indexes or views behind"
                    types = conn.execute(
                        sa.text(
                            "SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                            "WHERE n.nspname = 'public' AND t.typtype = 'e'"
                        )
                    ).scalars()
                    assert list(types) == []

            upgrade()
            assert _tables() == model_tables | {"alembic_version"}
            assert _differences() == []
            with db.engine.connect() as conn:
                heads = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
            from alembic.script import ScriptDirectory

            script = ScriptDirectory.from_config(flask_app.extensions["migrate"].migrate.get_config())
            assert heads == [script.get_current_head()]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_migrated_schema_enforces_the_workflow_states(empty_database, tmp_path):
    """The state columns' check constraints list exactly the definitions' states."""
    from workflows import APPEAL, APPLICATION, CERTIFICATE

    flask_app = _app_on(empty_database, tmp_path)
    with flask_app.app_context():
        try:
            upgrade()
            inspector = sa.inspect(db.engine)
            for table, definition in (
                ("applications", APPLICATION),
                ("appeals", APPEAL),
                ("certificates", CERTIFICATE),
            ):
                checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
                column = "status" if table == "certificates" else "state"
                sql = checks[f"ck_{table}_{column}"]
                assert all(f"'{state}'" in sql for state in definition.states), (table, sql)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_comparison_sees_a_schema_that_drifted(empty_database, tmp_path):
    """The no-difference check can fail: drop an index and a column behind the models' back."""
    flask_app = _app_on(empty_database, tmp_path)
    with flask_app.app_context():
        try:
            upgrade()
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP INDEX ix_applications_state"))
                conn.execute(sa.text("ALTER TABLE documents DROP COLUMN note"))
            found = {(d[0], getattr(d[-1], "name", None) if d[0].endswith("column") else None) for d in _flat()}
            assert ("add_index", None) in found and ("add_column", "note") in found, found
        finally:
            db.session.remove()
            db.engine.dispose()


def _flat() -> list[tuple]:
    out = []
    for diff in _differences():
        out.extend(diff if isinstance(diff, list) else [diff])
    return out
