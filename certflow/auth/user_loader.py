"""Flask-Login's user loader."""

from certflow.extensions import db, login_manager
from certflow.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user with this id, for the session cookie."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None
