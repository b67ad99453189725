"""A refused change, as a page shows it: the message in the reader's words and the status.

Every page that changes data runs it in ``certflow.core.transaction.unit_of_work`` and catches
``REFUSALS``; ``refusal(exc)`` gives what to show and the status to answer with, which is always
the error's own status (``certflow.core.errors.STATUS_OF``: the same as the API's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certflow.core.errors import AppError, as_app_error, translate
from certflow.web.labels import apl01_fields_label, document_kind_label, event_label, state_label
from workflows import WorkflowError

# What a page catches around a unit of work: every refusal (service, workflow, concurrency).
REFUSALS = (AppError, WorkflowError)


def labelled(params: Mapping[str, Any], field_labels: Mapping[str, Any] | None = None) -> dict:
    """``params`` with ids shown by their labels: an event, a state, document kinds, a field, the APL-01
    fields a guard names (``fields``, joined by commas: the only form a guard names fields of)."""
    params = dict(params)
    if isinstance(params.get("event"), str):
        params["event"] = event_label(params["event"])
    if isinstance(params.get("state"), str):
        params["state"] = state_label(params["state"])
    if isinstance(params.get("kinds"), str):
        params["kinds"] = ", ".join(document_kind_label(k.strip()) for k in params["kinds"].split(","))
    if isinstance(params.get("fields"), str):
        params["fields"] = apl01_fields_label(params["fields"])
    if field_labels and params.get("field") in field_labels:
        params["field"] = str(field_labels[params["field"]])
    return params


def as_refusal(exc: BaseException) -> AppError:
    """``exc`` as an ``AppError``; a fault that is no refusal raises again."""
    error = as_app_error(exc)
    if error is None:
        raise exc
    return error


def refusal_message(exc: BaseException, field_labels: Mapping[str, Any] | None = None) -> str:
    """The refusal in the reader's words: each field's own message if it has some, else the message."""
    error = as_refusal(exc)
    if error.details:
        return " ".join(translate(text) for text in error.details.values())
    return translate(error.message, labelled(error.params, field_labels))


def refusal(exc: BaseException, field_labels: Mapping[str, Any] | None = None) -> tuple[str, int]:
    """The message to show and the page's status (the error's own) for a refused change."""
    return refusal_message(exc, field_labels), as_refusal(exc).status


def field_messages(exc: BaseException) -> dict[str, str]:
    """Each field at fault → its message (``form`` → the whole message when no field has its own)."""
    error = as_refusal(exc)
    return {name: translate(text) for name, text in error.details.items()} or {"form": refusal_message(error)}
