"""What ``/readyz`` checks: the database, the broker, the storage folder, the migrations at head.

Each check answers ``None`` when all is well, else a short reason (no secret, no URL). The
migrations' head is read from the scripts once per process; the broker's client is kept, so a
check is one round trip each when everything is up.
"""

from __future__ import annotations

import os
from functools import lru_cache

from flask import Flask, current_app
from sqlalchemy import text

from certflow.extensions import db

TIMEOUT_SECONDS = 1.0  # a service that does not answer within this is down


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migration scripts in ``directory``."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _migrations_dir(app: Flask) -> str:
    return app.extensions["migrate"].directory


def check_database_and_migrations(app: Flask) -> tuple[str | None, str | None]:
    """(database problem, migrations problem)."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            try:
                current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
            except Exception:  # noqa: BLE001 - no version table: never migrated
                conn.rollback()
                return None, "not migrated"
    except Exception:  # noqa: BLE001 - whatever the driver raises, the database is down
        return "unreachable", "unknown"
    heads = migration_heads(_migrations_dir(app))
    if current != set(heads):
        return None, "behind" if current else "not migrated"
    return None, None


def _redis_client(url: str):
    clients = current_app.extensions.setdefault("ops_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS, retry_on_timeout=False
        )
    return clients[url]


def check_broker(app: Flask) -> str | None:
    """The Celery broker: Redis answers a PING; the filesystem broker's folder is writable; others connect."""
    url = app.config["CELERY_BROKER_URL"]
    try:
        if url.startswith("filesystem://"):
            folder = os.path.join(app.config["CELERY_BROKER_DIR"], "out")
            return None if os.path.isdir(folder) and os.access(folder, os.W_OK) else "folder missing"
        if url.startswith(("redis://", "rediss://")):
            return None if _redis_client(url).ping() else "no answer"
        celery = app.extensions["celery"]
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        return None
    except Exception:  # noqa: BLE001 - whatever the client raises, the broker is down
        return "unreachable"


def check_storage(app: Flask) -> str | None:
    """The file storage: a folder exists and is writable; an object store's bucket answers (within a second)."""
    from certflow.storage import StorageError, for_app

    try:
        return for_app(app, probe=True).problem()
    except StorageError:
        return "misconfigured"
    except Exception:  # noqa: BLE001 - a storage that cannot even be set up is down
        return "unreachable"


def readiness(app: Flask) -> dict[str, str | None]:
    """Each check's problem (None: fine), in a fixed order."""
    database, migrations = check_database_and_migrations(app)
    return {
        "database": database,
        "migrations": migrations,
        "broker": check_broker(app),
        "storage": check_storage(app),
    }
