"""Pages of the system admin: schemes and their standards, users and roles, dinas admins."""

from flask import Blueprint, abort, current_app
from flask_login import current_user

bp = Blueprint("sysadmin", __name__, url_prefix="/system")


@bp.before_request
def _system_admins_only():
    """Every page here is for active system admins: visitors log in, anyone else gets 403."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.has_role("admin"):
        abort(403)
    return None


from certflow.sysadmin import instruments, schemes, users  # noqa: E402,F401  (register the pages)
