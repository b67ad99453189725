"""A concurrent change the database reports is a stale version (409), never a fault (500)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from certflow.core.errors import StaleVersion, as_app_error, is_lock_timeout


class _PgError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("orig", "concurrent"),
    [
        (_PgError("40P01"), True),  # deadlock_detected
        (_PgError("40001"), True),  # serialization_failure
        (_PgError("57014"), False),  # query_canceled: a fault
        (Exception("database is locked"), True),  # SQLite
        (Exception("disk I/O error"), False),
    ],
)
def test_crossed_writers_are_a_stale_version_and_faults_are_not(orig, concurrent):
    exc = OperationalError("UPDATE …", {}, orig)
    assert is_lock_timeout(exc) is concurrent
    assert isinstance(as_app_error(exc), StaleVersion) is concurrent
