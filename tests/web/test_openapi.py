"""The generated OpenAPI document describes exactly the routes the API serves, and every operation's errors."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

IGNORED_METHODS = {"HEAD", "OPTIONS"}
PREFIX = "/api/v1"
ERROR_REF = "#/components/schemas/ErrorBody"


def _shape(path: str) -> str:
    """A path with every parameter blanked: Flask's ``<int:id>`` and OpenAPI's ``{id}`` both become ``{}``."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


@pytest.fixture()
def document(client):
    r = client.get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch"}:
                yield path, method, operation


def served(app) -> set[tuple[str, str]]:
    """(method, path shape) of every route of the API."""
    return {
        (method, _shape(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - IGNORED_METHODS
    }


def documented(document) -> set[tuple[str, str]]:
    return {(method.upper(), _shape(path)) for path, method, _ in operations(document)}


def test_document_is_public_and_a_valid_openapi_3_1_document(client, document):
    assert document["openapi"].startswith("3.1")
    validate(document)  # openapi-spec-validator: the whole document against the OpenAPI 3.1 schema
    assert document["info"]["title"] and document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_every_served_route_is_documented(app, document):
    missing = served(app) - documented(document)
    assert not missing, f"routes served but not documented (decorate them with api.spec.operation): {sorted(missing)}"


def test_every_documented_route_is_served(app, document):
    phantom = documented(document) - served(app)
    assert not phantom, f"documented but not served: {sorted(phantom)}"


def test_public_operations_are_exactly_the_public_endpoints(app, document):
    from certflow.api.auth import PUBLIC_ENDPOINTS

    public = {(m.upper(), _shape(p)) for p, m, op in operations(document) if op.get("security") == []}
    by_endpoint = {
        (method, _shape(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint in PUBLIC_ENDPOINTS
        for method in rule.methods - IGNORED_METHODS
    }
    assert public == by_endpoint
    assert ("GET", "/api/v1/certificates/{}") in public and ("GET", "/api/v1/openapi.json") in public


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_resolves(document):
    for ref in set(_refs(document)):
        assert ref.startswith("#/"), ref
        node = document
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved {ref}"
            node = node[part]


def _error_codes(operation) -> set[str]:
    return {
        code
        for code, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") == ERROR_REF
    }


def test_every_operation_documents_its_answer_its_errors_and_its_security(document):
    error = document["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message"}
    for path, method, operation in operations(document):
        where = (method, path)
        assert operation["summary"] and operation["tags"], where
        codes = set(operation["responses"])
        assert codes & {"200", "201", "204"}, where
        assert all(code.startswith("2") for code in codes - _error_codes(operation)), where
        if operation.get("security") != []:
            assert operation["security"] == [{"bearer": []}], where
            assert "401" in codes, where
        if "requestBody" in operation:
            assert "422" in codes, where
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert "400" in codes, where
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert names == set(re.findall(r"\{([^}]+)\}", path)), where
        if names:
            assert "404" in codes, where
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "422" in codes, where


def test_path_ids_are_bounded_and_paging_too(document):
    for path, method, operation in operations(document):
        for param in operation.get("parameters", []):
            schema = param["schema"]
            if param["in"] == "path" and schema.get("type") == "integer":
                assert schema["maximum"] == 2**31 - 1, (method, path)
    listing = document["paths"]["/api/v1/applications"]["get"]["parameters"]
    per_page = next(p for p in listing if p["name"] == "per_page")["schema"]
    assert per_page["maximum"] == 100 and per_page["minimum"] == 1


def test_the_schemas_say_what_the_api_answers(document):
    schemas = document["components"]["schemas"]
    # The application's scheme is {code, name}, as answered (the hand-written document said a string).
    scheme = schemas["ApplicationOut"]["properties"]["scheme"]
    assert scheme == {"$ref": "#/components/schemas/SchemeRef"}
    assert set(schemas["SchemeRef"]["required"]) == {"code", "name"}
    # The embedded certificate carries number, status and dates: no holder, no scheme.
    assert set(schemas["CertificateBrief"]["properties"]) == {"number", "status", "issued_on", "expires_on"}
    event = schemas["CertificateEvent"]
    assert event["additionalProperties"] is False
    assert event["properties"]["event"]["enum"] == ["suspend", "reinstate", "withdraw"]
    paths = document["paths"]
    assert "application/pdf" in paths["/api/v1/certificates/{number}/pdf"]["get"]["responses"]["200"]["content"]
    assert set(schemas["ReportOut"]["required"]) >= {
        "by_state",
        "certified_by_scheme",
        "education",
        "assessor_capacity",
        "expiring_90_days",
        "median_days_in_state",
    }
    assert set(schemas["HistoryEntry"]["required"]) >= {"event", "from", "to", "actor", "at"}
