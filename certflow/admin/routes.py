"""Pages of dinas admins: verification, the assessor pool, teams, assignment, imports, figures."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from certflow.admin import figures  # noqa
