"""The benchmark's databases: created fresh, migrated with the application's own migrations."""

from __future__ import annotations

import os

import sqlalchemy as sa

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def database_url(server: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server`` (a SQLAlchemy URL)."""
    return sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)


def recreate(url: str) -> None:
    """Drop the database of ``url`` if it exists and create it empty."""
    parsed = sa.engine.make_url(url)
    name = parsed.database
    if not name or not name.startswith("certflow_bench"):
        raise ValueError(f"the benchmark only drops databases named certflow_bench*: {name!r}")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def bench_config(url: str):
    """A configuration class for the application on ``url``, as the benchmark serves it."""
    from config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        OUTBOX_DISPATCH = False
        SECRET_KEY = os.environ.get("SECRET_KEY") or os.urandom(16).hex()  # the benchmark's own

    return BenchConfig


def migrate(url: str) -> None:
    """Bring the database of ``url`` to the migrations' head."""
    from flask_migrate import upgrade

    from certflow import create_app
    from certflow.extensions import db

    app = create_app(bench_config(url))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
