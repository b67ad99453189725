"""POST /api/v1/team-proposals and /accept: proposals from the pool, shortfalls named, all-or-nothing accept."""

from __future__ import annotations

import pytest

from certflow.extensions import db as _db
from certflow.models import Application, Team, TransitionLog
from tests.factories import make_assessor
from tests.web.test_api_reference import auth
from tests.web.test_pages_admin_support import candidate_in, eligible, submitted


def _propose(client, admin, apps, scheme="PSG"):
    return client.post(
        "/api/v1/team-proposals", json={"scheme": scheme, "applications": [a.id for a in apps]}, headers=auth(admin)
    )


def _accept(client, admin, teams):
    return client.post("/api/v1/team-proposals/accept", json={"teams": teams}, headers=auth(admin))


def _counts():
    return _db.session.query(Team).count(), _db.session.query(TransitionLog).filter_by(event="assign_team").count()


@pytest.mark.parametrize("who", ["candidate", "certifier", "sysadmin"])
def test_other_roles_may_not_propose_or_accept(client, world, who):
    app = eligible(world)
    user = getattr(world, who)
    assert _propose(client, user, [app]).status_code == 403
    assert _accept(client, user, [{"lead": world.lead.id, "applications": [app.id]}]).status_code == 403


def test_assessor_may_not_propose(client, world):
    app = eligible(world)
    assert _propose(client, world.lead.user, [app]).status_code == 403


def test_province_admin_gets_a_team_with_reasons_and_nothing_is_written(client, world):
    app = eligible(world)
    before = _counts()
    resp = _propose(client, world.admin_kepri, [app])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    (team,) = body["teams"]
    assert team["applications"] == [app.id]
    assert {m["assessor"] for m in team["members"]} == {world.lead.id, world.member.id}
    assert all(m["why"] for m in team["members"]) and "Lead" in team["members"][0]["why"]
    assert body["unassigned"] == [] and body["shortfall"] == []
    assert _counts() == before


def test_kabupaten_admin_is_told_what_is_missing_and_where(client, world):
    app = eligible(world)  # a Batam candidate; the Batam pool holds only a Batam assessor
    body = _propose(client, world.admin_batam, [app]).get_json()
    assert body["teams"] == []
    assert body["unassigned"][0]["application"] == app.id and body["unassigned"][0]["missing"]
    (short,) = body["shortfall"]
    assert short == {
        "scheme": "PSG",
        "needed": 2,
        "where": world.batam.name,
        "message": f"2 more assessors licensed for PSG from outside {world.batam.name}.",
    }
    assert body["actions"]


def test_another_dinas_application_is_refused_without_leaking(client, world):
    app = submitted(world, candidate_in(world.pekanbaru))
    world.mark_documents(app, "valid")
    world.fire(app, "approve", world.admin_riau)
    resp = _propose(client, world.admin_kepri, [app])
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"] == ["applications"]


def test_accept_forms_and_assigns_every_team(client, world):
    apps = [eligible(world), eligible(world, candidate_in(world.batam))]
    body = _propose(client, world.admin_kepri, apps).get_json()
    teams = [
        {"lead": t["lead"], "members": [m["assessor"] for m in t["members"]], "applications": t["applications"]}
        for t in body["teams"]
    ]
    resp = _accept(client, world.admin_kepri, teams)
    assert resp.status_code == 201, resp.get_json()
    (team_id,) = resp.get_json()["teams"]
    _db.session.expire_all()
    assert [_db.session.get(Application, a.id).team_id for a in apps] == [team_id, team_id]
    assert {a.state for a in (_db.session.get(Application, a.id) for a in apps)} == {"team_assigned"}


def test_accept_is_all_or_nothing(client, world):
    good, bad = eligible(world), eligible(world, candidate_in(world.batam))
    before = _counts()
    teams = [
        {"lead": world.lead.id, "members": [world.member.id], "applications": [good.id]},
        # the Batam assessor may not assess a Batam candidate: the second team is refused
        {"lead": world.same_dinas_assessor.id, "members": [world.lead.id], "applications": [bad.id]},
    ]
    resp = _accept(client, world.admin_kepri, teams)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "guard_failed" and error["rule"] == "no_conflict" and "Team 2" in error["message"]
    assert _counts() == before
    _db.session.expire_all()
    assert _db.session.get(Application, good.id).state == "eligible"


def test_accept_refuses_a_team_too_small(client, world):
    app = eligible(world)
    resp = _accept(client, world.admin_kepri, [{"lead": world.lead.id, "applications": [app.id]}])
    assert resp.status_code == 422 and resp.get_json()["error"]["rule"] == "team_big_enough"


def test_accept_refuses_a_candidate_on_two_teams(client, world):
    app = eligible(world)
    team = {"lead": world.lead.id, "members": [world.member.id], "applications": [app.id]}
    resp = _accept(client, world.admin_kepri, [team, team])
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"] == ["applications"]


def test_proposal_spreads_load_over_the_pool(client, world):
    extra = [make_assessor(world.dinas_kepri, [world.scheme], name=f"Extra {i}") for i in range(2)]
    _db.session.commit()
    apps = [eligible(world, candidate_in(world.batam)) for _ in range(4)]
    body = _propose(client, world.admin_kepri, apps).get_json()
    loads = {}
    for t in body["teams"]:
        for m in t["members"]:
            loads[m["assessor"]] = loads.get(m["assessor"], 0) + len(t["applications"])
    assert max(loads.values()) == 2 and set(loads) == {world.lead.id, world.member.id, *(a.id for a in extra)}


def test_proposal_for_a_schedule_uses_its_candidates_scheme_and_date(client, world):
    from tests.factories import make_schedule

    app = eligible(world)
    schedule = make_schedule(world)
    app.schedule_id = schedule.id
    _db.session.commit()
    resp = client.post("/api/v1/team-proposals", json={"schedule": schedule.id}, headers=auth(world.admin_kepri))
    assert resp.status_code == 200, resp.get_json()
    (team,) = resp.get_json()["teams"]
    assert team["applications"] == [app.id]


def test_proposal_for_an_unknown_schedule_or_without_input(client, world):
    admin = world.admin_kepri
    assert client.post("/api/v1/team-proposals", json={"schedule": 999999}, headers=auth(admin)).status_code == 404
    assert client.post("/api/v1/team-proposals", json={}, headers=auth(admin)).status_code == 422


def test_accepting_for_a_schedule_gives_the_schedule_its_team(client, world):
    from certflow.models import Schedule
    from tests.factories import make_schedule

    app = eligible(world)
    schedule = make_schedule(world)
    app.schedule_id = schedule.id
    _db.session.commit()
    admin = world.admin_kepri
    (team,) = client.post("/api/v1/team-proposals", json={"schedule": schedule.id}, headers=auth(admin)).get_json()[
        "teams"
    ]
    plan = {"lead": team["lead"], "members": [m["assessor"] for m in team["members"]], "applications": [app.id]}
    two = client.post(
        "/api/v1/team-proposals/accept", json={"teams": [plan, plan], "schedule": schedule.id}, headers=auth(admin)
    )
    assert two.status_code == 422
    other = eligible(world)
    stranger = {**plan, "applications": [other.id]}
    refused = client.post(
        "/api/v1/team-proposals/accept", json={"teams": [stranger], "schedule": schedule.id}, headers=auth(admin)
    )
    assert refused.status_code == 422 and f"#{other.id}" in refused.get_json()["error"]["message"]
    resp = client.post(
        "/api/v1/team-proposals/accept", json={"teams": [plan], "schedule": schedule.id}, headers=auth(admin)
    )
    assert resp.status_code == 201, resp.get_json()
    _db.session.expire_all()
    assert _db.session.get(Schedule, schedule.id).team_id == resp.get_json()["teams"][0]
