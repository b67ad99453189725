"""The API's answers checked against its generated OpenAPI document (openapi-core).

``check_answer`` is called by the test client on every answer under ``/api/v1``: the
operation must document the status, the content type and the body (the error body included).
A path or method no operation has (an unknown URL, a 405) must still answer the error body,
and a 405 its ``Allow`` header.
"""

from __future__ import annotations

import functools

import jsonschema
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

ERROR_BODY = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


@functools.cache
def _openapi(app) -> OpenAPI:
    from certflow.api.spec import openapi_document

    with app.test_request_context():
        return OpenAPI.from_dict(openapi_document())


class _Request(WerkzeugOpenAPIRequest):
    """The request as openapi-core reads it to find the operation (its body was read by the view)."""

    @property
    def body(self) -> bytes:
        return b""


class ContractViolation(AssertionError):
    """An answer the OpenAPI document does not describe."""


def _check_file(app, response) -> None:
    """A file (a PDF, a CSV, an upload): the status and the media type the operation documents."""
    from certflow.api.spec import openapi_document, spec

    request = response.request
    with app.test_request_context():
        rule, _ = app.url_map.bind("localhost").match(request.path, request.method, return_rule=True)
        operation = openapi_document()["paths"][spec.backend.parse_path(rule, None)[0]][request.method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    where = f"{request.method} {request.path} → {response.status_code} {response.mimetype}"
    if documented is None:
        raise ContractViolation(f"{where}: status not documented")
    if response.status_code != 204 and response.mimetype not in documented.get("content", {}):
        raise ContractViolation(f"{where}: media type not documented")


def check_answer(app, response) -> None:
    """Fail unless ``response`` (to ``response.request``) is what the document says the operation answers."""
    request = response.request
    if response.mimetype != "application/json" and response.status_code < 300:
        _check_file(app, response)
        return
    try:
        _openapi(app).validate_response(_Request(request), WerkzeugOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        # No operation: only the 404 of an unknown path (or of an id out of range) and the 405.
        where = f"{request.method} {request.path} → {response.status_code}"
        if response.status_code not in (404, 405):
            raise ContractViolation(f"{where}: not an operation of the document") from None
        if response.status_code == 405 and "Allow" not in response.headers:
            raise ContractViolation(f"{where}: a 405 without an Allow header") from None
        try:
            jsonschema.validate(response.get_json(), ERROR_BODY)
        except jsonschema.ValidationError as exc:
            raise ContractViolation(f"{where}: not the error body: {exc.message}") from None
    except Exception as exc:  # openapi-core's validation errors: say which answer broke the contract
        details = "; ".join(str(e) for e in getattr(exc, "schema_errors", ()) or ()) or ""
        cause = exc.__cause__
        extra = "; ".join(str(e.message) for e in getattr(cause, "schema_errors", ()) or ()) if cause else ""
        raise ContractViolation(
            f"{request.method} {request.full_path} → {response.status_code}: {exc!r} {details} {extra}\n"
            f"{response.get_data(as_text=True)[:500]}"
        ) from None
