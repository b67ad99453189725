"""What the Alembic migrations (``migrations/versions``) share: a table rebuild on SQLite without cascades.

SQLite cannot alter most of a table in place; Alembic's batch mode rebuilds it (create a copy, move
the rows, DROP the old one, rename). With foreign keys on, that DROP fails, or cascades its deletes
to every table that points at the old one. The pragma only takes effect outside a transaction, so it
is set in an autocommit block around the rebuild. Elsewhere (PostgreSQL, offline SQL) it does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op


@contextmanager
def foreign_keys_off_on_sqlite() -> Iterator[None]:
    """Run the block with SQLite's foreign keys off (a batch rebuild of a table others point at)."""
    context = op.get_context()
    if context.dialect.name != "sqlite" or context.as_sql:
        yield
        return
    with context.autocommit_block():  # the pragma is a no-op inside a transaction
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with context.autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")
