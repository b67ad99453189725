"""The base of every API schema, and reading a request through one.

Request bodies are strict (``RequestModel``): JSON types as sent — no ``true`` for a number, no
``"5"`` for one — and an unknown field is refused. Query strings are text, so ``QueryModel``
converts (``?page=2``) but bounds every value. Either way a refusal is one ``AppError``
(422 ``validation_error``) whose message names every field at fault, in the reader's language,
and whose ``fields`` lists them; a body that is not a JSON object is a 400 ``bad_request``.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from certflow.core.converters import MAX_ID
from certflow.core.errors import AppError
from workflows.guards import N_

M = TypeVar("M", bound=BaseModel)


def _whole(value: Any) -> Any:
    # JSON Schema counts 9.0 as an integer; strict pydantic does not. Text and booleans stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _digits(value: Any) -> Any:
    # A query string's whole number is digits only: "1.0", "+1", " 1" and "" are refused.
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("int_parsing", "must be a whole number")
    return value


# Bounded values every schema uses.
# (The bounds come before the validator, so that the JSON schema says minimum/maximum.)
def Int(low: int, high: int):  # noqa: N802  (a type)
    """A whole number of a JSON body from ``low`` to ``high``."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_whole)]


def QueryInt(low: int, high: int):  # noqa: N802  (a type)
    """A whole number of a query string from ``low`` to ``high``."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_digits)]


Id = Int(1, MAX_ID)
Count = Int(0, MAX_ID)
QueryId = QueryInt(1, MAX_ID)
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=2000)]
LongText = Annotated[str, StringConstraints(max_length=20000)]


class RequestModel(BaseModel):
    """A JSON request body: strict types, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class QueryModel(BaseModel):
    """A query string: text converted to the field's type; parameters not named here are ignored (``?lang=``)."""

    model_config = ConfigDict(extra="ignore")


class ResponseModel(BaseModel):
    """An answer: built from the records, dumped with ``model_dump(mode="json")``."""

    model_config = ConfigDict(from_attributes=True)


def _where(loc: tuple) -> str:
    """``("answers", 0, "claim")`` → ``answers[0].claim``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def _sentence(error: dict) -> str:
    """Our own translated sentence for one pydantic error (never pydantic's English)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return _("must be a whole number")
    if kind in ("float_type", "float_parsing"):
        return _("must be a number")
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least %(n)s", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most %(n)s", n=ctx.get("le", ctx.get("lt")))
    if kind in ("string_type", "string_unicode"):
        return _("must be text")
    if kind == "string_too_short":
        return _("is required")
    if kind == "string_too_long":
        return _("must be at most %(n)s characters", n=ctx.get("max_length"))
    if kind in ("bool_type", "bool_parsing"):
        return _("must be true or false")
    if kind in ("literal_error", "enum"):
        return _("must be one of %(choices)s", choices=str(ctx.get("expected", "")).replace("'", ""))
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("must be a list")
    if kind == "too_long":
        return _("at most %(n)s entries at once", n=ctx.get("max_length"))
    if kind == "too_short":
        return _("must be a non-empty list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("must be an object")
    if kind.startswith("date_") and not kind.startswith("datetime"):
        return _("must be a date (YYYY-MM-DD)")
    if kind.startswith("datetime"):
        return _("must be a date and time (ISO 8601)")
    if kind == "value_error":
        return _(str(ctx.get("error", "")) or "is not valid")
    return _("is not valid")


INVALID = N_("Invalid input — %(detail)s")


def invalid(problems: dict[str, str]) -> AppError:
    """One 422 ``validation_error`` naming every field at fault (``problems``: field → sentence)."""
    detail = "; ".join(f"{name}: {text}" for name, text in problems.items())
    return AppError(INVALID, {"detail": detail}, code="validation_error", fields=problems)


def validation_error(exc: ValidationError) -> AppError:
    """A pydantic ``ValidationError`` as our 422, a message for each field at fault."""
    problems: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        problems.setdefault(_where(error["loc"]), _sentence(error))
    return invalid(problems)


def _nul_paths(value: Any, where: str = "") -> list[str]:
    if isinstance(value, str):
        return [where or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, f"{where}.{k}" if where else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, f"{where}[{i}]")]
    return []


def refuse_nul(value: Any) -> None:
    """422 if any text in ``value`` holds a NUL byte (no column stores one)."""
    paths = _nul_paths(value)
    if paths:
        raise invalid({p: _("must not contain NUL characters") for p in paths})


def bad_request() -> AppError:
    """The 400 for a body that is not a JSON object."""
    return AppError(N_("The request body must be a JSON object."), code="bad_request")


def json_object() -> dict:
    """The request's JSON object, or a 400 ``bad_request``; a NUL in any text is a 422."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise bad_request()
    refuse_nul(data)
    return data


def read_body(model: type[M]) -> M:
    """The request body validated by ``model`` (strict); 400 if it is not a JSON object, 422 naming the fields."""
    json_object()  # 400 unless an object; 422 for a NUL anywhere in it
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as exc:
        raise validation_error(exc) from None


def read_query(model: type[M]) -> M:
    """The query string validated by ``model``; 422 naming the parameters at fault."""
    args: dict[str, Any] = {}
    repeated: dict[str, str] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        values = request.args.getlist(key)
        if len(values) > 1:
            repeated[key] = _("must be given once")
        elif values:
            args[key] = values[0]
    if repeated:
        raise invalid(repeated)
    refuse_nul(args)
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        raise validation_error(exc) from None
