"""Helpers for the page tests: a browser with its own cookies, address and request contexts.

Each ``Browser`` sends every request in a fresh application context, as a real server
does, so Flask-Login's cached user and ``g`` never leak from one person's request to
another's; the test's own session sees the requests' commits after ``fresh(db)``.
Every browser has its own client address, so the login rate limit of one test never
throttles another. (No tests here: this module only holds helpers.)
"""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager

from sqlalchemy import event

from certflow.extensions import db as _db
from tests.factories import PASSWORD

_addresses = itertools.count(1)
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """One person's browser: a test client with its own cookie jar and IP address."""

    def __init__(self, app, address: str | None = None):
        self.app = app
        self.client = app.test_client()
        n = next(_addresses)
        self.client.environ_base["REMOTE_ADDR"] = address or f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    def get(self, *args, **kwargs):
        """GET in a fresh application context."""
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        """POST in a fresh application context."""
        with self.app.app_context():
            return self.client.post(*args, **kwargs)

    def submit(self, page: str, action: str | None = None, **data):
        """Load ``page``, then post ``data`` with its CSRF token to ``action`` (default: the page)."""
        token = csrf_token(self.get(page).text)
        return self.post(action or page, data={"csrf_token": token, **data})

    def login(self, user, password: str = PASSWORD) -> Browser:
        """Log in through the login page (asserts it worked)."""
        response = self.submit("/login", email=user.email, password=password)
        assert response.status_code == 302, response.status_code
        return self


def fresh(db) -> None:
    """End the test session's transaction so it sees what the requests committed."""
    db.session.rollback()


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: ``with count_queries() as n: ...; n[0]``."""
    counter = [0]

    def _count(*_args, **_kwargs):
        counter[0] += 1

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)
