"""One error dispatch for pages and API: each part of the site registers how it renders an HTTP error.

The API registers its JSON body for ``/api/``, the pages their HTML for ``/``; the application's
handlers ask ``render_http_error`` and never import either part. The longest matching prefix wins.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from werkzeug.exceptions import HTTPException

Renderer = Callable[[HTTPException], object]
_RENDERERS: dict[str, Renderer] = {}


def register_error_renderer(prefix: str, renderer: Renderer) -> None:
    """Render HTTP errors of requests whose path starts with ``prefix`` with ``renderer``."""
    _RENDERERS[prefix] = renderer


def renderer_for(path: str) -> Renderer | None:
    """The renderer of the longest registered prefix of ``path``, or None."""
    best = max((p for p in _RENDERERS if path.startswith(p)), key=len, default=None)
    return _RENDERERS.get(best) if best is not None else None


def render_http_error(exc: HTTPException):
    """The answer to ``exc`` for the current request; werkzeug's own when no renderer is registered.

    The headers werkzeug gives the error (``Allow`` on a 405, ``Retry-After`` on a 429) are kept.
    """
    renderer = renderer_for(request.path)
    if renderer is None:
        return exc
    result = renderer(exc)
    from flask import make_response

    response = make_response(result)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers.setdefault(name, value)
    if getattr(exc, "response", None) is not None:
        for name in ("Allow", "Retry-After"):
            if name in exc.response.headers:
                response.headers.setdefault(name, exc.response.headers[name])
    return response
