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
