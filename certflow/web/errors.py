"""Error pages (400, 403, 404, 405, 429, 500) in the reader's language, and the pages' security headers."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException

from certflow.api.errors import api_http_error, is_api_request
from certflow.extensions import db
from certflow.web.routes import bp

PAGES = (400, 403, 404, 405, 429, 500)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


def error_page(exc: HTTPException):
    """The page for an HTTP error (the API keeps its JSON body)."""
    if is_api_request():
        return api_http_error(exc)
    db.session.rollback()
    code = exc.code if exc.code in PAGES else 500
    return render_template(f"errors/{code}.html", error=exc), code


for _code in PAGES:
    bp.app_errorhandler(_code)(error_page)


@bp.after_app_request
def _security_headers(response):
    """Headers that keep pages out of frames and scripts off other sites; a page may set its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
