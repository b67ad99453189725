"""GET/POST /api/v1/assessors and PATCH /api/v1/assessors/<id>: the assessor pool, by role and scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.extensions import db as _db
from certflow.models import Assessor, User
from tests.factories import make_assessor, make_user
from tests.web.test_api_reference import auth, count_queries

FORBIDDEN_ROLES = ("candidate", "assessor", "certifier")


def _user(world, who):
    return world.lead.user if who == "assessor" else getattr(world, who)


def _future(days=365):
    return (clock.today() + timedelta(days=days)).isoformat()


def _names(resp):
    assert resp.status_code == 200, resp.get_json()
    return sorted(a["name"] for a in resp.get_json())


# -- who may list, and what each admin sees ---------------------------------------------------
@pytest.mark.parametrize("who", FORBIDDEN_ROLES)
def test_other_roles_may_not_use_the_pool(client, world, who):
    headers = auth(_user(world, who))
    assert client.get("/api/v1/assessors", headers=headers).status_code == 403
    body = {"user": world.candidate.id, "licence_number": "L", "licence_expires": _future(), "schemes": ["PSG"]}
    resp = client.post("/api/v1/assessors", json=body, headers=headers)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert client.patch(f"/api/v1/assessors/{world.lead.id}", json={}, headers=headers).status_code == 403
    assert client.get(f"/api/v1/assessors/{world.lead.id}", headers=headers).status_code == 403


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin_batam", ["Batam Assessor"]),
        ("admin_kepri", ["Batam Assessor", "Lead Assessor", "Member Assessor"]),
        ("admin_riau", []),
        ("sysadmin", ["Batam Assessor", "Lead Assessor", "Member Assessor"]),
    ],
)
def test_admins_see_the_assessors_of_their_scope(client, world, who, expected):
    assert _names(client.get("/api/v1/assessors", headers=auth(getattr(world, who)))) == expected


def test_an_assessor_shows_licence_state_schemes_and_load(client, world):
    app = world.new_application()
    world.advance(app, "team_assigned")
    world.same_dinas_assessor.licence_expires = clock.today() + timedelta(days=30)
    world.member.licence_expires = clock.today() - timedelta(days=1)
    _db.session.commit()
    body = {a["name"]: a for a in client.get("/api/v1/assessors", headers=auth(world.admin_kepri)).get_json()}
    lead = body["Lead Assessor"]
    assert lead == {
        "id": world.lead.id,
        "user": world.lead.user_id,
        "name": "Lead Assessor",
        "email": world.lead.user.email,
        "dinas": {"id": world.bintan.id, "name": "Dinas Sosial Kabupaten Bintan"},
        "licence_number": world.lead.licence_number,
        "licence_expires": world.lead.licence_expires.isoformat(),
        "licence_valid": True,
        "licence_expiring_soon": False,
        "schemes": ["PNY", "PSG"],
        "active": True,
        "active_load": 1,
        "max_load": 3,
    }
    assert body["Member Assessor"]["active_load"] == 1
    assert body["Member Assessor"]["licence_valid"] is False
    assert body["Member Assessor"]["licence_expiring_soon"] is False
    batam = body["Batam Assessor"]
    assert batam["licence_valid"] is True and batam["licence_expiring_soon"] is True and batam["active_load"] == 0


def test_filters_by_scheme_and_dinas(client, world):
    headers = auth(world.admin_kepri)
    assert _names(client.get("/api/v1/assessors?scheme=PNY", headers=headers)) == ["Lead Assessor", "Member Assessor"]
    assert _names(client.get(f"/api/v1/assessors?dinas={world.bintan.id}", headers=headers)) == ["Lead Assessor"]
    assert _names(client.get(f"/api/v1/assessors?dinas={world.pekanbaru.id}", headers=headers)) == []
    for query, field in (("scheme=NOPE", "scheme"), ("dinas=batam", "dinas")):
        resp = client.get(f"/api/v1/assessors?{query}", headers=headers)
        assert resp.status_code == 422
        assert resp.get_json()["error"]["code"] == "validation_error"
        assert resp.get_json()["error"]["fields"] == [field]


def test_the_list_takes_a_constant_number_of_queries(client, world):
    headers = auth(world.sysadmin)
    with count_queries() as small:
        assert len(client.get("/api/v1/assessors", headers=headers).get_json()) == 3
    for n in range(20):
        make_assessor(world.batam if n % 2 else world.pekanbaru, [world.scheme, world.other_scheme], name=f"A{n}")
    _db.session.commit()
    with count_queries() as large:
        assert len(client.get("/api/v1/assessors", headers=headers).get_json()) == 23
    assert len(large) == len(small)


# -- registering ------------------------------------------------------------------------------
def _register(client, admin, person, **overrides):
    body = {
        "user": person.id,
        "licence_number": "MET-1",
        "licence_expires": _future(),
        "schemes": ["PSG"],
        "max_load": 4,
    }
    body.update(overrides)
    return client.post("/api/v1/assessors", json=body, headers=auth(admin))


def test_a_kota_admin_registers_a_user_of_its_dinas(client, world):
    staff = make_user("dinas_admin", world.batam, name="Staff Batam")
    _db.session.commit()
    resp = _register(client, world.admin_batam, staff, schemes=["PSG", "PNY"])
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["user"] == staff.id and body["dinas"]["id"] == world.batam.id
    assert body["schemes"] == ["PNY", "PSG"] and body["max_load"] == 4 and body["active_load"] == 0
    _db.session.expire_all()
    assert _db.session.get(User, staff.id).roles == {"dinas_admin", "assessor"}
    assert _db.session.scalar(select(Assessor).where(Assessor.user_id == staff.id)).licence_number == "MET-1"


def test_a_province_admin_registers_with_another_home_dinas_of_its_province(client, world):
    resp = _register(client, world.admin_kepri, world.other_candidate, dinas=world.batam.id)
    assert resp.status_code == 201
    assert resp.get_json()["dinas"]["id"] == world.batam.id


@pytest.mark.parametrize("who", ["admin_batam", "admin_riau"])
def test_a_user_outside_the_scope_is_not_found(client, world, who):
    resp = _register(client, getattr(world, who), world.other_candidate)  # of Bintan
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert _register(client, getattr(world, who), world.other_candidate, user=999999).status_code == 404


def test_a_home_dinas_outside_the_scope_is_not_found(client, world):
    resp = _register(client, world.admin_batam, world.candidate, dinas=world.bintan.id)
    assert resp.status_code == 404
    assert not world.candidate.has_role("assessor")


def test_a_system_admin_registers_anyone(client, world):
    person = make_user("candidate", world.pekanbaru)
    _db.session.commit()
    assert _register(client, world.sysadmin, person).status_code == 201


def test_an_assessor_cannot_be_registered_twice(client, world):
    resp = _register(client, world.admin_batam, world.same_dinas_assessor.user)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"] == ["user"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("user", "abc"),
        ("licence_number", ""),
        ("licence_number", None),
        ("licence_expires", "2030-13-01"),
        ("licence_expires", "31/12/2030"),
        ("licence_expires", 20301231),
        ("licence_expires", "past"),
        ("schemes", []),
        ("schemes", "PSG"),
        ("schemes", ["PSG", "NOPE"]),
        ("max_load", 0),
        ("max_load", 51),
        ("max_load", "x"),
        ("max_load", True),
        ("dinas", "x"),
    ],
)
def test_bad_values_are_refused_naming_the_field(client, world, field, value):
    if value == "past":
        value = (clock.today() - timedelta(days=1)).isoformat()
    resp = _register(client, world.admin_batam, world.candidate, **{field: value})
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and error["fields"] == [field] and field in error["message"]
    _db.session.expire_all()
    assert not _db.session.get(User, world.candidate.id).has_role("assessor")


def test_a_body_that_is_not_json_is_a_bad_request(client, world):
    resp = client.post("/api/v1/assessors", data="nope", headers=auth(world.admin_batam))
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_request"


# -- changing ---------------------------------------------------------------------------------
def test_an_admin_changes_licence_schemes_load_and_deactivates(client, world):
    a = world.same_dinas_assessor
    change = {
        "licence_number": "NEW-2",
        "licence_expires": _future(800),
        "schemes": ["PNY"],
        "max_load": 9,
        "active": False,
    }
    resp = client.patch(f"/api/v1/assessors/{a.id}", json=change, headers=auth(world.admin_batam))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["licence_number"] == "NEW-2" and body["schemes"] == ["PNY"] and body["max_load"] == 9
    assert body["active"] is False and body["licence_expires"] == change["licence_expires"]
    _db.session.expire_all()
    assert _db.session.get(Assessor, a.id).active is False
    got = client.get(f"/api/v1/assessors/{a.id}", headers=auth(world.admin_kepri)).get_json()
    assert got["schemes"] == ["PNY"]


@pytest.mark.parametrize("who", ["admin_batam", "admin_riau"])
def test_an_assessor_of_another_scope_is_not_found(client, world, who):
    headers = auth(getattr(world, who))
    resp = client.patch(f"/api/v1/assessors/{world.lead.id}", json={"max_load": 9}, headers=headers)
    assert resp.status_code == 404
    assert client.patch(f"/api/v1/assessors/{world.lead.id}", data="x", headers=headers).status_code == 404
    assert client.get(f"/api/v1/assessors/{world.lead.id}", headers=headers).status_code == 404
    _db.session.expire_all()
    assert _db.session.get(Assessor, world.lead.id).max_load == 3


@pytest.mark.parametrize(
    "field, value",
    [("max_load", 0), ("schemes", ["X"]), ("licence_expires", "2030-02-30"), ("active", "no"), ("dinas", 999999)],
)
def test_bad_changes_are_refused_and_nothing_changes(client, world, field, value):
    a = world.same_dinas_assessor
    resp = client.patch(
        f"/api/v1/assessors/{a.id}", json={"max_load": 7, field: value}, headers=auth(world.admin_batam)
    )
    assert resp.status_code == (404 if field == "dinas" else 422)
    _db.session.expire_all()
    assert _db.session.get(Assessor, a.id).max_load == 3
