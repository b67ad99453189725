"""The application as the benchmark serves it: ``gunicorn "bench.app:create_app()"``.

It is the production ``certflow.create_app()`` with, only when the benchmark's environment
asks for them (never in production, which serves ``certflow:create_app()``):

- ``BENCH_COUNT_STATEMENTS=true``: a SQLAlchemy ``before_cursor_execute`` listener counts the
  SQL statements of each request, reported in the ``X-Bench-Statements`` response header;
- ``BENCH_LIMIT_ENDPOINT=true``: the limit endpoint of ``bench.limit`` (the minimal SQL of a
  transition), the yardstick the real ``POST …/events`` is compared with.

The outbox is not handed to a broker (``OUTBOX_DISPATCH`` off): the benchmark has none, and
neither the real transition nor the limit endpoint is charged for it.
"""

from __future__ import annotations

import os

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

STATEMENTS_HEADER = "X-Bench-Statements"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context():
        g.bench_statements = g.get("bench_statements", 0) + 1


def install_statement_counter(app: Flask) -> None:
    """Count every statement a request sends to the database; report it in a response header."""
    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)

    @app.after_request
    def _statements_header(response):
        response.headers[STATEMENTS_HEADER] = str(g.get("bench_statements", 0))
        return response


def create_app(config: object | str | None = None) -> Flask:
    """The application with the benchmark's instruments, each only when its flag is on."""
    from certflow import create_app as create_certflow_app

    app = create_certflow_app(config)
    app.config["OUTBOX_DISPATCH"] = False
    app.config["BENCH_COUNT_STATEMENTS"] = _flag("BENCH_COUNT_STATEMENTS")
    app.config["BENCH_LIMIT_ENDPOINT"] = _flag("BENCH_LIMIT_ENDPOINT")
    if app.config["BENCH_COUNT_STATEMENTS"]:
        install_statement_counter(app)
    if app.config["BENCH_LIMIT_ENDPOINT"]:
        from bench.limit import register

        register(app)
    return app
