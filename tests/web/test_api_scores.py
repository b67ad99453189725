"""API: conflict declarations and scores by the assigned team (and who may see them)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.models import Application, ConflictDeclaration, Score
from tests.web.test_api_applications_support import Api, criteria_codes, error_code


@pytest.fixture()
def api(client):
    return Api(client)


def _declare(caller, app_id, **body):
    return caller.post(f"/applications/{app_id}/conflict-declaration", json=body)


# -- conflict declarations ------------------------------------------------------------------------


@pytest.fixture()
def assigned(world):
    return world.advance(world.new_application(), "team_assigned")


@pytest.mark.parametrize("who", ["lead", "member"])
def test_each_member_declares_and_may_change_their_declaration(api, world, db, assigned, who):
    assessor = getattr(world, who)
    me = api.as_(assessor.user)
    r = _declare(me, assigned.id, conflict=True, note="She is my cousin")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["conflict"] is True and r.get_json()["assessor"] == assessor.id
    r = _declare(me, assigned.id, conflict=False, note="")
    assert r.get_json()["conflict"] is False
    rows = db.session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.application_id == assigned.id))
    assert [(row.assessor_id, row.conflict) for row in rows] == [(assessor.id, False)]
    team = me.get(f"/applications/{assigned.id}").get_json()["team"]
    assert {m["id"]: m["conflict_declared"] for m in team["members"]}[assessor.id] is False


def test_start_needs_every_member_to_declare_no_conflict(api, world, assigned):
    lead, member = api.as_(world.lead.user), api.as_(world.member.user)
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "conflicts_declared"
    _declare(lead, assigned.id, conflict=False)
    _declare(member, assigned.id, conflict=True, note="Former colleague")
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 422 and "Member Assessor" in r.get_json()["error"]["message"]
    _declare(member, assigned.id, conflict=False)
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "agreement_signed"
    world.agree(assigned)
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 200 and r.get_json()["state"] == "in_assessment"


@pytest.mark.parametrize(
    "who, status",
    [
        ("candidate", 403),
        ("admin_batam", 403),
        ("admin_kepri", 403),
        ("certifier", 404),  # not yet at a decision point (rule 8)
        ("sysadmin", 403),
        ("admin_riau", 404),
        ("other_candidate", 404),
    ],
)
def test_only_team_members_declare(api, world, assigned, who, status):
    r = _declare(api.as_(getattr(world, who)), assigned.id, conflict=False)
    assert r.status_code == status


def test_an_assessor_off_the_team_does_not_see_it(api, world, assigned):
    assert _declare(api.as_(world.same_dinas_assessor.user), assigned.id, conflict=False).status_code == 404


def test_declarations_only_while_team_assigned(api, world):
    app = world.advance(world.new_application(), "in_assessment")
    r = _declare(api.as_(world.member.user), app.id, conflict=False)
    assert r.status_code == 409 and error_code(r) == "not_editable"


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "conflict"),
        ({"conflict": "no"}, "conflict"),
        ({"conflict": 0}, "conflict"),
        ({"conflict": True}, "note"),
        ({"conflict": True, "note": "   "}, "note"),
        ({"conflict": False, "note": "x" * 2001}, "note"),
        ({"conflict": False, "relation": "none"}, "relation"),
    ],
)
def test_bad_declarations_are_422(api, world, db, assigned, body, field):
    r = _declare(api.as_(world.lead.user), assigned.id, **body)
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(ConflictDeclaration.id))) == 0


def test_declaration_body_must_be_an_object(api, world, assigned):
    r = api.as_(world.lead.user).post(f"/applications/{assigned.id}/conflict-declaration", json=[False])
    assert r.status_code == 400


# -- scores --------------------------------------------------------------------------------------


@pytest.fixture()
def assessing(world):
    return world.advance(world.new_application(), "in_assessment")


def _scores(codes, result="K", **extra):
    return {"scores": [{"criterion": c, "result": result, "evidence": "Observed home visit", **extra} for c in codes]}


def test_members_record_their_own_scores_and_update_them(api, world, db, assessing):
    codes = criteria_codes(world.scheme)
    member = api.as_(world.member.user)
    r = member.put(f"/applications/{assessing.id}/scores", json=_scores(codes[:2], method="observation"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert len(body["items"]) == 1
    group = body["items"][0]
    assert group["assessor"] == {"id": world.member.id, "name": "Member Assessor"} and group["lead"] is False
    assert [(s["criterion"], s["result"], s["method"]) for s in group["scores"]] == [
        (codes[0], "K", "observation"),
        (codes[1], "K", "observation"),
    ]
    r = member.put(f"/applications/{assessing.id}/scores", json=_scores(codes[:1], result="BK"))
    assert [s["result"] for s in r.get_json()["items"][0]["scores"]] == ["BK", "K"]
    n = db.session.scalar(select(func.count(Score.id)).where(Score.assessor_id == world.member.id))
    assert n == 2


def test_members_who_have_not_scored_show_up_empty(api, world, assessing):
    api.as_(world.member.user).put(f"/applications/{assessing.id}/scores", json=_scores(["PSG.U1.E1.K1"]))
    groups = api.as_(world.lead.user).get(f"/applications/{assessing.id}/scores").get_json()["items"]
    assert [(g["assessor"]["name"], g["lead"], len(g["scores"])) for g in groups] == [
        ("Lead Assessor", True, 0),
        ("Member Assessor", False, 1),
    ]


def test_the_leads_scores_let_the_team_recommend(api, world, assessing):
    lead = api.as_(world.lead.user)
    codes = criteria_codes(world.scheme)
    r = lead.event(assessing.id, "recommend", data={"recommendation": "K"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "all_criteria_scored"
    bk = [c for c in codes if c.startswith("PSG.U2")]
    lead.put(f"/applications/{assessing.id}/scores", json=_scores([c for c in codes if c not in bk]))
    lead.put(f"/applications/{assessing.id}/scores", json=_scores(bk, result="BK"))
    r = lead.event(assessing.id, "recommend", data={"recommendation": "K"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "recommendation_consistent"
    r = lead.event(assessing.id, "recommend", data={"recommendation": "BK"})
    assert r.status_code == 200 and r.get_json()["state"] == "assessed"


@pytest.mark.parametrize(
    "who, status",
    [
        ("candidate", 403),
        ("admin_batam", 403),
        ("admin_kepri", 403),
        ("certifier", 404),  # not yet at a decision point (rule 8)
        ("sysadmin", 403),
        ("admin_riau", 404),
    ],
)
def test_only_team_members_score(api, world, db, assessing, who, status):
    r = api.as_(getattr(world, who)).put(f"/applications/{assessing.id}/scores", json=_scores(["PSG.U1.E1.K1"]))
    assert r.status_code == status
    assert db.session.scalar(select(func.count(Score.id))) == 0


def test_an_assessor_off_the_team_cannot_score(api, world, assessing):
    r = api.as_(world.same_dinas_assessor.user).put(
        f"/applications/{assessing.id}/scores", json=_scores(["PSG.U1.E1.K1"])
    )
    assert r.status_code == 404


@pytest.mark.parametrize("state", ["team_assigned", "assessed"])
def test_scores_only_in_assessment(api, world, state):
    app = world.advance(world.new_application(), state)
    r = api.as_(world.lead.user).put(f"/applications/{app.id}/scores", json=_scores(["PSG.U1.E1.K1"]))
    assert r.status_code == 409 and error_code(r) == "not_editable"


@pytest.mark.parametrize(
    "scores, needle",
    [
        ([{"criterion": "PNY.U1.E1.K1", "result": "K", "evidence": "e"}], "PNY.U1.E1.K1"),
        ([{"criterion": "PSG.U1.E1.K1", "result": "C", "evidence": "e"}], "result"),
        ([{"criterion": "PSG.U1.E1.K1", "result": "K", "evidence": "e", "method": "guess"}], "method"),
        ([{"criterion": "PSG.U1.E1.K1", "result": "K"}], "evidence"),
        ([{"criterion": "PSG.U1.E1.K1", "result": "K", "evidence": "x" * 2001}], "evidence"),
        ([{"criterion": "PSG.U1.E1.K1", "result": "K", "evidence": "e", "weight": 2}], "weight"),
        ([{"result": "K", "evidence": "e"}], "criterion"),
        (
            [
                {"criterion": "PSG.U1.E1.K1", "result": "K", "evidence": "e"},
                {"criterion": "PSG.U1.E1.K1", "result": "BK", "evidence": "e"},
            ],
            "twice",
        ),
        ("all K", "scores"),
        ([], "scores"),
        ([{"criterion": f"PSG.X{n}", "result": "K", "evidence": "e"} for n in range(2000)], "at most 2000"),
    ],
)
def test_bad_scores_are_422_and_nothing_is_saved(api, world, db, assessing, scores, needle):
    good = [{"criterion": "PSG.U2.E1.K1", "result": "K", "evidence": "fine"}]
    body = {"scores": good + scores if isinstance(scores, list) and scores else scores}
    r = api.as_(world.lead.user).put(f"/applications/{assessing.id}/scores", json=body)
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert needle in r.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Score.id))) == 0


def test_scores_body_must_be_an_object(api, world, assessing):
    assert api.as_(world.lead.user).put(f"/applications/{assessing.id}/scores", json=[]).status_code == 400


@pytest.mark.parametrize(
    "who, status",
    [
        ("lead", 200),
        ("member", 200),
        ("certifier", 200),
        ("candidate", 403),
        ("admin_batam", 403),
        ("admin_kepri", 403),
        ("sysadmin", 403),
        ("admin_riau", 404),
        ("same_dinas_assessor", 404),
    ],
)
def test_who_may_read_the_scores(api, world, who, status):
    app = world.advance(world.new_application(), "assessed")
    world.score_all(app, world.member, result="BK")
    user = getattr(world, who)
    r = api.as_(getattr(user, "user", user)).get(f"/applications/{app.id}/scores")
    assert r.status_code == status
    if status == 200:
        groups = r.get_json()["items"]
        assert [g["assessor"]["name"] for g in groups] == ["Lead Assessor", "Member Assessor"]
        assert [g["lead"] for g in groups] == [True, False]
        assert {s["result"] for s in groups[0]["scores"]} == {"K"}
        assert {s["result"] for s in groups[1]["scores"]} == {"BK"}
        assert len(groups[0]["scores"]) == len(criteria_codes(world.scheme))
    else:
        assert "items" not in r.get_json()


def test_the_recommendation_keeps_its_notes_and_refuses_notes_too_long(api, world, db, assessing):
    world.score_all(assessing, world.lead)
    lead = api.as_(world.lead.user)
    r = lead.event(assessing.id, "recommend", data={"recommendation": "K", "recommendation_notes": "x" * 4001})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "recommendation_notes_fit"
    r = lead.event(assessing.id, "recommend", data={"recommendation": "K", "recommendation_notes": "Seen at work."})
    assert r.status_code == 200 and r.get_json()["state"] == "assessed"
    db.session.expire_all()
    assert db.session.get(Application, assessing.id).recommendation_notes == "Seen at work."
