"""Bad input is refused with the one error body — never a server error (the cases schemathesis found)."""

from __future__ import annotations

import pytest

from tests.web.test_api_applications_support import Api, error_code

HUGE = "10074032185159665664"


@pytest.fixture()
def api(client):
    return Api(client)


@pytest.mark.parametrize(
    "path",
    [
        f"/applications/{HUGE}/history",
        f"/assessors/{HUGE}",
        "/applications/2147483648",
        f"/applications/{HUGE}/scores",
        f"/documents/{HUGE}",
    ],
)
def test_an_id_beyond_any_record_is_a_404(api, world, path):
    r = api.as_(world.admin_kepri).get(path)
    assert r.status_code == 404 and error_code(r) == "not_found"


def test_the_largest_id_is_routed_and_not_found(api, world):
    r = api.as_(world.admin_kepri).get("/applications/2147483647")
    assert r.status_code == 404 and error_code(r) == "not_found"


def test_pages_bound_their_ids_too(client, world):
    assert client.get(f"/applications/{HUGE}").status_code == 404


@pytest.mark.parametrize("query", ["page=634593812782682283704320", "page=0", "per_page=101", "per_page=-1"])
def test_paging_out_of_bounds_is_a_422_naming_the_parameter(api, world, query):
    r = api.as_(world.admin_kepri).get(f"/notifications?{query}")
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert r.get_json()["error"]["fields"] == [query.split("=")[0]]


def test_a_405_carries_allow_and_the_error_body(api, world):
    r = api.client.delete("/api/v1/applications", headers=api.as_(world.candidate).headers)
    assert r.status_code == 405 and error_code(r) == "method_not_allowed"
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize("body", [[1, 2], "scheme", 5, None])
def test_a_json_body_that_is_not_an_object_is_a_400(api, world, body):
    r = api.as_(world.candidate).post("/applications", json=body)
    assert r.status_code == 400 and error_code(r) == "bad_request"


@pytest.mark.parametrize(
    ("body", "field", "english"),
    [
        ({"event": "submit", "version": True}, "version", "must be a whole number"),
        ({"event": "submit", "version": "5"}, "version", "must be a whole number"),
        ({"event": "submit", "version": 2**31}, "version", "must be at most 2147483647"),
        ({"event": "submit", "colour": "red"}, "colour", "unknown field"),
        ({"reason": "x"}, "event", "is required"),
        ({"event": "submit", "reason": "a\x00b"}, "reason", "must not contain NUL characters"),
    ],
)
def test_strict_bodies_name_each_field_in_english_and_indonesian(api, world, db, body, field, english):
    app = world.new_application()
    db.session.commit()
    caller = api.as_(world.candidate)
    r = caller.post(f"/applications/{app.id}/events", json=body)
    error = r.get_json()["error"]
    assert r.status_code == 422 and error["code"] == "validation_error"
    assert error["fields"] == [field] and field in error["message"] and english in error["message"]
    indonesian = caller.post(f"/applications/{app.id}/events", json=body, headers={"Accept-Language": "id"})
    assert field in indonesian.get_json()["error"]["message"]
    assert english not in indonesian.get_json()["error"]["message"]


def test_an_unknown_api_path_answers_the_error_body(api, world):
    r = api.as_(world.candidate).get("/no-such-thing")
    assert r.status_code == 404 and error_code(r) == "not_found"


@pytest.mark.parametrize("query", ["dinas=1.0", "dinas=+1", "dinas=", "dinas=1&dinas=2", "dinas=%001"])
def test_query_ids_are_digits_given_once(api, world, query):
    r = api.as_(world.admin_kepri).get(f"/teams?{query}")
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["dinas"]


def test_a_whole_number_written_as_9_0_is_a_whole_number(api, world):
    # JSON Schema counts 9.0 as an integer; text and booleans stay refused (see above).
    r = api.as_(world.admin_kepri).patch(f"/assessors/{world.lead.id}", json={"max_load": 4.0})
    assert r.status_code == 200 and r.get_json()["max_load"] == 4
    r = api.as_(world.admin_kepri).patch(f"/assessors/{world.lead.id}", json={"max_load": 4.5})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["max_load"]


def test_the_document_says_texts_hold_no_nul(client):
    document = client.get("/api/v1/openapi.json").get_json()
    criterion = document["components"]["schemas"]["ClaimIn"]["properties"]["criterion"]
    assert criterion["pattern"] == "^[^\\u0000]*$" and criterion["maxLength"] == 64


# -- the one hook (certflow.core.bounds): hostile text and JSON refused before any view ------------


def test_a_body_nested_deep_is_refused_before_parsing_even_at_sign_in(client, world):
    body = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")
    assert r.status_code == 400 and error_code(r) == "bad_request" and "32" in r.get_json()["error"]["message"]


def test_a_json_body_over_its_size_is_a_413(client, world, app):
    body = b'{"email": "' + b"x" * app.config["JSON_MAX_BYTES"] + b'"}'
    r = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")
    assert r.status_code == 413 and error_code(r) == "too_large"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"event": "submit", "reason": "\\ud800"}', "reason"),
        (b'{"event": "submit", "reason": "a\\u0000b"}', "reason"),
        (b'{"event": "submit", "version": NaN}', "version"),
        (b'{"event": "submit", "version": 1e309}', "version"),
        (b'{"event": "submit", "version": 99999999999999999999}', "version"),
    ],
)
def test_json_texts_and_numbers_no_column_holds_are_422_naming_the_field(api, world, db, raw, field):
    app = world.new_application()
    db.session.commit()
    r = api.as_(world.candidate).post(f"/applications/{app.id}/events", data=raw, content_type="application/json")
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert r.get_json()["error"]["fields"] == [field]


def test_apl01_refuses_keys_and_texts_jsonb_cannot_store(api, world, db):
    app = world.new_application()
    db.session.commit()
    caller = api.as_(world.candidate)
    for raw in (b'{"workplace": "\\ud800"}', b'{"a\\u0000b": "x"}'):
        r = caller.put(f"/applications/{app.id}/apl01", data=raw, content_type="application/json")
        assert r.status_code == 422 and error_code(r) == "validation_error", raw


@pytest.mark.parametrize("value", ["a%00b", "%ED%A0%80", "%FF"])
def test_a_query_value_with_nul_or_broken_text_is_a_422_naming_it(api, world, value):
    r = api.as_(world.admin_kepri).get(f"/notifications?page=1&q={value}")
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["q"]


@pytest.mark.parametrize("path", ["/api/v1/certificates/a%00b", "/api/v1/certificates/%ED%A0%80", "/verify/a%00b"])
def test_a_path_text_with_nul_or_broken_text_names_no_record(client, world, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("page", ["/login", "/register", "/forgot-password"])
def test_public_forms_with_nul_answer_a_page_in_words(app, world, page):
    from tests.web.test_pages_support import Browser, csrf_token

    browser = Browser(app)
    token = csrf_token(browser.get(page).text)
    r = browser.post(page, data={"csrf_token": token, "email": "a\x00b@example.org", "password": "x\x00", "name": "x"})
    assert r.status_code == 422 and "NUL" in r.text and "Traceback" not in r.text
    r = browser.post(
        page,
        data=f"csrf_token={token}&email=%ED%A0%80".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 422


def test_a_page_id_in_a_form_beyond_any_record_is_refused_in_words(app, world):
    from tests.web.test_pages_support import Browser, csrf_token

    browser = Browser(app).login(world.admin_kepri)
    token = csrf_token(browser.get("/admin/teams/new").text)
    data = {"csrf_token": token, "name": "Tim", "scheme": world.scheme.code, "dinas": str(2**31), "lead": str(2**63)}
    assert browser.post("/admin/teams/new", data=data).status_code in (404, 422)
