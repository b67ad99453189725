"""Passwords (argon2id) and API tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from certflow import clock
from certflow.extensions import db
from certflow.models import ApiToken, User

# Every request asks for the acting user's roles: they come with the user (and their dinas), in one
# statement, whether the user is found by the session cookie or by an API token.
WITH_ROLES = joinedload(User.role_rows)

# The user of a live token, with their dinas and roles, in one statement — built once (its cache key
# with it): every API request runs it with only the digest and the time as parameters.
_USER_FOR_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .options(WITH_ROLES)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.expires_at > bindparam("now", type_=ApiToken.__table__.c.expires_at.type),
        User.active.is_(True),
    )
)

# Verified against when the e-mail is unknown, so both failures take as long.
_DUMMY_HASH: dict[tuple[int, int], str] = {}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is the user's; takes as long whether or not the user exists."""
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hasher.hash(secrets.token_hex(8))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH[key]
    try:
        ok = hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return False
    return ok and user is not None and user.password_hash is not None and user.active


def find_user_by_email(email: str | None) -> User | None:
    """The user with this e-mail (case-insensitive), or None."""
    if not email or not isinstance(email, str):
        return None
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email, password) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user_by_email(email)
    return user if check_password(user, password if isinstance(password, str) else "") else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token for ``user`` (the plain token is returned once, never stored)."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_digest(token),
        expires_at=clock.now() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]),
    )
    db.session.add(row)
    return token, row


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return _digest(token)


def user_for_token(token: str | None) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to, or None.

    Revoking a token deletes its row (``certflow.people.sessions``), so the lookup stays one statement.
    """
    if not token:
        return None
    return db.session.scalars(_USER_FOR_TOKEN, {"digest": _digest(token), "now": clock.now()}).unique().first()


# Keys that were once a default somewhere (anyone can sign a session with them).
KNOWN_DEFAULT_KEYS = frozenset({"dev-only-change-me", "change-me", "secret", "dev"})
SECRET_KEY_FILE = "secret_key"


class InsecureSecretKey(RuntimeError):
    """``SECRET_KEY`` is missing or a known default outside the embedded default and the tests."""


def _instance_secret_key(instance_path: str) -> str:
    """The embedded default's own random key, made once in ``instance/secret_key`` (mode 0600)."""
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    os.makedirs(instance_path, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made by an earlier start, or by another worker starting at the same moment
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    for _attempt in range(50):  # another process may be writing it right now
        with open(path) as key_file:
            key = key_file.read().strip()
        if len(key) >= 32:
            return key
        time.sleep(0.02)
    raise InsecureSecretKey(f"{path} does not hold a key; remove it and start again")


def ensure_secret_key(app) -> None:
    """Refuse a missing or known-default ``SECRET_KEY`` except in the tests and the embedded default.

    The embedded default (the SQLite file of ``make run``) makes and keeps its own random key under
    ``instance/``; every other deployment must set ``SECRET_KEY`` itself.
    """
    key = app.config.get("SECRET_KEY")
    weak = not key or key in KNOWN_DEFAULT_KEYS
    if not weak or (app.testing and key):
        return
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
        return
    raise InsecureSecretKey(
        "SECRET_KEY is not set (or is a known default): set it to a long random value, "
        'e.g. python -c "import secrets; print(secrets.token_hex(32))"'
    )
