"""Pages of assessors: their queue, conflict declarations, scoring, the lead's consolidation."""

from flask import Blueprint

bp = Blueprint("assessor", __name__, url_prefix="/assessor")
