"""A rate-limit storage in a SQLite file, shared by every process of the embedded default.

``limits`` (under Flask-Limiter) keeps its counters in memory by default: each gunicorn worker
would count on its own, and ``make run``'s two workers would allow twice the limit. Production
points ``RATELIMIT_STORAGE_URI`` at Redis; the embedded default (no server) uses this storage,
``certflow+sqlite:///<path>``, in the instance folder. Fixed windows only (Flask-Limiter's default).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from limits.storage import Storage

_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"


class SQLiteFileStorage(Storage):
    """Fixed-window counters in one SQLite file (WAL, a busy timeout: several processes at once)."""

    STORAGE_SCHEME = ["certflow+sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        path = (uri or "").split("://", 1)[-1]
        self.path = path[1:] if path.startswith("/") and path[1:].startswith("/") else path
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():  # one connection per thread, never across a fork
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            conn.execute(
                "INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            (value,) = conn.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._conn()
            .execute("SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._conn().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        cursor = self._conn().execute("DELETE FROM counters")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("DELETE FROM counters WHERE key = ?", (key,))
