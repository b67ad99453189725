"""The API's one error body, ``{"error": {"code", "message", "fields"?, "rule"?}}``, for every failure.

Refusals (``AppError``, workflow refusals, concurrent changes) are answered by the blueprint's
handlers; HTTP errors under ``/api/`` (404 of an unknown URL, 405, 413, 429, 500) by the JSON
renderer registered with the core's error dispatch (``certflow.core.dispatch``).
"""

from __future__ import annotations

from flask import jsonify
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from certflow.api import bp
from certflow.core.dispatch import register_error_renderer
from certflow.core.errors import AppError, as_app_error, translate  # noqa: F401  (translate: re-exported)
from certflow.extensions import db
from workflows import WorkflowError
from workflows.guards import N_


class ApiError(AppError):
    """An error answered with the API's error body (``status``, ``code``, a message id)."""

    def __init__(self, status: int, code: str, message: str, *, fields=None, **attach):
        super().__init__(message, code=code, status=status, fields=fields, attach=attach)


def app_error_response(exc: AppError):
    """The API's answer to any refusal: ``{"error": {code, message, fields?, rule?, ...extra}, ...attach}``.

    ``extra`` (the assessor a team guard names) is inside the error object, ``attach`` (an import's
    bad ``rows``, a decision's refused ``lines``) beside it.
    """
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
_MESSAGES = {
    400: N_("The request is not valid."),
    401: N_("Authentication required."),
    403: N_("Your role may not do this."),
    404: N_("Not found."),
    405: N_("Method not allowed."),
    413: N_("The upload is too large."),
    415: N_("The request body must be a JSON object."),
    429: N_("Too many requests; try again later."),
    500: N_("Something went wrong on our side; it has been logged."),
}


def api_http_error(exc: HTTPException):
    """Any HTTP error under /api/ with the API's error body (its headers, e.g. ``Allow``, are kept by the dispatch)."""
    db.session.rollback()
    status = exc.code or 500
    code = _CODES.get(status, "server_error" if status >= 500 else "error")
    return jsonify({"error": {"code": code, "message": translate(_MESSAGES.get(status, N_("Not found.")))}}), status


register_error_renderer("/api/", api_http_error)
