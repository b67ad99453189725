"""certflow: the certification workflow engine for pekerja sosial and penyuluh sosial."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from certflow.extensions import babel, csrf, db, limiter, login_manager, migrate

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: WAL for concurrent readers, a busy timeout, foreign keys enforced."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def select_locale() -> str:
    """The user's language: ?lang=, then the session, the profile, the browser; Indonesian by default."""
    from flask import has_request_context
    from flask_login import current_user

    languages = ("id", "en")
    if not has_request_context():  # Celery tasks and the CLI: e-mails pick their language themselves
        return "id"
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if request.headers.get("Accept-Language"):
        return request.accept_languages.best_match(languages, default="id")
    return "id"


def create_app(config: object | str | None = None) -> Flask:
    """Build the Flask application. ``config``: a config object, an import path, or None for ``config.Config``."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        instance_path=os.environ.get("CERTFLOW_INSTANCE", str(PROJECT_DIR / "instance")),
    )
    app.config.from_object(config or "config.Config")
    os.makedirs(app.instance_path, exist_ok=True)
    from certflow.security import ensure_secret_key

    ensure_secret_key(app)  # before anything signs: sessions, CSRF tokens, set-password links
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PACKAGE_DIR / "translations"),
    )
    app.config.setdefault("RATELIMIT_ENABLED", True)
    from certflow.core import ratelimit_storage  # noqa: F401  (registers the certflow+sqlite:// storage)

    limiter.init_app(app)
    if app.config.get("TRUSTED_PROXIES", 0) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    from certflow.core.converters import register_converters

    register_converters(app)  # before any blueprint: every <int:…> of pages and API is bounded

    from certflow import models  # noqa: F401  (registers the models)
    from certflow.auth import user_loader  # noqa: F401
    from certflow.celery_app import celery_init_app
    from certflow.notifications import dispatch  # noqa: F401  (queues outbox messages after commit)

    celery_init_app(app)

    from certflow import ops

    ops.init_app(app)  # request ids, JSON logs, metrics, /healthz, /readyz, /metrics

    from certflow.core import bounds

    bounds.init_app(app)  # after CSRF, limits, request ids: hostile text, JSON too deep or large, refused early

    from certflow.admin.routes import bp as admin_bp
    from certflow.api import bp as api_bp
    from certflow.assessor.routes import bp as assessor_bp
    from certflow.auth.routes import bp as auth_bp
    from certflow.candidate.routes import bp as candidate_bp
    from certflow.certifier.routes import bp as certifier_bp
    from certflow.notifications.routes import bp as notifications_bp
    from certflow.positions.routes import bp as positions_bp
    from certflow.public.routes import bp as public_bp
    from certflow.staff.routes import bp as staff_bp
    from certflow.sysadmin.routes import bp as sysadmin_bp
    from certflow.web.routes import bp as web_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(positions_bp)
    for area_bp in (candidate_bp, assessor_bp, certifier_bp, admin_bp, staff_bp, sysadmin_bp, notifications_bp):
        app.register_blueprint(area_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)
    # A refusal's message names events, states and document kinds by their labels, in the API too.
    from certflow.core.errors import PARAM_LABELS
    from certflow.web.refusals import labelled

    app.extensions[PARAM_LABELS] = labelled

    from werkzeug.exceptions import HTTPException, InternalServerError

    from certflow.core.dispatch import render_http_error

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # One dispatch: the part of the site the path belongs to renders it (API: JSON; pages: HTML).
        return render_http_error(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        if app.testing:
            raise exc
        app.logger.exception("unhandled error")
        db.session.rollback()
        return render_http_error(InternalServerError(original_exception=exc))

    from certflow.cli import register_cli

    register_cli(app)

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale())}

    return app
