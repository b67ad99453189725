"""Flask-Login's user loader."""

from sqlalchemy import select

from certflow.extensions import db, login_manager
from certflow.models import User
from certflow.security import WITH_ROLES


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user with this id, for the session cookie (with their dinas and roles, in one statement)."""
    try:
        key = int(user_id)
    except (TypeError, ValueError):
        return None
    user = db.session.scalars(select(User).options(WITH_ROLES).where(User.id == key)).unique().first()
    return user if user is not None and user.active else None
