"""Creating users."""

from __future__ import annotations

from sqlalchemy import select

from certflow.core.converters import as_id
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Dinas, User
from certflow.models.people import ROLES
from certflow.security import hash_password


class UserError(AppError):
    """Input that cannot make a user (an ``AppError``, 422; its message is written for the command line)."""

    code = "validation_error"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, fields=field)


def resolve_dinas(value: str | int | None) -> Dinas | None:
    """A dinas by id or exact name; None for None; ``UserError`` if unknown."""
    if value in (None, ""):
        return None
    dinas = None
    if as_id(value):
        dinas = db.session.get(Dinas, as_id(value))
    if dinas is None and isinstance(value, str):
        dinas = db.session.scalar(select(Dinas).where(Dinas.name == value.strip()))
    if dinas is None:
        raise UserError(f"unknown dinas: {value}", "dinas")
    return dinas


def create_user(email: str, name: str, password: str | None, roles, dinas=None, **profile) -> User:
    """Create a user with the given roles; ``UserError`` on bad input or a taken e-mail."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise UserError(f"invalid e-mail: {email!r}", "email")
    if not (name or "").strip():
        raise UserError("a name is required", "name")
    roles = list(dict.fromkeys(roles or []))
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise UserError(f"roles must be some of {', '.join(ROLES)}", "roles")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserError(f"e-mail already registered: {email}", "email")
    if password is not None and len(password) < 8:
        raise UserError("the password must have at least 8 characters", "password")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        dinas=dinas if isinstance(dinas, Dinas) else resolve_dinas(dinas),
        **profile,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    return user
