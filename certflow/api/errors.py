"""The API's one error body, ``{"error": {"code", "message"}}``, for every failure."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from certflow.api import bp
from certflow.core.errors import AppError, as_app_error, translate  # noqa: F401  (translate: re-exported)
from certflow.extensions import db
from workflows import WorkflowError


class ApiError(AppError):
    """An error answered with the API's error body (``status``, ``code``, an already translated ``message``)."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message, code=code, status=status, attach=extra)


def error_response(status: int, code: str, message: str, **extra):
    """A JSON error response with the API's body."""
    body = {"error": {"code": code, "message": message}}
    body.update(extra)
    return jsonify(body), status


def app_error_response(exc: AppError):
    """The API's answer to any refusal: ``{"error": {code, message, fields?, rule?}, ...extra}``."""
    db.session.rollback()
    body = {"error": exc.body()}
    body.update(exc.attach)
    return jsonify(body), exc.status


@bp.errorhandler(AppError)
def _app_error(exc: AppError):
    return app_error_response(exc)


@bp.errorhandler(WorkflowError)
@bp.errorhandler(StaleDataError)
def _refusal(exc):
    return app_error_response(as_app_error(exc))


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def api_http_error(exc: HTTPException):
    """Any HTTP error under /api/ gets the API's error body."""
    db.session.rollback()
    code = _CODES.get(exc.code, "error")
    messages = {
        404: gettext("Not found."),
        405: gettext("Method not allowed."),
        413: gettext("The upload is too large."),
        429: gettext("Too many requests; try again later."),
        401: gettext("Authentication required."),
    }
    return error_response(exc.code or 500, code, messages.get(exc.code, exc.description or code))


def is_api_request() -> bool:
    """Whether the current request is for the JSON API."""
    return request.path.startswith("/api/")
