"""Ending sessions and API tokens: a password change, a reset, "sign out everywhere", a token revoked.

A session cookie names the user's session epoch (``User.get_id``); raising the epoch ends every
session signed in before. API tokens are rows (only their SHA-256 is stored): ending them deletes them.
"""

from __future__ import annotations

from sqlalchemy import delete

from certflow.extensions import db
from certflow.models import ApiToken, User
from certflow.security import token_digest


def end_every_session(user: User) -> None:
    """End every session and API token of ``user`` (sign the current session in again to keep it)."""
    user.session_epoch = (user.session_epoch or 0) + 1
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.flush()


def revoke_token(token: str) -> None:
    """The API token ``token`` stops working at once."""
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    db.session.flush()
