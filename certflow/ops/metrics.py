"""Prometheus metrics (prometheus-client), scraped at ``/metrics``.

- ``certflow_http_request_duration_seconds`` (histogram; ``endpoint``, ``method``, ``status``): the
  Flask endpoint name, never the raw path, so ids do not multiply the series.
- ``certflow_transitions_total`` (counter; ``workflow``, ``event``): counted once the transaction
  that wrote the transition commits (``count_transition`` notes it in the session).
- ``certflow_task_failures_total`` (counter; ``task``): a Celery task that raised (a retry is not one).
- ``certflow_outbox_backlog`` and ``certflow_outbox_oldest_unsent_age_seconds`` (gauges): computed
  from the database at each scrape, so every process answers the same figure.

Under gunicorn (several worker processes) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared
by the web and worker processes of one machine: each process writes its values there and a scrape
adds them up (``gunicorn.conf.py`` empties it at start and marks exited workers dead).
"""

from __future__ import annotations

import logging
import os
import time

from celery import signals
from flask import Flask, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from certflow import clock

REQUEST_SECONDS = Histogram(
    "certflow_http_request_duration_seconds",
    "Time to answer a request, per endpoint",
    ["endpoint", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TRANSITIONS = Counter("certflow_transitions", "Workflow transitions committed", ["workflow", "event"])
TASK_FAILURES = Counter("certflow_task_failures", "Celery tasks that raised", ["task"])

log = logging.getLogger(__name__)

_PENDING = "metrics_transitions"  # session.info key: the transitions of the open transaction


def multiprocess_dir() -> str | None:
    """The folder of multiprocess mode, if set."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def count_transition(session: Session, workflow: str, event_name: str) -> None:
    """Count one transition of ``workflow`` by ``event_name`` once ``session`` commits."""
    session.info.setdefault(_PENDING, []).append((workflow, event_name))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for workflow, event_name in session.info.pop(_PENDING, ()):
        TRANSITIONS.labels(workflow=workflow, event=event_name).inc()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


@signals.task_failure.connect
def _task_failed(sender=None, **kwargs) -> None:
    TASK_FAILURES.labels(task=getattr(sender, "name", None) or "unknown").inc()


class OutboxCollector:
    """The outbox backlog and the age of its oldest unsent message, read at scrape time."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from certflow.extensions import db
        from certflow.models import OutboxMessage

        backlog = GaugeMetricFamily("certflow_outbox_backlog", "Outbox messages not sent yet (pending or sending)")
        oldest = GaugeMetricFamily(
            "certflow_outbox_oldest_unsent_age_seconds", "Age of the oldest outbox message not sent yet (0: none)"
        )
        query = select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_(("pending", "sending"))
        )
        try:
            with self.app.app_context():
                count, first = db.session.execute(query).one()
                db.session.remove()
        except Exception:  # noqa: BLE001 - the database is down: /readyz says so; the gauges are left out
            log.warning("metrics: could not read the outbox", exc_info=True)
            return
        backlog.add_metric([], float(count or 0))
        age = 0.0
        if first is not None:
            if first.tzinfo is None:
                first = first.replace(tzinfo=clock.now().tzinfo)
            age = max(0.0, (clock.now() - first).total_seconds())
        oldest.add_metric([], age)
        yield backlog
        yield oldest


def scrape(app: Flask) -> tuple[bytes, str]:
    """The text exposition of every metric: this process's (or all processes' in multiprocess mode) and the outbox's."""
    registry = CollectorRegistry()
    folder = multiprocess_dir()
    if folder:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=folder)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    output = generate_latest(registry)
    extra = CollectorRegistry(auto_describe=False)
    extra.register(OutboxCollector(app))
    return output + generate_latest(extra), CONTENT_TYPE_LATEST


def init_app(app: Flask) -> None:
    """Time every request (the endpoint's name, or ``unmatched`` for a path no route has)."""

    @app.before_request
    def _start_clock():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
            REQUEST_SECONDS.labels(endpoint=endpoint, method=request.method, status=str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response
