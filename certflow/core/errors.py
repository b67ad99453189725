"""One error family for every refusal, whether a page or the API answers it.

An ``AppError`` carries a ``code`` (snake_case, API.md's error code), the HTTP ``status`` that
code always has (``STATUS_OF``: one table for pages and API), a message id with its
parameters (translated when shown, in the reader's language), the ``fields`` at fault (each
with its own message, if any) and, for a failed guard, the ``rule``. Workflow refusals
(``workflows.WorkflowError``, which cannot import this package) are read through
``as_app_error`` so that they answer the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from workflows import WorkflowError
from workflows.guards import N_, Msg

# The one code → status table: pages and API answer a refusal with the same status.
STATUS_OF: dict[str, int] = {
    "bad_request": 400,
    "unauthorized": 401,
    "invalid_credentials": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "invalid_transition": 409,
    "stale_version": 409,
    "not_editable": 409,
    "conflict": 409,
    "form_not_ready": 409,
    "too_large": 413,
    "unsupported_media_type": 415,
    "validation_error": 422,
    "guard_failed": 422,
    "rate_limited": 429,
}

PARAM_LABELS = "certflow.param_labels"  # the app extension that labels a message's parameters

STALE_MESSAGE = N_("The record was changed by someone else; reload it and try again.")


def people_words(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """``params`` with the ids a person must not read (an event, a state, document kinds, form fields)
    as their labels: by the app's ``PARAM_LABELS`` extension (``certflow.web.refusals.labelled``, set by
    the app factory: this package cannot import the pages' labels), unchanged outside an app."""
    labeller = current_app.extensions.get(PARAM_LABELS) if params and has_app_context() else None
    return labeller(params) if labeller is not None else params


def translate(message: str, params: Mapping[str, Any] | None = None) -> str:
    """``message`` (a message id) in the reader's language, with ``params`` (message ids among them translated)."""
    params = {k: (gettext(v) if isinstance(v, Msg) else v) for k, v in (params or {}).items()}
    text = gettext(message) if message else ""
    if not params:
        return text
    try:
        return text % params
    except (KeyError, ValueError, TypeError):
        return text


def _fields(fields: Mapping[str, str] | Iterable[str] | str | None) -> dict[str, str]:
    if fields is None:
        return {}
    if isinstance(fields, str):
        return {fields: ""}
    if isinstance(fields, Mapping):
        return {str(k): (v or "") for k, v in fields.items()}
    return {str(name): "" for name in fields}


class AppError(Exception):
    """A refused request: its code, status, message id and parameters, the fields at fault, the rule broken.

    ``extra`` items go inside the API's ``error`` object; ``attach`` items beside it (API.md's ``rows``, ``lines``).
    """

    code = "validation_error"

    def __init__(
        self,
        message: str,
        params: Mapping[str, Any] | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: Mapping[str, str] | Iterable[str] | str | None = None,
        rule: str | None = None,
        attach: Mapping[str, Any] | None = None,
        **extra: Any,
    ):
        self.message = message
        self.params = dict(params or {})
        if code is not None:
            self.code = code
        self.status = status or STATUS_OF.get(self.code, 422)
        self.fields: dict[str, str] = _fields(fields)
        self.rule = rule
        self.extra = extra  # more facts about the error, inside the ``error`` object (e.g. the assessor at fault)
        self.attach = dict(attach or {})  # beside the ``error`` object (e.g. an import's bad ``rows``)
        super().__init__(self._untranslated())

    def _untranslated(self) -> str:
        try:
            return str(self.message) % self.params if self.params else str(self.message)
        except (KeyError, ValueError, TypeError):
            return str(self.message)

    @property
    def field(self) -> str | None:
        """The first field at fault, or None."""
        return next(iter(self.fields), None)

    @property
    def details(self) -> dict[str, str]:
        """Each field at fault that has its own message → that message (pages show it next to the field)."""
        return {name: text for name, text in self.fields.items() if text}

    def text(self) -> str:
        """The message in the reader's language, the ids among its parameters as their labels."""
        return translate(self.message, people_words(self.params))

    def body(self) -> dict:
        """The ``error`` object of the API's error body: code, message, and fields or rule when there are any."""
        error: dict[str, Any] = {"code": self.code, "message": self.text()}
        if self.fields:
            error["fields"] = list(self.fields)
        if self.rule:
            error["rule"] = self.rule
        error.update(self.extra)
        return error


class InvalidInput(AppError):
    """Bad values: the message names every bad field, ``fields`` gives each its own message."""

    code = "validation_error"


class TooLarge(AppError):
    """An upload or a body over its size limit."""

    code = "too_large"


class NotFound(AppError):
    """No such record, or one the caller may not see."""

    code = "not_found"

    def __init__(self, message: str = N_("Not found."), params=None, **kw):
        super().__init__(message, params, **kw)


class Forbidden(AppError):
    """The caller may see the record but not do this."""

    code = "forbidden"


class NotEditable(AppError):
    """The record may not be changed in its current state."""

    code = "not_editable"


class StaleVersion(AppError):
    """Someone else changed the record since it was read: exactly one of two writers wins."""

    code = "stale_version"

    def __init__(self, message: str = STALE_MESSAGE, params=None, **kw):
        super().__init__(message, params, **kw)


# PostgreSQL's deadlock_detected and serialization_failure: two writers crossed; one was chosen to retreat.
PG_CONCURRENCY_STATES = ("40P01", "40001")


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` is a concurrent change, not a fault: SQLite's "another writer held the lock", or
    PostgreSQL ending one of two crossed writers (a deadlock, a serialization failure)."""
    if not isinstance(exc, OperationalError):
        return False
    return "database is locked" in str(exc) or getattr(exc.orig, "sqlstate", None) in PG_CONCURRENCY_STATES


def as_app_error(exc: BaseException) -> AppError | None:
    """``exc`` as an ``AppError`` if it is a refusal (workflow, concurrency), else None (a fault: let it raise)."""
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, WorkflowError):
        return AppError(exc.message, exc.params, code=exc.code, rule=getattr(exc, "rule", None) or None)
    if isinstance(exc, StaleDataError | IntegrityError) or is_lock_timeout(exc):
        return StaleVersion()
    return None
