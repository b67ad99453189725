"""``/healthz`` (the process answers), ``/readyz`` (all it needs answers), ``/metrics`` (Prometheus).

No session is read or written, no cookie set; CSRF and rate limits do not apply (see ``init_app``).
``/metrics`` answers only to an address of ``METRICS_ALLOW`` (default: this machine) or to
``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 404, as if there were nothing.
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, jsonify, request

from certflow.ops import metrics
from certflow.ops.readiness import readiness

bp = Blueprint("ops", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process answers (nothing else is asked)."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    """200 when the database, broker and storage answer and migrations are at head; else 503 naming what is down."""
    problems = readiness(current_app)
    down = [name for name, problem in problems.items() if problem]
    body = {
        "status": "unavailable" if down else "ready",
        "checks": {name: (problem or "ok") for name, problem in problems.items()},
        "down": down,
    }
    response = jsonify(body)
    response.status_code = 503 if down else 200
    return _no_store(response)


def _allowed_address(address: str | None) -> bool:
    allowed = current_app.config.get("METRICS_ALLOW", "127.0.0.1/32,::1/128")
    if not address or not allowed:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for item in str(allowed).split(","):
        item = item.strip()
        if not item:
            continue
        try:
            if ip in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


def _has_token() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if not token or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given[len("Bearer ") :].encode(), str(token).encode())


@bp.get("/metrics")
def scrape():
    """The Prometheus text exposition, to an allowed address or a holder of the token."""
    if not (_has_token() or _allowed_address(request.remote_addr)):
        abort(404)
    body, content_type = metrics.scrape(current_app)
    return _no_store(Response(body, content_type=content_type))
