"""Pages of the system admin: schemes and their standards, users and roles."""

from flask import Blueprint

bp = Blueprint("sysadmin", __name__, url_prefix="/system")
