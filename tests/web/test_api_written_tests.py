"""API: written tests — drawn by the lead, taken by the candidate, never a key, frozen on submit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import WrittenTest
from tests.instruments_support import MC_KEY, make_bank
from tests.web.test_api_applications_support import Api, error_code


@pytest.fixture()
def api(client):
    return Api(client)


@pytest.fixture()
def running(world):
    make_bank(world.scheme)
    return world.advance(world.new_application(), "in_assessment")


def _draw(api, world, app):
    r = api.as_(world.lead.user).post(f"/applications/{app.id}/tests")
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _no_key(body) -> None:
    text = str(body)
    assert "answer_key" not in text and "'key'" not in text


def test_the_lead_draws_a_test_without_keys(api, world, running):
    body = _draw(api, world, running)
    # 2 units × (2 multiple choice + 1 essay); oral questions are not part of a written test
    assert [q["kind"] for q in body["questions"]].count("multiple_choice") == 4
    assert [q["kind"] for q in body["questions"]].count("essay") == 2
    assert all(len(q["choices"]) == 4 for q in body["questions"] if q["kind"] == "multiple_choice")
    _no_key(body)
    assert body["open"] is True and body["result"] is None


@pytest.mark.parametrize("who", ["member", "candidate", "admin_batam", "certifier", "sysadmin"])
def test_only_the_lead_may_draw(api, world, running, who):
    user = getattr(world, who)
    user = getattr(user, "user", user)
    r = api.as_(user).post(f"/applications/{running.id}/tests")
    assert r.status_code in (403, 404) and error_code(r) in ("forbidden", "not_found")
    if who == "admin_batam":
        assert r.status_code == 403


def test_drawing_is_refused_outside_the_assessment_and_twice_and_without_a_bank(api, world):
    app = world.advance(world.new_application(), "team_assigned")
    make_bank(world.scheme)
    r = api.as_(world.lead.user).post(f"/applications/{app.id}/tests")
    assert r.status_code == 409
    world.declare(app)
    world.fire(app, "start_assessment", world.lead.user)
    _draw(api, world, app)
    assert api.as_(world.lead.user).post(f"/applications/{app.id}/tests").status_code == 409
    assert api.as_(world.lead.user).post("/applications/99999999/tests").status_code == 404


def test_no_bank_is_a_422(api, world):
    app = world.advance(world.new_application(), "in_assessment")
    r = api.as_(world.lead.user).post(f"/applications/{app.id}/tests")
    assert r.status_code == 422


def test_the_candidate_answers_submits_and_can_change_nothing_after(api, world, running, db):
    test = _draw(api, world, running)
    me = api.as_(world.candidate)
    mc = [q for q in test["questions"] if q["kind"] == "multiple_choice"]
    essay = next(q for q in test["questions"] if q["kind"] == "essay")
    answers = [{"question": mc[0]["id"], "choice": MC_KEY}, {"question": mc[1]["id"], "choice": 0}]
    r = me.put(f"/tests/{test['id']}/answers", json={"answers": answers})
    assert r.status_code == 200, r.get_json()
    r = me.put(f"/tests/{test['id']}/answers", json={"answers": [{"question": essay["id"], "text": "My essay"}]})
    saved = {a["question"]: a for a in r.get_json()["answers"]}
    assert saved[mc[0]["id"]]["choice"] == MC_KEY and saved[essay["id"]]["text"] == "My essay"
    assert all("correct" not in a or a["correct"] is None for a in r.get_json()["answers"])
    r = me.post(f"/tests/{test['id']}/submit")
    assert r.status_code == 200
    body = r.get_json()
    _no_key(body)
    assert body["open"] is False and body["result"] is None  # the candidate sees no score
    assert all(a.get("correct") is None for a in body["answers"])
    r = me.put(f"/tests/{test['id']}/answers", json={"answers": [{"question": mc[1]["id"], "choice": MC_KEY}]})
    assert r.status_code == 409 and error_code(r) == "not_editable"
    assert me.post(f"/tests/{test['id']}/submit").status_code == 409
    # the team sees the result: one of four right, the essay to score
    team = api.as_(world.member.user).get(f"/tests/{test['id']}").get_json()
    _no_key(team)
    assert team["result"] == {"correct": 1, "total": 4, "essays": 2, "essays_k": 0, "essays_scored": 0}
    r = api.as_(world.member.user).put(
        f"/tests/{test['id']}/essay-scores", json={"scores": [{"question": essay["id"], "result": "K"}]}
    )
    assert r.status_code == 200 and r.get_json()["result"]["essays_k"] == 1
    r = me.put(f"/tests/{test['id']}/essay-scores", json={"scores": [{"question": essay["id"], "result": "K"}]})
    assert r.status_code == 403


def test_bad_answers_are_named_and_nothing_saved(api, world, running):
    test = _draw(api, world, running)
    me = api.as_(world.candidate)
    mc = next(q for q in test["questions"] if q["kind"] == "multiple_choice")
    r = me.put(
        f"/tests/{test['id']}/answers",
        json={"answers": [{"question": mc["id"], "choice": 1}, {"question": 99999999, "choice": 0}]},
    )
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["answers[1].question"]
    r = me.put(f"/tests/{test['id']}/answers", json={"answers": [{"question": mc["id"], "choice": 5}]})
    assert r.status_code == 422
    r = me.put(f"/tests/{test['id']}/answers", json={"answers": [{"question": mc["id"], "choice": "1"}]})
    assert r.status_code == 422
    assert all(a["choice"] is None for a in me.get(f"/tests/{test['id']}").get_json()["answers"])
    assert api.as_(world.lead.user).put(f"/tests/{test['id']}/answers", json={"answers": []}).status_code == 403


@pytest.mark.parametrize("who", ["admin_batam"])
def test_who_sees_the_application_but_not_the_test_is_refused(api, world, running, who):
    test = _draw(api, world, running)
    assert api.as_(getattr(world, who)).get(f"/tests/{test['id']}").status_code == 403


# a certifier does not see an application being assessed at all (rule 8)
@pytest.mark.parametrize("who", ["other_candidate", "admin_riau", "certifier"])
def test_a_test_of_someone_else_is_not_found(api, world, running, who):
    test = _draw(api, world, running)
    assert api.as_(getattr(world, who)).get(f"/tests/{test['id']}").status_code == 404
    assert api.as_(getattr(world, who)).get("/tests/99999999").status_code == 404


def test_past_the_deadline_answers_are_frozen_and_the_job_submits(api, world, running, db):
    from certflow.jobs import run_job

    test = _draw(api, world, running)
    row = db.session.get(WrittenTest, test["id"])
    row.deadline = clock.now() - timedelta(minutes=1)
    db.session.commit()
    me = api.as_(world.candidate)
    mc = next(q for q in test["questions"] if q["kind"] == "multiple_choice")
    r = me.put(f"/tests/{test['id']}/answers", json={"answers": [{"question": mc["id"], "choice": 1}]})
    assert r.status_code == 409
    assert run_job("submit_expired_written_tests") == {"done": 1}
    db.session.expire_all()
    row = db.session.scalar(select(WrittenTest))
    assert row.submitted_at is not None and row.mc_correct == 0
    assert run_job("submit_expired_written_tests") == {"done": 0}
