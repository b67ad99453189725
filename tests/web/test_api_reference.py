"""GET /api/v1/schemes and /api/v1/dinas: reference data, scoped dinas."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from certflow.extensions import db as _db
from certflow.security import issue_token
from tests.factories import make_scheme


def auth(user) -> dict:
    """Bearer headers for ``user`` (a real token, issued as POST /auth/tokens does)."""
    token, _ = issue_token(user)
    _db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def count_queries():
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", before)


ALL_USERS = ("candidate", "admin_batam", "admin_kepri", "admin_riau", "certifier", "sysadmin")


@pytest.mark.parametrize("who", ALL_USERS + ("assessor",))
def test_every_user_sees_the_active_schemes_with_their_standards(client, world, who):
    user = world.lead.user if who == "assessor" else getattr(world, who)
    world.extra["old"] = make_scheme("OLD", active=False)
    _db.session.commit()
    resp = client.get("/api/v1/schemes", headers=auth(user))
    assert resp.status_code == 200
    body = resp.get_json()
    assert [s["code"] for s in body] == ["PNY", "PSG"]
    psg = body[1]
    assert psg["name"] == "Pekerja Sosial Generalis"
    assert psg["level"] == "Generalis"
    assert psg["validity_years"] == 5 and psg["min_team_size"] == 2 and psg["max_load"] == 3
    assert psg["min_practice_hours"] == 1344
    assert psg["accepted_education"] == ["peksos", "kesos"]
    assert psg["required_documents"] == ["diploma", "work_letter"]
    assert [u["code"] for u in psg["units"]] == ["PSG.U1", "PSG.U2"]
    element = psg["units"][0]["elements"][1]
    assert element == {
        "code": "PSG.U1.E2",
        "title": "Element 1.2",
        "criteria": [
            {"code": "PSG.U1.E2.K1", "text": "Criterion 1.2.1"},
            {"code": "PSG.U1.E2.K2", "text": "Criterion 1.2.2"},
        ],
    }


def test_schemes_need_a_token(client, world):
    assert client.get("/api/v1/schemes").status_code == 401
    assert client.get("/api/v1/dinas").status_code == 401


def test_schemes_take_a_constant_number_of_queries(client, world):
    headers = auth(world.candidate)
    with count_queries() as small:
        assert client.get("/api/v1/schemes", headers=headers).status_code == 200
    for n in range(3):
        make_scheme(f"X{n}", units=4, elements=3, criteria=3)
    _db.session.commit()
    with count_queries() as large:
        body = client.get("/api/v1/schemes", headers=headers).get_json()
    assert len(body) == 5 and len(body[-1]["units"][3]["elements"][2]["criteria"]) == 3
    assert len(large) == len(small) <= 6


def _names(resp):
    assert resp.status_code == 200
    return [d["name"] for d in resp.get_json()]


def test_a_kota_admin_sees_only_its_own_dinas(client, world):
    assert _names(client.get("/api/v1/dinas", headers=auth(world.admin_batam))) == ["Dinas Sosial Kota Batam"]


def test_a_province_admin_sees_the_whole_province(client, world):
    body = client.get("/api/v1/dinas", headers=auth(world.admin_kepri)).get_json()
    assert [d["name"] for d in body] == [
        "Dinas Sosial Provinsi Kepulauan Riau",
        "Dinas Sosial Kabupaten Bintan",
        "Dinas Sosial Kota Batam",
    ]
    assert body[2] == {
        "id": world.batam.id,
        "name": "Dinas Sosial Kota Batam",
        "kind": "kota",
        "province": {"id": world.kepri.id, "code": "21", "name": "Kepulauan Riau"},
    }
    riau = _names(client.get("/api/v1/dinas", headers=auth(world.admin_riau)))
    assert riau == ["Dinas Sosial Provinsi Riau", "Dinas Sosial Kota Pekanbaru"]


@pytest.mark.parametrize("who", ["candidate", "certifier", "sysadmin", "assessor"])
def test_everyone_else_sees_every_dinas(client, world, who):
    user = world.lead.user if who == "assessor" else getattr(world, who)
    assert len(_names(client.get("/api/v1/dinas", headers=auth(user)))) == 5


def test_dinas_filtered_by_province_id_or_name(client, world):
    headers = auth(world.candidate)
    by_id = _names(client.get(f"/api/v1/dinas?province={world.riau.id}", headers=headers))
    assert by_id == ["Dinas Sosial Provinsi Riau", "Dinas Sosial Kota Pekanbaru"]
    assert len(_names(client.get("/api/v1/dinas?province=Kepulauan Riau", headers=headers))) == 3
    assert _names(client.get("/api/v1/dinas?province=Atlantis", headers=headers)) == []
    # a province filter never widens a dinas admin's scope
    assert _names(client.get(f"/api/v1/dinas?province={world.riau.id}", headers=auth(world.admin_batam))) == []


def test_api_messages_are_in_indonesian_by_default_and_english_on_request(client):
    """An API client that names no language gets Bahasa Indonesia; Accept-Language: en gets English."""
    body = {"email": "nobody@example.id", "password": "wrong-password"}
    default = client.post("/api/v1/auth/tokens", json=body, headers={"Accept-Language": ""})
    english = client.post("/api/v1/auth/tokens", json=body, headers={"Accept-Language": "en"})
    assert default.status_code == english.status_code == 401
    assert english.get_json()["error"]["message"] == "Wrong e-mail or password."
    assert default.get_json()["error"]["message"] != english.get_json()["error"]["message"]
    assert "sandi" in default.get_json()["error"]["message"]  # kata sandi
