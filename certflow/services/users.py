"""Creating users."""

from __future__ import annotations

from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Dinas, User
from certflow.models.people import ROLES
from certflow.security import hash_password


class UserError(ValueError):
    """Input that cannot make a user."""


def resolve_dinas(value: str | int | None) -> Dinas | None:
    """A dinas by id or exact name; None for None; ``UserError`` if unknown."""
    if value in (None, ""):
        return None
    dinas = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        dinas = db.session.get(Dinas, int(value))
    if dinas is None and isinstance(value, str):
        dinas = db.session.scalar(select(Dinas).where(Dinas.name == value.strip()))
    if dinas is None:
        raise UserError(f"unknown dinas: {value}")
    return dinas


def create_user(email: str, name: str, password: str | None, roles, dinas=None, **profile) -> User:
    """Create a user with the given roles; ``UserError`` on bad input or a taken e-mail."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise UserError(f"invalid e-mail: {email!r}")
    if not (name or "").strip():
        raise UserError("a name is required")
    roles = list(dict.fromkeys(roles or []))
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise UserError(f"roles must be some of {', '.join(ROLES)}")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserError(f"e-mail already registered: {email}")
    if password is not None and len(password) < 8:
        raise UserError("the password must have at least 8 characters")
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
