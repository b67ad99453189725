"""Structured logs: one JSON object a line on standard error, with the request id.

``LOG_FORMAT=json`` (the default outside tests) or ``text``; ``LOG_LEVEL`` (default INFO). Every
record gets ``request_id`` (None outside a request or task); Celery's own loggers propagate to
the root logger, so worker lines are JSON too (``worker_hijack_root_logger`` is off).
"""

from __future__ import annotations

import logging
import sys

from flask import Flask
from pythonjsonlogger.json import JsonFormatter

from certflow.ops import requestid

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
_HANDLER_NAME = "certflow-ops"


_installed = False


def _install_record_factory() -> None:
    """Every record, whichever handler takes it, carries ``request_id`` (the current request's or task's)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = requestid.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def formatter(kind: str) -> logging.Formatter:
    """The JSON formatter (``json``) or a plain one (``text``)."""
    if kind == "json":
        # Words as they are (UTF-8), never escaped: an e-mail printed by the console backend into a
        # Celery worker's redirected standard output would otherwise read "\u2014" for every "—".
        return JsonFormatter(
            FIELDS,
            rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
            json_ensure_ascii=False,
        )
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


def configure(app: Flask) -> None:
    """Install one handler on the root logger (once per process), JSON unless ``LOG_FORMAT=text``."""
    _install_record_factory()
    kind = app.config.get("LOG_FORMAT", "json")
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            handler.setFormatter(formatter(kind))
            break
    else:
        if app.testing:  # pytest captures logs itself; records still carry the id
            return
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(formatter(kind))
        root.addHandler(handler)
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.handlers.clear()  # propagate to the root handler: one format everywhere
    app.logger.propagate = True
