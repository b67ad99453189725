"""Test fixtures: a real database (SQLite or PostgreSQL), migrated once, emptied after each test.

``CERTFLOW_TEST_DB=postgresql`` runs the suite on PostgreSQL (``CERTFLOW_TEST_PG_URL``);
the default is a SQLite file. With ``CI=true`` a missing PostgreSQL or Redis fails the
run instead of skipping what needs it.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from certflow import create_app
from certflow.extensions import db as _db
from config import TestConfig

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DB_KIND = os.environ.get("CERTFLOW_TEST_DB", "sqlite")
PG_URL = os.environ.get("CERTFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/certflow_test")
REDIS_URL = os.environ.get("CERTFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _pg_admin_url(url: str) -> sa.engine.URL:
    return sa.engine.make_url(url).set(database="postgres")


def pg_available() -> bool:
    """Whether the PostgreSQL server of ``CERTFLOW_TEST_PG_URL`` answers."""
    try:
        engine = sa.create_engine(_pg_admin_url(PG_URL), isolation_level="AUTOCOMMIT")
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


def redis_available() -> bool:
    """Whether the Redis server of ``CERTFLOW_TEST_REDIS_URL`` answers."""
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def require_service(available: bool, name: str) -> None:
    """Skip when a service is missing — but fail in CI, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is not reachable, and CI requires it", pytrace=False)
    pytest.skip(f"{name} is not reachable")


def _fresh_pg_database(url: str) -> None:
    admin = sa.create_engine(_pg_admin_url(url), isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(url).database
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The URL of this run's empty test database."""
    if DB_KIND == "postgresql":
        require_service(pg_available(), "PostgreSQL")
        _fresh_pg_database(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application on the migrated test database."""
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("instance")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_DIR = str(instance / "uploads")
        CELERY_BROKER_DIR = str(instance / "broker")
        MAIL_FILE_DIR = str(instance / "mail")
        CERT_SIGNING_DIR = str(instance / "signing")
        OUTBOX_DISPATCH = False

    app = create_app(Config)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture()
def app_ctx(app):
    """An application context, with every table emptied afterwards."""
    from certflow.extensions import limiter

    with app.app_context():
        limiter.reset()  # each test starts with fresh rate limits
        yield app
        _db.session.rollback()
        _empty_tables()
        _db.session.remove()


@pytest.fixture()
def db(app_ctx):
    """The database session (Flask-SQLAlchemy's ``db``), on a clean database."""
    return _db


def _empty_tables() -> None:
    tables = [t for t in _db.metadata.sorted_tables]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # DELETE of a few rows is far quicker than TRUNCATE of every table; foreign keys
            # (applications ↔ certificates reference each other) are not checked meanwhile.
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for t in reversed(tables):
                conn.execute(t.delete())
        else:
            conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
            for t in reversed(tables):
                conn.execute(t.delete())
            conn.execute(sa.text("PRAGMA foreign_keys=ON"))


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own application context.

    Tests hold an application context open (for ``db``); without this, requests would share
    its ``g`` — the logged-in user and the locale cached by one request would leak into the next —
    and its database session. Each request here, as in production, starts fresh.

    Every answer under ``/api/v1`` is checked against the generated OpenAPI document
    (``tests.contract``): a status the operation does not document, or a body its schema does
    not describe, fails the test that received it.
    """

    def open(self, *args, **kwargs):
        # API tests read English messages unless they ask otherwise (the API's default is
        # Indonesian: send an empty Accept-Language to see it).
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        if path.startswith("/api/"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Accept-Language", "en")
            kwargs["headers"] = headers
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.request.path.startswith("/api/v1/"):
            from tests.contract import check_answer

            check_answer(self.application, response)
        return response


@pytest.fixture()
def client(app, db):
    """A test client on a clean database."""
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a real S3-protocol server (moto) started for this run; fails in CI if it cannot start."""
    from tests.storage_support import start_s3_server

    try:
        server, url = start_s3_server()
    except Exception as exc:  # noqa: BLE001 - whatever stops it, the S3 tests cannot run
        require_service(False, f"the S3 test server (moto: {exc})")
    yield url
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage_backend(request, app, monkeypatch):
    """The test's empty file storage, once a local folder (UPLOAD_DIR) and once an S3 bucket; the Storage.

    The application is configured to use it (STORAGE_URL, STORAGE_OPTIONS) for the test.
    """
    from certflow.storage import Storage, storage_url
    from tests.storage_support import new_bucket, s3_options

    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_server")
        url, options = f"s3://{new_bucket(endpoint)}/uploads", s3_options(endpoint)
    else:
        url, options = storage_url(app), {}
    monkeypatch.setitem(app.config, "STORAGE_URL", url if request.param == "s3" else "")
    monkeypatch.setitem(app.config, "STORAGE_OPTIONS", options)
    store = Storage(url, options)
    for name in store.list():
        store.delete(name)
    return store


@pytest.fixture()
def world(db):
    """A small region with schemes, people of every role, an assessor pool and a team."""
    from tests.factories import World

    return World.build()
