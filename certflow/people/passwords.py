"""Setting a password from an e-mailed link: invitations of imported people, forgotten passwords.

The link carries a signed token naming the user and a fingerprint of their current password
hash, so it stops working once used (the hash changes) and after ``PASSWORD_LINK_DAYS``.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from certflow import clock
from certflow.extensions import db
from certflow.models import OutboxMessage, User
from certflow.people.sessions import end_every_session
from certflow.security import find_user_by_email, hash_password

_SALT = "certflow-set-password"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "no-password").encode()).hexdigest()[:16]


def password_token(user: User) -> str:
    """A signed, single-use token to set ``user``'s password."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def password_link(user: User) -> str:
    """The absolute address of the set-password page for ``user``."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/set-password/{password_token(user)}"


def user_for_password_token(token: str) -> User | None:
    """The active user a valid, unused, unexpired token belongs to, or None."""
    max_age = current_app.config.get("PASSWORD_LINK_DAYS", 7) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password (the caller validated it); every session and API token of theirs ends."""
    user.password_hash = hash_password(password)
    end_every_session(user)


def request_password_reset(email: str | None) -> None:
    """Queue a set-password e-mail if ``email`` belongs to an active user; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    db.session.add(
        OutboxMessage(
            key=f"reset:{user.id}:{int(clock.now().timestamp())}",
            recipient_id=user.id,
            event="password_reset",
            workflow="account",
            payload={},
        )
    )
    db.session.flush()
