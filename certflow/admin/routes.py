"""Pages of dinas admins: verification, the assessor pool, teams, assignment, imports, figures."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Each area of the pages registers its routes on ``bp``.
from certflow.admin import (  # noqa: E402,F401
    assignment,
    figures,
    imports,
    people,
    pool,
    proposals,
    replacements,
    schedules,
    teams,
    verification,
)
