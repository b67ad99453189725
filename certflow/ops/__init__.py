"""Running as a service: health and readiness, request ids, JSON logs, Prometheus metrics.

``init_app`` wires it all into the application: the request id and the latency histogram
around every request, the log format, the Celery signals that carry the id into tasks and
count their failures, and the ``ops`` blueprint (``/healthz``, ``/readyz``, ``/metrics``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install request ids, JSON logs, metrics and the health/readiness/metrics routes."""
    from certflow.extensions import csrf, limiter
    from certflow.ops import logs, metrics, requestid
    from certflow.ops.routes import bp

    logs.configure(app)
    requestid.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(bp)
    csrf.exempt(bp)
    limiter.exempt(bp)
