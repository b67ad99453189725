"""API: the APL-01 form and the APL-02 self-assessment."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.models import Application, SelfAssessmentAnswer
from tests.web.test_api_applications_support import Api, criteria_codes, error_code


@pytest.fixture()
def api(client):
    return Api(client)


@pytest.fixture()
def draft(api, world):
    """A fresh draft of the candidate, opened through the API (no answers, no documents)."""
    return api.as_(world.candidate).post("/applications", json={"scheme": "PSG"}).get_json()


# -- PUT /applications/<id>/apl01 ---------------------------------------------------------------


def test_owner_saves_the_form_and_the_version_moves(api, world, draft, db):
    form = {
        "education_field": "kesos",
        "education_level": "S1",
        "practice_hours": 1500,
        "workplace": "  Dinas Sosial Kota Batam ",
        "position": "Pekerja Sosial Ahli Pertama",
        "employee_id": "198701012010011001",
        "phone": "+62 812-3456-7890",
        "address": "Jl. Engku Putri No. 1, Batam",
    }
    r = api.as_(world.candidate).put(f"/applications/{draft['id']}/apl01", json=form)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["apl01"] == {**form, "workplace": "Dinas Sosial Kota Batam"}
    assert body["version"] == draft["version"] + 1
    assert db.session.get(Application, draft["id"]).apl01["practice_hours"] == 1500


def test_fields_not_sent_are_kept_and_null_clears_one(api, world, draft):
    me = api.as_(world.candidate)
    me.put(f"/applications/{draft['id']}/apl01", json={"workplace": "Batam"})
    body = me.put(f"/applications/{draft['id']}/apl01", json={"practice_hours": None}).get_json()
    assert body["apl01"] == {"education_field": "peksos", "education_level": "D4", "workplace": "Batam"}


@pytest.mark.parametrize(
    "form, bad",
    [
        ({"education_field": "law"}, ["education_field"]),
        ({"education_level": "D2"}, ["education_level"]),
        ({"practice_hours": -1}, ["practice_hours"]),
        ({"practice_hours": 100001}, ["practice_hours"]),
        ({"practice_hours": "2000"}, ["practice_hours"]),
        ({"practice_hours": 12.5}, ["practice_hours"]),
        ({"practice_hours": True}, ["practice_hours"]),
        ({"workplace": "x" * 201}, ["workplace"]),
        ({"address": ["street"]}, ["address"]),
        ({"phone": "call me maybe"}, ["phone"]),
        ({"favourite_colour": "blue"}, ["favourite_colour"]),
        ({"education_field": "law", "practice_hours": -5, "employee_id": "9" * 40}, None),
    ],
)
def test_bad_form_values_are_422_naming_each_field_and_nothing_is_saved(api, world, draft, db, form, bad):
    r = api.as_(world.candidate).put(f"/applications/{draft['id']}/apl01", json={"workplace": "Kept?", **form})
    assert r.status_code == 422 and error_code(r) == "validation_error"
    error = r.get_json()["error"]
    expected = bad or sorted(form)
    assert sorted(error["fields"]) == sorted(expected)
    for field in expected:
        assert field in error["message"]
    db.session.expire_all()
    assert "workplace" not in db.session.get(Application, draft["id"]).apl01


def test_form_body_must_be_an_object(api, world, draft):
    r = api.as_(world.candidate).put(f"/applications/{draft['id']}/apl01", json=[1, 2])
    assert r.status_code == 400 and error_code(r) == "bad_request"


@pytest.mark.parametrize("who, status", [("admin_batam", 403), ("sysadmin", 403), ("other_candidate", 404)])
def test_only_the_owner_edits_the_form(api, world, draft, who, status):
    r = api.as_(getattr(world, who)).put(f"/applications/{draft['id']}/apl01", json={"practice_hours": 1})
    assert r.status_code == status


def test_certifier_does_not_find_a_submitted_form_and_may_not_edit_one_it_sees(api, world):
    app = world.advance(world.new_application(), "submitted")
    assert api.as_(world.certifier).put(f"/applications/{app.id}/apl01", json={}).status_code == 404  # rule 8
    assessed = world.advance(world.new_application(), "assessed")
    assert api.as_(world.certifier).put(f"/applications/{assessed.id}/apl01", json={}).status_code == 403


def test_the_form_is_editable_in_revision_requested(api, world):
    app = world.advance(world.new_application(), "submitted")
    world.fire(app, "request_revision", world.admin_batam, reason="Hours unclear", data={"deadline": "2999-01-01"})
    r = api.as_(world.candidate).put(f"/applications/{app.id}/apl01", json={"practice_hours": 2500})
    assert r.status_code == 200 and r.get_json()["apl01"]["practice_hours"] == 2500


@pytest.mark.parametrize("state", ["submitted", "eligible", "certified"])
def test_the_form_is_frozen_after_submission(api, world, state):
    app = world.advance(world.new_application(), state)
    r = api.as_(world.candidate).put(f"/applications/{app.id}/apl01", json={"practice_hours": 1})
    assert r.status_code == 409 and error_code(r) == "not_editable"
    assert state in r.get_json()["error"]["message"]


# -- PUT /applications/<id>/self-assessment --------------------------------------------------------


def test_self_assessment_saves_part_way_then_updates(api, world, draft, db):
    codes = criteria_codes(world.scheme)
    me = api.as_(world.candidate)
    path = f"/applications/{draft['id']}/self-assessment"
    first = [{"criterion": c, "claim": "K", "evidence": "Case notes 2023"} for c in codes[:3]]
    r = me.put(path, json={"answers": first})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["answered"] == 3 and body["unanswered"] == len(codes) - 3 and body["total"] == len(codes)
    assert body["answers"][0] == {"criterion": codes[0], "claim": "K", "evidence": "Case notes 2023"}
    assert body["version"] == draft["version"] + 1

    r = me.put(
        path,
        json={
            "answers": [{"criterion": codes[0], "claim": "BK"}]
            + [{"criterion": c, "claim": "K", "evidence": ""} for c in codes[3:]]
        },
    )
    body = r.get_json()
    assert body["unanswered"] == 0
    assert body["answers"][0] == {"criterion": codes[0], "claim": "BK", "evidence": ""}
    n = db.session.scalar(
        select(func.count(SelfAssessmentAnswer.id)).where(SelfAssessmentAnswer.application_id == draft["id"])
    )
    assert n == len(codes)
    assert me.get(path).get_json()["answered"] == len(codes)


@pytest.mark.parametrize(
    "answers, needle",
    [
        ([{"criterion": "PNY.U1.E1.K1", "claim": "K"}], "PNY.U1.E1.K1"),
        ([{"criterion": "PSG.U9.E9.K9", "claim": "K"}], "PSG.U9.E9.K9"),
        ([{"criterion": "PSG.U1.E1.K1", "claim": "maybe"}], "claim"),
        ([{"criterion": "PSG.U1.E1.K1", "claim": "K", "evidence": "x" * 2001}], "evidence"),
        ([{"criterion": "PSG.U1.E1.K1", "claim": "K", "score": 3}], "score"),
        ([{"claim": "K"}], "criterion"),
        ([{"criterion": "PSG.U1.E1.K1", "claim": "K"}, {"criterion": "PSG.U1.E1.K1", "claim": "BK"}], "twice"),
        (["PSG.U1.E1.K1"], "answers[1]: must be an object"),
        ([], "answers"),
        ("all K", "answers"),
        ([{"criterion": f"PSG.X{n}", "claim": "K"} for n in range(2000)], "at most 2000"),
    ],
)
def test_bad_answers_are_422_and_nothing_is_saved(api, world, draft, db, answers, needle):
    good = {"criterion": "PSG.U2.E2.K2", "claim": "K"}
    r = api.as_(world.candidate).put(
        f"/applications/{draft['id']}/self-assessment",
        json={"answers": [good, *answers] if isinstance(answers, list) and answers else answers},
    )
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert needle in r.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(SelfAssessmentAnswer.id))) == 0


def test_self_assessment_unknown_top_level_field_is_422(api, world, draft):
    r = api.as_(world.candidate).put(f"/applications/{draft['id']}/self-assessment", json={"answer": []})
    assert r.status_code == 422 and "answer" in r.get_json()["error"]["fields"]


@pytest.mark.parametrize("who, status", [("admin_kepri", 403), ("sysadmin", 403), ("admin_riau", 404)])
def test_only_the_owner_self_assesses(api, world, draft, who, status):
    r = api.as_(getattr(world, who)).put(
        f"/applications/{draft['id']}/self-assessment", json={"answers": [{"criterion": "PSG.U1.E1.K1", "claim": "K"}]}
    )
    assert r.status_code == status


def test_self_assessment_is_frozen_after_submission(api, world):
    app = world.advance(world.new_application(), "submitted")
    r = api.as_(world.candidate).put(
        f"/applications/{app.id}/self-assessment", json={"answers": [{"criterion": "PSG.U1.E1.K1", "claim": "BK"}]}
    )
    assert r.status_code == 409 and error_code(r) == "not_editable"


def test_those_who_see_the_application_read_the_self_assessment(api, world):
    app = world.advance(world.new_application(), "submitted")
    assert api.as_(world.admin_batam).get(f"/applications/{app.id}/self-assessment").get_json()["unanswered"] == 0
    assert api.as_(world.admin_riau).get(f"/applications/{app.id}/self-assessment").status_code == 404
