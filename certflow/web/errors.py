"""Error pages (400, 403, 404, 405, 413, 422, 429, 500) in the reader's language, and the pages' security headers."""

from __future__ import annotations

from flask import current_app, render_template, request, session
from werkzeug.exceptions import HTTPException

from certflow.core.dispatch import register_error_renderer, render_http_error
from certflow.extensions import db
from certflow.web.routes import bp

PAGES = (400, 403, 404, 405, 413, 422, 429, 500)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",  # no inline styles: every style is in a stylesheet
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
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

# Sent over HTTPS only (directly, or behind TRUSTED_PROXIES that say so): browsers then refuse plain HTTP.
HSTS = "max-age=31536000; includeSubDomains"


def _personal() -> bool:
    """Whether the answer may hold someone's personal data: anything for a signed-in person or an API caller."""
    if request.endpoint == "static":
        return False
    return "_user_id" in session or request.path.startswith(("/api/", "/set-password/", "/account"))


def error_page(exc: HTTPException):
    """The page for an HTTP error, in the reader's language (werkzeug's own for a code without a page)."""
    db.session.rollback()
    if exc.code not in PAGES:
        return exc.get_response()
    return render_template(f"errors/{exc.code}.html", error=exc), exc.code


register_error_renderer("/", error_page)

for _code in PAGES:
    # Each part of the site renders its own errors (the API its JSON body): one dispatch decides.
    bp.app_errorhandler(_code)(render_http_error)


@bp.after_app_request
def _security_headers(response):
    """Headers that keep pages out of frames and scripts off other sites; a page may set its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _personal() and "no-store" not in response.headers.get("Cache-Control", ""):
        # Never kept by the browser or a shared cache (an office computer, a proxy): UU PDP.
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response
