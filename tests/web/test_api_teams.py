"""POST/GET /api/v1/teams and PATCH /api/v1/teams/<id>: forming teams, by role and scope, with their rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certflow import clock
from certflow.extensions import db as _db
from certflow.models import Team
from tests.factories import make_assessor, make_team
from tests.web.test_api_reference import auth, count_queries


def _user(world, who):
    return world.lead.user if who == "assessor" else getattr(world, who)


def _create(client, admin, **body):
    return client.post("/api/v1/teams", json=body, headers=auth(admin))


def _batam_pair(world):
    second = make_assessor(world.batam, [world.scheme], name="Second Batam")
    _db.session.commit()
    return world.same_dinas_assessor, second


def _error(resp, status=422):
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()["error"]


# -- roles ------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["candidate", "assessor", "certifier"])
def test_other_roles_may_not_use_teams(client, world, who):
    headers = auth(_user(world, who))
    assert client.get("/api/v1/teams", headers=headers).status_code == 403
    body = {"dinas": world.dinas_kepri.id, "scheme": "PSG", "name": "T", "lead": world.lead.id, "members": []}
    assert client.post("/api/v1/teams", json=body, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/teams/{world.team.id}", json={"name": "X"}, headers=headers).status_code == 403
    assert client.get(f"/api/v1/teams/{world.team.id}", headers=headers).status_code == 403


# -- forming ----------------------------------------------------------------------------------
def test_a_province_admin_forms_a_team_the_lead_being_a_member(client, world):
    resp = _create(
        client,
        world.admin_kepri,
        dinas=world.batam.id,
        scheme="PNY",
        name="Tim Batam PNY",
        lead=world.member.id,
        members=[world.lead.id],
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["dinas"] == {"id": world.batam.id, "name": "Dinas Sosial Kota Batam"}
    assert body["scheme"] == "PNY" and body["name"] == "Tim Batam PNY" and body["active"] is True
    assert body["lead"] == {"id": world.member.id, "name": "Member Assessor"}
    assert [m["id"] for m in body["members"]] == [world.member.id, world.lead.id]
    assert body["open_assessments"] == 0
    team = _db.session.get(Team, body["id"])
    assert team.member_ids == {world.lead.id, world.member.id} and team.lead_id == world.member.id


def test_a_kota_admin_forms_a_team_of_its_own_assessors(client, world):
    first, second = _batam_pair(world)
    resp = _create(
        client,
        world.admin_batam,
        dinas=world.batam.id,
        scheme="PSG",
        name="Tim Batam",
        lead=first.id,
        members=[second.id],
    )
    assert resp.status_code == 201, resp.get_json()


def test_a_kota_admin_may_not_take_assessors_of_another_dinas(client, world):
    first, _ = _batam_pair(world)
    resp = _create(
        client, world.admin_batam, dinas=world.batam.id, scheme="PSG", name="T", lead=first.id, members=[world.lead.id]
    )
    error = _error(resp)
    assert error["rule"] == "member_in_scope" and error["assessor"] == world.lead.id
    assert "Lead Assessor" not in error["message"]  # nothing told of an assessor outside the scope


@pytest.mark.parametrize("who", ["admin_batam", "admin_riau"])
def test_a_dinas_outside_the_scope_is_not_found(client, world, who):
    resp = _create(
        client, getattr(world, who), dinas=world.bintan.id, scheme="PSG", name="T", lead=world.lead.id, members=[]
    )
    assert _error(resp, 404)["code"] == "not_found"
    assert _db.session.query(Team).count() == 1


def test_a_system_admin_forms_teams_within_one_province(client, world):
    ok = _create(
        client,
        world.sysadmin,
        dinas=world.batam.id,
        scheme="PSG",
        name="T",
        lead=world.lead.id,
        members=[world.member.id],
    )
    assert ok.status_code == 201
    riau = make_assessor(world.pekanbaru, [world.scheme], name="Riau Assessor")
    _db.session.commit()
    resp = _create(
        client, world.sysadmin, dinas=world.batam.id, scheme="PSG", name="T2", lead=world.lead.id, members=[riau.id]
    )
    assert _error(resp)["rule"] == "member_in_scope"


def test_a_team_must_be_big_enough(client, world):
    resp = _create(client, world.admin_kepri, dinas=world.bintan.id, scheme="PSG", name="T", lead=world.lead.id)
    error = _error(resp)
    assert error["rule"] == "team_big_enough" and "at least 2" in error["message"]


def test_every_licence_must_be_valid_today(client, world):
    world.member.licence_expires = clock.today() - timedelta(days=1)
    _db.session.commit()
    resp = _create(
        client,
        world.admin_kepri,
        dinas=world.bintan.id,
        scheme="PSG",
        name="T",
        lead=world.lead.id,
        members=[world.member.id],
    )
    error = _error(resp)
    assert error["rule"] == "licences_valid" and error["assessor"] == world.member.id
    assert "Member Assessor" in error["message"]  # the message is in the caller's language


def test_every_licence_must_cover_the_scheme(client, world):
    resp = _create(
        client,
        world.admin_kepri,
        dinas=world.batam.id,
        scheme="PNY",
        name="T",
        lead=world.lead.id,
        members=[world.same_dinas_assessor.id],
    )
    error = _error(resp)
    assert error["rule"] == "licences_valid" and "Batam Assessor" in error["message"] and "PNY" in error["message"]


def test_every_member_must_be_active(client, world):
    world.member.active = False
    _db.session.commit()
    resp = _create(
        client,
        world.admin_kepri,
        dinas=world.bintan.id,
        scheme="PSG",
        name="T",
        lead=world.lead.id,
        members=[world.member.id],
    )
    error = _error(resp)
    assert error["rule"] == "licences_valid" and "Member Assessor" in error["message"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("dinas", "kepri"),
        ("dinas", None),
        ("scheme", "NOPE"),
        ("scheme", None),
        ("name", ""),
        ("lead", None),
        ("members", "1,2"),
        ("members", ["x"]),
    ],
)
def test_bad_values_are_refused_naming_the_field(client, world, field, value):
    body = dict(dinas=world.bintan.id, scheme="PSG", name="T", lead=world.lead.id, members=[world.member.id])
    body[field] = value
    error = _error(_create(client, world.admin_kepri, **body))
    assert error["code"] == "validation_error" and error["fields"] == [field] and field in error["message"]
    assert _db.session.query(Team).count() == 1


def test_a_body_that_is_not_json_is_a_bad_request(client, world):
    resp = client.post("/api/v1/teams", data="[]", content_type="application/json", headers=auth(world.admin_kepri))
    assert _error(resp, 400)["code"] == "bad_request"


# -- listing ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who, expected",
    [("admin_kepri", ["Tim Kepri 1"]), ("admin_batam", []), ("admin_riau", []), ("sysadmin", ["Tim Kepri 1"])],
)
def test_admins_list_the_teams_of_their_scope(client, world, who, expected):
    resp = client.get("/api/v1/teams", headers=auth(getattr(world, who)))
    assert resp.status_code == 200
    assert [t["name"] for t in resp.get_json()] == expected


def test_a_team_of_another_scope_is_not_found(client, world):
    for who in ("admin_batam", "admin_riau"):
        headers = auth(getattr(world, who))
        assert client.get(f"/api/v1/teams/{world.team.id}", headers=headers).status_code == 404
        resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"active": False}, headers=headers)
        assert _error(resp, 404)["code"] == "not_found"
    assert _db.session.get(Team, world.team.id).active is True


def test_teams_show_open_assessments_and_filter(client, world):
    app = world.new_application()
    world.advance(app, "in_assessment")
    headers = auth(world.admin_kepri)
    [team] = client.get(f"/api/v1/teams?dinas={world.dinas_kepri.id}&scheme=PSG", headers=headers).get_json()
    assert team["open_assessments"] == 1 and team["lead"]["id"] == world.lead.id
    assert [m["name"] for m in team["members"]] == ["Lead Assessor", "Member Assessor"]
    assert client.get("/api/v1/teams?scheme=PNY", headers=headers).get_json() == []
    assert client.get(f"/api/v1/teams?dinas={world.batam.id}", headers=headers).get_json() == []
    assert _error(client.get("/api/v1/teams?dinas=x", headers=headers))["fields"] == ["dinas"]


def test_the_list_takes_a_constant_number_of_queries(client, world):
    headers = auth(world.sysadmin)
    with count_queries() as small:
        assert len(client.get("/api/v1/teams", headers=headers).get_json()) == 1
    for n in range(10):
        lead = make_assessor(world.bintan, [world.scheme], name=f"L{n}")
        make_team(world.bintan, world.scheme, lead, [world.member], name=f"T{n}")
    _db.session.commit()
    with count_queries() as large:
        assert len(client.get("/api/v1/teams", headers=headers).get_json()) == 11
    assert len(large) == len(small)


# -- changing and disbanding -----------------------------------------------------------------
def test_an_admin_renames_and_recomposes_a_team(client, world):
    headers = auth(world.admin_kepri)
    change = {"name": "Tim Kepri Baru", "lead": world.member.id, "members": [world.same_dinas_assessor.id]}
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json=change, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "Tim Kepri Baru" and body["lead"]["id"] == world.member.id
    assert {m["id"] for m in body["members"]} == {world.member.id, world.same_dinas_assessor.id}
    _db.session.expire_all()
    assert _db.session.get(Team, world.team.id).member_ids == {world.member.id, world.same_dinas_assessor.id}


def test_a_recomposed_team_meets_the_same_rules(client, world):
    headers = auth(world.admin_kepri)
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"name": "X", "members": []}, headers=headers)
    assert _error(resp)["rule"] == "team_big_enough"
    world.member.licence_expires = clock.today() - timedelta(days=3)
    _db.session.commit()
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"lead": world.member.id}, headers=headers)
    assert _error(resp)["rule"] == "licences_valid"
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"scheme": "PNY"}, headers=headers)
    assert _error(resp)["fields"] == ["scheme"]
    _db.session.expire_all()
    team = _db.session.get(Team, world.team.id)
    assert team.name == "Tim Kepri 1" and team.lead_id == world.lead.id and len(team.member_ids) == 2


def test_a_team_with_open_assessments_cannot_be_disbanded_or_recomposed(client, world):
    app = world.new_application()
    world.advance(app, "team_assigned")
    headers = auth(world.admin_kepri)
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"active": False}, headers=headers)
    assert _error(resp, 409)["code"] == "team_busy"
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"lead": world.member.id}, headers=headers)
    assert _error(resp, 409)["code"] == "team_busy"
    assert client.patch(f"/api/v1/teams/{world.team.id}", json={"name": "Renamed"}, headers=headers).status_code == 200
    world.fire(app, "withdraw", world.candidate)  # the assessment is no longer open
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"active": False}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    _db.session.expire_all()
    assert _db.session.get(Team, world.team.id).active is False


def test_a_disbanded_team_is_checked_again_when_reactivated(client, world):
    headers = auth(world.admin_kepri)
    assert client.patch(f"/api/v1/teams/{world.team.id}", json={"active": False}, headers=headers).status_code == 200
    world.lead.licence_expires = clock.today() - timedelta(days=1)
    _db.session.commit()
    resp = client.patch(f"/api/v1/teams/{world.team.id}", json={"active": True}, headers=headers)
    assert _error(resp)["rule"] == "licences_valid"
    assert _error(client.patch(f"/api/v1/teams/{world.team.id}", json={"active": 0}, headers=headers))["fields"] == [
        "active"
    ]
