"""Setting a password from an e-mailed link: invitations of imported people, forgotten passwords.

The link carries a signed token naming the user and a fingerprint of their current password
hash, so it stops working once used (the hash changes) and after ``PASSWORD_LINK_DAYS``.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from certflow import clock
from certflow.extensions import db
from certflow.models import OutboxMessage, User
from certflow.notifications.dispatch import queue_after_commit
from certflow.people.sessions import end_every_session
from certflow.security import find_user_by_email, hash_password
from workflows.guards import N_

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


# Account e-mails asked for by anyone (a reset, a registration) are sent at most once per window
# and address: a double-click, or a script asking a hundred times, sends one e-mail.
ACCOUNT_EMAIL_WINDOW_SECONDS = 60


def queue_account_email(user: User, event: str) -> None:
    """Queue the account e-mail ``event`` for ``user``, unless the same one is queued in this window already.

    The idempotency key names the window, and the row is inserted "on conflict do nothing": two
    requests at the same moment write one message, and neither fails.
    """
    window = int(clock.now().timestamp()) // ACCOUNT_EMAIL_WINDOW_SECONDS
    table = OutboxMessage.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(key=f"{event}:{user.id}:{window}", recipient_id=user.id, event=event, workflow="account", payload={})
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    new_id = db.session.execute(statement).scalar()
    if new_id is not None:
        queue_after_commit(db.session, [new_id])


def request_password_reset(email: str | None) -> None:
    """Queue a set-password e-mail if ``email`` belongs to an active user; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    queue_account_email(user, "password_reset")


COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords shipped with certflow (``certflow/data/common-passwords.txt``), lower-case."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str | None = None, name: str | None = None) -> str | None:
    """Why ``password`` is refused (a message id), or None: too common, too simple, the person's e-mail or name.

    The length (8 to 200 characters) is checked by the form itself.
    """
    text = (password or "").lower()
    squeezed = "".join(text.split())
    if text in common_passwords() or squeezed in common_passwords():
        return N_("This password is one of the most used: choose another.")
    if len(set(text)) < 4:
        return N_("This password is too simple: use more different characters.")
    email = (email or "").strip().lower()
    local = email.split("@", 1)[0]
    parts = [p for p in "".join(c if c.isalnum() else " " for c in (name or "").lower()).split() if len(p) >= 4]
    whole_name = "".join(c for c in (name or "").lower() if c.isalnum())
    personal = [email, local if len(local) >= 4 else "", whole_name if len(whole_name) >= 4 else ""]
    if any(p and p in squeezed for p in personal) or (parts and squeezed in {p for p in parts}):
        return N_("The password must not contain your e-mail address or your name.")
    return None
