"""The API's one error body, ``{"error": {"code", "message"}}``, for every failure."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from certflow.api import bp
from certflow.extensions import db
from workflows import WorkflowError

STATUS_OF = {"invalid_transition": 409, "stale_version": 409, "forbidden": 403, "guard_failed": 422}


class ApiError(Exception):
    """An error answered with the API's error body."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(status: int, code: str, message: str, **extra):
    """A JSON error response with the API's body."""
    body = {"error": {"code": code, "message": message}}
    body.update(extra)
    return jsonify(body), status


def translate(message: str, params: dict | None = None) -> str:
    """Translate a workflow message id, and any message ids among its parameters."""
    from workflows.guards import Msg

    params = {k: (gettext(v) if isinstance(v, Msg) else v) for k, v in (params or {}).items()}
    text = gettext(message)
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return text


def workflow_error_response(exc: WorkflowError):
    """The API answer to a refused event; a failed guard also names its ``rule``."""
    error = {"code": exc.code, "message": translate(exc.message, exc.params)}
    if getattr(exc, "rule", None):
        error["rule"] = exc.rule
    return jsonify({"error": error}), STATUS_OF.get(exc.code, 409)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


@bp.errorhandler(WorkflowError)
def _workflow_error(exc: WorkflowError):
    db.session.rollback()
    return workflow_error_response(exc)


@bp.errorhandler(StaleDataError)
def _stale(exc):
    db.session.rollback()
    return error_response(
        409, "stale_version", gettext("The record was changed by someone else; reload it and try again.")
    )


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
