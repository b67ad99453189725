"""Pages of candidates (asesi): their applications, APL-01, APL-02, documents, certificates."""

from flask import Blueprint

bp = Blueprint("candidate", __name__, url_prefix="/candidate")
