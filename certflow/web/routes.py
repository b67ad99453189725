"""The home page and the generic application page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    """Home: the login page for visitors, the user's dashboard otherwise."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("web/index.html")
