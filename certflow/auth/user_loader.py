"""Flask-Login's user loader."""

from sqlalchemy import select

from certflow.extensions import db, login_manager
from certflow.models import User
from certflow.security import WITH_ROLES


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user of the session cookie (``"<id>:<epoch>"``), with their dinas and roles, in one statement.

    A session made before the user's session epoch was raised (a password change, a reset,
    "sign out everywhere") no longer loads anyone.
    """
    key, sep, epoch = (user_id or "").partition(":")
    if not (sep and key.isascii() and key.isdigit() and epoch.isascii() and epoch.isdigit()):
        return None
    if len(key) > 10 or len(epoch) > 10:  # no id or epoch is that large: a forged or broken cookie
        return None
    user = db.session.scalars(select(User).options(WITH_ROLES).where(User.id == int(key))).unique().first()
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user
