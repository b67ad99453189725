"""The commit-once boundary: a request (or task) changes data inside one unit of work.

Operations only ``flush``; the boundary commits once at the end and rolls back on any
error. A concurrent change found at commit (an optimistic-lock miss, a unique key taken
by the other writer, SQLite's lock timeout) becomes ``StaleVersion`` (409): exactly one of
two writers wins and the other is told, never a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from certflow.core.errors import StaleVersion, is_lock_timeout
from certflow.extensions import db

F = TypeVar("F", bound=Callable)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run the block and commit once; roll back on any error (a concurrent change raises ``StaleVersion``)."""
    try:
        yield
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise StaleVersion() from None
    except OperationalError as exc:
        db.session.rollback()
        if is_lock_timeout(exc):
            raise StaleVersion() from None
        raise
    except BaseException:
        db.session.rollback()
        raise


def lock_row(id_column, value) -> None:
    """``SELECT … FOR NO KEY UPDATE`` of one row by its id column (PostgreSQL; SQLite serialises writers).

    A read-then-write that locks its parent row first waits for a concurrent one to commit, then
    reads what it wrote (READ COMMITTED): the second decides on the row as it is, never on a copy
    read before the other's commit. Read what the decision needs only after this.
    """
    # FOR NO KEY UPDATE: it waits for another locker, but not for a transaction that only inserted a row
    # referring to this one (a foreign key's KEY SHARE), so the two never wait for each other (deadlock).
    db.session.execute(select(id_column).where(id_column == value).with_for_update(key_share=True))


def transactional(view: F) -> F:
    """Decorate a view (or task) so that its whole body is one ``unit_of_work``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
