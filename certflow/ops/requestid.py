"""The request id: taken from ``X-Request-ID`` when sane, else generated; echoed, logged, carried into tasks.

The id lives in a context variable, so the log filter finds it in a request, in the CLI and in a
Celery task alike. A task queued while a request (or a task) has an id carries it in its message
headers (``request_id``); the worker sets it again before the task runs.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from celery import signals
from flask import Flask, g, request

log = logging.getLogger(__name__)

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")  # a UUID, a load balancer's trace id; nothing else

current: ContextVar[str | None] = ContextVar("certflow_request_id", default=None)


def sane(value: str | None) -> str | None:
    """``value`` if it is a usable id (8–64 of letters, digits, ``._:-``), else None."""
    if value and _SANE.fullmatch(value):
        return value
    return None


def new_id() -> str:
    """A fresh id (32 hex digits)."""
    return uuid.uuid4().hex


def get() -> str | None:
    """The id of the current request or task, if any."""
    return current.get()


def init_app(app: Flask) -> None:
    """Set the id before every request, echo it after."""

    @app.before_request
    def _take_id():
        rid = sane(request.headers.get(HEADER)) or new_id()
        g.request_id = rid
        g.request_id_token = current.set(rid)

    @app.after_request
    def _echo_id(response):
        rid = g.get("request_id")
        if rid:
            response.headers[HEADER] = rid
        return response

    @app.teardown_request
    def _forget_id(exc=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            try:
                current.reset(token)
            except ValueError:  # set in another context (a streamed response)
                current.set(None)


@signals.before_task_publish.connect
def _add_to_headers(headers=None, **kwargs) -> None:
    rid = current.get()
    if rid and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = rid


def id_of_task(task) -> str | None:
    """The request id a task's message carries (a worker copies headers onto the request; ``apply`` keeps them)."""
    req = task.request
    rid = getattr(req, TASK_HEADER, None)
    if rid is None:
        rid = (getattr(req, "headers", None) or {}).get(TASK_HEADER)
    return sane(rid)


@signals.task_prerun.connect
def _set_for_task(task=None, **kwargs) -> None:
    current.set(id_of_task(task) if task is not None else None)


@signals.task_postrun.connect
def _clear_for_task(task=None, state=None, **kwargs) -> None:
    log.info("task %s finished: %s", getattr(task, "name", "?"), state, extra={"task": getattr(task, "name", None)})
    current.set(None)
