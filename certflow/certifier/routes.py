"""Pages of certifiers: the decision queue, the whole record, appeals, certificate lifecycle."""

from flask import Blueprint

bp = Blueprint("certifier", __name__, url_prefix="/certifier")
