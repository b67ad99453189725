"""Signing in, limited the way an office needs (DOMAIN.md rule 9).

Only *failed* attempts are counted, so people who know their password are never slowed by
colleagues behind the same address. Three fixed-window buckets, shared by the login page and
``POST /api/v1/auth/tokens`` and kept in the rate-limit storage (Redis in production, a SQLite
file for the embedded default, so every process counts together):

- one account from one address (``RATELIMIT_LOGIN``, 10 per minute): the eleventh wrong
  password is refused;
- one account from every address (``RATELIMIT_LOGIN_ACCOUNT``): a guess spread over many addresses;
- one address for every account (``RATELIMIT_LOGIN_ADDRESS``): one machine trying many accounts —
  high enough for an office's mistyped passwords.

When a bucket is full the attempt is refused with 429 before the password is checked.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app, request
from limits import parse
from werkzeug.exceptions import TooManyRequests

from certflow.extensions import limiter
from certflow.models import User
from certflow.security import authenticate


def _account_key(email) -> str:
    # The storage never holds the e-mail address itself.
    text = email.strip().lower() if isinstance(email, str) else ""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _buckets(email) -> list:
    cfg = current_app.config
    account = _account_key(email)
    address = request.remote_addr or "unknown"
    return [
        (parse(cfg["RATELIMIT_LOGIN"]), ("signin-account-address", account, address)),
        (parse(cfg["RATELIMIT_LOGIN_ACCOUNT"]), ("signin-account", account)),
        (parse(cfg["RATELIMIT_LOGIN_ADDRESS"]), ("signin-address", address)),
    ]


def sign_in(email, password) -> User | None:
    """The active user with this e-mail and password, or None (counted as a failed attempt).

    Raises ``TooManyRequests`` (429, with ``Retry-After``) when a bucket of failures is full.
    """
    if not (limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True)):
        return authenticate(email, password)
    strategy = limiter.limiter
    buckets = _buckets(email)
    for limit, identifiers in buckets:
        if not strategy.test(limit, *identifiers):
            reset_at = strategy.get_window_stats(limit, *identifiers).reset_time
            raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))
    user = authenticate(email, password)
    if user is None:
        for limit, identifiers in buckets:
            strategy.hit(limit, *identifiers)
    return user
