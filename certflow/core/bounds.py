"""Hostile input stopped at the door, for the API, the pages and the public endpoints alike.

One ``before_request`` hook reads what a request brings before any view does, and refuses:

- a NUL byte or text that is not valid UTF-8 (a lone surrogate such as ``%ED%A0%80``) in any
  name or value of the query string or of a form (422, the field named). No column stores a NUL,
  PostgreSQL refuses one in a query, and werkzeug would silently turn invalid UTF-8 into U+FFFD;
- a NUL or a text value that is not Unicode text in a path (404: no record is named so);
- a JSON body over ``JSON_MAX_BYTES`` (413) or nested deeper than ``JSON_MAX_DEPTH`` (400),
  both checked **before** the body is parsed — Python's parser recurses, a body nested 100,000
  deep would be a ``RecursionError``; then a JSON body with a NUL or a lone surrogate in any key
  or text (``"\\u0000"``, ``"\\ud800"``: ``jsonb`` refuses both), a number that is not finite
  (``NaN``, ``Infinity``, ``1e309``) or an integer no column holds (beyond 64 bits): 422, the
  field named.

Ids are bounded elsewhere: in paths by the ``<int:>`` converter (``certflow.core.converters``),
in API queries and bodies by the schemas (``certflow.core.schemas``), in page queries and forms
by the pages' ``int_arg``/``page_number``. A request that matched no route is left to its 404/405.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound, default_exceptions

from certflow.core.errors import AppError, TooLarge
from workflows.guards import N_

JSON_MAX_DEPTH = 32
JSON_MAX_BYTES = 1024 * 1024
MAX_JSON_INT = 2**63 - 1

# A string (an unterminated one runs to the end: one pass, never a retry) or a bracket.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


PAGE_MESSAGE = N_(
    "The request holds characters that cannot be stored (an invisible NUL character or broken text). "
    "Go back, retype the text and try again."
)


class HostileInput(AppError):
    """A refusal of the hook: the API names the fields (422); a page says it in plain words."""

    code = "validation_error"
    page_message = PAGE_MESSAGE


def _refuse(problems: dict[str, str]) -> AppError:
    from certflow.core.schemas import INVALID

    detail = "; ".join(f"{name}: {text}" for name, text in problems.items())
    return HostileInput(INVALID, {"detail": detail}, fields=problems)


def _too_large(limit: int) -> AppError:
    return TooLarge(N_("The request body is too large (at most %(n)s bytes)."), {"n": limit})


# -- text: query strings, forms, paths -----------------------------------------------------------


def _text_fault(raw: bytes) -> str | None:
    """What is wrong with the decoded bytes of a name or value, or None."""
    if b"\x00" in raw:
        return N_("must not contain NUL characters")
    try:
        raw.decode("utf-8")  # strict: refuses invalid bytes and encoded surrogates alike
    except UnicodeDecodeError:
        return N_("must be valid text (UTF-8)")
    return None


def _pairs_problems(encoded: bytes) -> dict[str, str]:
    """The faults of an ``application/x-www-form-urlencoded`` string (a query string or a form body)."""
    problems: dict[str, str] = {}
    for pair in encoded.split(b"&"):
        if not pair:
            continue
        name, _sep, value = pair.partition(b"=")
        name_raw = unquote_to_bytes(name.replace(b"+", b" "))
        value_raw = unquote_to_bytes(value.replace(b"+", b" "))
        field = name_raw.decode("utf-8", "replace").replace("\x00", "") or "?"
        fault = _text_fault(name_raw) or _text_fault(value_raw)
        if fault:
            problems.setdefault(field, fault)
    said = {fault: _(fault) for fault in set(problems.values())}
    return {name: said[fault] for name, fault in problems.items()}


def _path_is_hostile() -> bool:
    raw = request.environ.get("PATH_INFO", "")
    try:
        raw_bytes = raw.encode("latin-1")  # WSGI: the path's bytes, one character each
    except UnicodeEncodeError:
        raw_bytes = raw.encode("utf-8", "surrogatepass")
    if _text_fault(raw_bytes):
        return True
    return any(isinstance(v, str) and ("\x00" in v or _SURROGATE.search(v)) for v in (request.view_args or {}).values())


def _form_problems() -> dict[str, str]:
    if request.mimetype == "application/x-www-form-urlencoded":
        return _pairs_problems(request.get_data(cache=True))  # the form is parsed from the cached bytes later
    if request.mimetype == "multipart/form-data":
        # werkzeug has already replaced invalid UTF-8 here (harmless U+FFFD); a NUL survives it.
        problems: dict[str, str] = {}
        for name, value in request.form.items(multi=True):
            name = name if isinstance(name, str) else ""  # a part without a usable name or value is no NUL
            if "\x00" in name or (isinstance(value, str) and "\x00" in value):
                problems.setdefault(name.replace("\x00", "") or "?", _("must not contain NUL characters"))
        for name, upload in request.files.items(multi=True):
            if "\x00" in (upload.filename or ""):
                problems.setdefault(name, _("must not contain NUL characters"))
        return problems
    return {}


# -- JSON ----------------------------------------------------------------------------------------


def json_depth(raw: bytes) -> int:
    """How deeply the arrays and objects of the JSON text ``raw`` nest (its strings skipped), without parsing it."""
    if raw.count(b"[") + raw.count(b"{") <= JSON_MAX_DEPTH:
        return raw.count(b"[") + raw.count(b"{")  # an upper bound that is already small
    depth = deepest = 0
    for token in _TOKENS.finditer(raw):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > JSON_MAX_DEPTH:
                    return deepest  # deep enough to refuse: no need to read on
        elif bracket in (b"]", b"}"):
            depth -= 1
    return deepest


def _json_problems(value: Any, where: str, problems: dict[str, str]) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            problems.setdefault(where or "body", _("must not contain NUL characters"))
        elif _SURROGATE.search(value):
            problems.setdefault(where or "body", _("must be valid text (UTF-8)"))
    elif isinstance(value, float):
        if not math.isfinite(value):  # NaN, Infinity, 1e309: no column (nor jsonb) holds one
            problems.setdefault(where or "body", _("must be a finite number"))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_JSON_INT:
            problems.setdefault(where or "body", _("must be at most %(n)s", n=MAX_JSON_INT))
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key or _SURROGATE.search(key):
                problems.setdefault(_clean(key, where), _("must not contain NUL characters or invalid text"))
                continue
            _json_problems(item, f"{where}.{key}" if where else key, problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_problems(item, f"{where}[{i}]", problems)


def _clean(key: str, where: str) -> str:
    name = _SURROGATE.sub("", key.replace("\x00", "")) or "?"
    return f"{where}.{name}" if where else name


def check_json(raw: bytes) -> None:
    """Refuse a JSON body that is too large or too deep (before parsing it) or holds what no column stores."""
    limit = current_app.config.get("JSON_MAX_BYTES", JSON_MAX_BYTES)
    if len(raw) > limit:
        raise _too_large(limit)
    if json_depth(raw) > JSON_MAX_DEPTH:
        raise AppError(
            N_("The request body is nested too deeply (at most %(n)s levels)."),
            {"n": JSON_MAX_DEPTH},
            code="bad_request",
        )
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return  # not JSON: the view answers 400 as for any body that is not a JSON object
    problems: dict[str, str] = {}
    _json_problems(data, "", problems)
    if problems:
        raise _refuse(problems)


# -- the hook ------------------------------------------------------------------------------------


def refuse_hostile_input() -> None:
    """The ``before_request`` hook: raise the refusal of a hostile request (see the module's text)."""
    if request.routing_exception is not None:
        return  # no route: its 404 or 405 answers
    if _path_is_hostile():
        raise NotFound()
    problems = _pairs_problems(request.query_string)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.is_json:
            limit = current_app.config.get("JSON_MAX_BYTES", JSON_MAX_BYTES)
            if (request.content_length or 0) > limit:
                raise _too_large(limit)  # without reading the body
            if problems:
                raise _refuse(problems)
            check_json(request.get_data(cache=True))
            return
        problems.update({k: v for k, v in _form_problems().items() if k not in problems})
    if problems:
        raise _refuse(problems)


def refusal_page(exc: AppError):
    """A refusal no view caught (the hook's, or one raised outside a unit of work) as the site's error page.

    The API's blueprint answers its own refusals with the JSON error body first; this renders the
    others through the core's error dispatch, with the refusal's status and its message in words.
    """
    from certflow.core.dispatch import render_http_error

    text = _(exc.page_message) if isinstance(exc, HostileInput) else exc.text()
    http = default_exceptions.get(exc.status, BadRequest)(description=text)
    return render_http_error(http)


def keep_form_bytes() -> None:
    """Keep a form's bytes before anything parses it (CSRF protection does): the hook reads them as sent."""
    if request.mimetype == "application/x-www-form-urlencoded":
        request.get_data(cache=True)  # werkzeug parses the form from these cached bytes


def init_app(app: Flask) -> None:
    """Install the hook (after CSRF protection, so a page POST without its token stays a 400)."""
    app.config.setdefault("JSON_MAX_BYTES", JSON_MAX_BYTES)
    app.before_request_funcs.setdefault(None, []).insert(0, keep_form_bytes)
    app.before_request(refuse_hostile_input)
    app.register_error_handler(AppError, refusal_page)
