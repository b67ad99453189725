"""Pages of notifications: the in-app list (the bell)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
