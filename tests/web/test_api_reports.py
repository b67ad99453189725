"""API: the summary report — who may ask, the scope each caller gets, and the errors."""

from __future__ import annotations

import itertools

import pytest

from tests.factories import PASSWORD, make_user
from tests.integration.test_reports import (
    build_scenario,
    expected_by_state,
    expected_capacity,
    expected_certified,
    expected_education,
    expected_expiring,
)
from workflows import APPLICATION

_ip = itertools.count(1)
URL = "/api/v1/reports/summary"


def token(client, user) -> dict:
    """Bearer headers for ``user`` (each token from its own address, clear of the login rate limit)."""
    n = next(_ip)
    r = client.post(
        "/api/v1/auth/tokens",
        json={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": f"10.3.{n // 250}.{n % 250 + 1}"},
    )
    assert r.status_code == 201, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


@pytest.fixture()
def scenario(world, db):
    """The report scenario of the integration tests."""
    return build_scenario(world, db)


def assert_figures(body, db, scenario, world, dinas_ids):
    assert body["by_state"] == expected_by_state(scenario, dinas_ids)
    assert body["certified_by_scheme"] == expected_certified(scenario, dinas_ids)
    assert body["education"] == expected_education(db, dinas_ids)
    assert body["assessor_capacity"] == expected_capacity(db, scenario, world, dinas_ids)
    assert body["expiring_90_days"] == expected_expiring(scenario, dinas_ids)
    assert set(body["median_days_in_state"]) == set(APPLICATION.states)


def scope_of(world, name):
    return {
        "all": None,
        "kepri": {world.dinas_kepri.id, world.batam.id, world.bintan.id},
        "batam": {world.batam.id},
        "bintan": {world.bintan.id},
        "riau": {world.dinas_riau.id, world.pekanbaru.id},
        "pekanbaru": {world.pekanbaru.id},
    }[name]


@pytest.mark.parametrize(
    "who, scope",
    [
        ("sysadmin", "all"),
        ("certifier", "all"),
        ("admin_kepri", "kepri"),
        ("admin_batam", "batam"),
        ("admin_riau", "riau"),
    ],
)
def test_each_caller_gets_the_figures_of_its_scope(client, db, world, scenario, who, scope):
    r = client.get(URL, headers=token(client, getattr(world, who)))
    assert r.status_code == 200, r.get_json()
    assert_figures(r.get_json(), db, scenario, world, scope_of(world, scope))


@pytest.mark.parametrize(
    "who, query, scope",
    [
        ("sysadmin", "?dinas={pekanbaru}", "pekanbaru"),
        ("certifier", "?province={kepri}", "kepri"),
        ("sysadmin", "?province={riau}", "riau"),
        ("admin_kepri", "?dinas={bintan}", "bintan"),
        ("admin_kepri", "?province={kepri}", "kepri"),
        ("admin_kepri", "?dinas={batam}&province={kepri}", "batam"),
        ("admin_batam", "?dinas={batam}", "batam"),
        ("admin_batam", "?province={kepri}", "batam"),
        ("admin_riau", "?dinas={pekanbaru}", "pekanbaru"),
    ],
)
def test_narrowing_to_a_dinas_or_province(client, db, world, scenario, who, query, scope):
    ids = {
        "pekanbaru": world.pekanbaru.id,
        "bintan": world.bintan.id,
        "batam": world.batam.id,
        "kepri": world.kepri.id,
        "riau": world.riau.id,
    }
    r = client.get(URL + query.format(**ids), headers=token(client, getattr(world, who)))
    assert r.status_code == 200, r.get_json()
    assert_figures(r.get_json(), db, scenario, world, scope_of(world, scope))


@pytest.mark.parametrize(
    "who, query",
    [
        ("admin_batam", "?dinas={bintan}"),
        ("admin_batam", "?dinas={dinas_kepri}"),
        ("admin_kepri", "?dinas={pekanbaru}"),
        ("admin_kepri", "?province={riau}"),
        ("admin_riau", "?province={kepri}"),
        ("admin_riau", "?dinas={batam}"),
        ("sysadmin", "?dinas=99999"),
        ("certifier", "?province=99999"),
    ],
)
def test_a_dinas_or_province_outside_the_scope_is_404(client, world, scenario, who, query):
    ids = {
        "bintan": world.bintan.id,
        "dinas_kepri": world.dinas_kepri.id,
        "pekanbaru": world.pekanbaru.id,
        "batam": world.batam.id,
        "riau": world.riau.id,
        "kepri": world.kepri.id,
    }
    r = client.get(URL + query.format(**ids), headers=token(client, getattr(world, who)))
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", ["candidate", "lead"])
def test_candidates_and_assessors_may_not(client, world, who):
    user = getattr(world, who)
    r = client.get(URL, headers=token(client, getattr(user, "user", user)))
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "forbidden"


def test_bad_parameters_and_no_token(client, world):
    headers = token(client, world.sysadmin)
    for query, field in (("?dinas=batam", "dinas"), ("?province=1.5", "province")):
        r = client.get(URL + query, headers=headers)
        assert r.status_code == 422
        assert r.get_json()["error"]["code"] == "validation_error"
        assert field in r.get_json()["error"]["message"]
    assert client.get(URL).status_code == 401


def test_a_dinas_admin_of_no_dinas_sees_nothing(client, db, world, scenario):
    stray = make_user("dinas_admin", None)
    db.session.commit()
    body = client.get(URL, headers=token(client, stray)).get_json()
    assert sum(body["by_state"].values()) == 0
    assert body["education"] == {"peksos_kesos": 0, "other": 0}
    assert body["expiring_90_days"] == 0
