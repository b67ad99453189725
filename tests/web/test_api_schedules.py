"""API: venues and schedules (API.md "Venues, schedules and the assessment event"), per role.

Every answer is checked against the generated document (tests.contract). Another dinas's venue or
schedule is not found; placement names every refusal; cancelling releases and tells once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certflow import clock
from certflow.models import Agreement, AssessorRelation, Notification
from tests.factories import make_schedule, make_user, make_venue
from tests.web.test_api_applications_support import Api


@pytest.fixture()
def api(client):
    return Api(client)


def _eligible(world, n: int):
    profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    apps = []
    for i in range(n):
        app = world.new_application(make_user("candidate", world.batam, name=f"Asesi {i + 1}", **profile))
        world.advance(app, "eligible")
        apps.append(app)
    return apps


def code(r) -> str:
    return r.get_json()["error"]["code"]


# -- venues -------------------------------------------------------------------------------------

VENUE = {"name": "TUK Batam Centre", "kind": "mandiri", "address": "Jl. Raja Ali Haji 2", "capacity": 30}


@pytest.mark.parametrize("who", ["admin_batam", "admin_kepri"])
def test_dinas_admins_create_list_change_and_verify_venues(api, world, who):
    me = api.as_(getattr(world, who))
    r = me.post("/venues", json={**VENUE, "dinas": world.batam.id})
    assert r.status_code == 201, r.get_json()
    venue = r.get_json()
    assert venue["dinas"]["id"] == world.batam.id and venue["verification"] is None
    assert [v["id"] for v in me.get("/venues").get_json()] == [venue["id"]]
    r = me.patch(f"/venues/{venue['id']}", json={"capacity": 25})
    assert r.status_code == 200 and r.get_json()["capacity"] == 25
    r = me.post(f"/venues/{venue['id']}/verification", json={"facilities_ok": True, "note": "Lengkap"})
    assert r.status_code == 201
    assert r.get_json()["verification"]["facilities_ok"] is True


@pytest.mark.parametrize("who", ["candidate", "certifier", "lead"])
def test_others_may_not_keep_venues(api, world, who):
    user = world.lead.user if who == "lead" else getattr(world, who)
    me = api.as_(user)
    venue = make_venue(world.batam)
    world_db_commit(world)
    assert me.get("/venues").status_code == 403
    assert me.post("/venues", json=VENUE).status_code == 403
    assert me.patch(f"/venues/{venue.id}", json={"capacity": 3}).status_code == 403
    assert me.post(f"/venues/{venue.id}/verification", json={"facilities_ok": True}).status_code == 403
    assert me.post("/schedules", json={**VENUE}).status_code in (403, 422)


def test_another_dinas_venue_is_not_found(api, world):
    venue = make_venue(world.batam)
    world_db_commit(world)
    riau = api.as_(world.admin_riau)
    assert riau.get("/venues").get_json() == []
    assert riau.patch(f"/venues/{venue.id}", json={"capacity": 3}).status_code == 404
    assert riau.post(f"/venues/{venue.id}/verification", json={"facilities_ok": False}).status_code == 404
    assert api.as_(world.admin_batam).post("/venues", json={**VENUE, "dinas": world.pekanbaru.id}).status_code == 422


def world_db_commit(world):
    from certflow.extensions import db

    db.session.commit()


def test_bad_venue_input_is_named(api, world):
    r = api.as_(world.admin_batam).post("/venues", json={**VENUE, "kind": "tent", "capacity": 0})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"kind", "capacity"}


# -- schedules ----------------------------------------------------------------------------------


def _new_schedule(world, venue_id):
    day = clock.today() + timedelta(days=14)
    return {
        "scheme": "PSG",
        "venue": venue_id,
        "starts_at": f"{day.isoformat()}T09:00:00+07:00",
        "quota_min": 1,
        "quota_max": 20,
        "registration_closes": (day - timedelta(days=3)).isoformat(),
        "team": world.team.id,
    }


def test_a_province_admin_plans_a_schedule_and_reads_what_is_missing(api, world):
    venue = make_venue(world.batam, verified=True)
    world_db_commit(world)
    me = api.as_(world.admin_kepri)
    r = me.post("/schedules", json=_new_schedule(world, venue.id))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["state"], body["version"], body["applications"]) == ("planned", 1, [])
    assert body["allowed_events"] == ["open", "cancel"]
    assert body["next_event"] == "open" and body["missing"] == []
    listed = me.get("/schedules?state=planned").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert me.get("/schedules?state=open").get_json()["total"] == 0
    assert me.get("/schedules?scheme=PNY").get_json()["total"] == 0


def test_schedule_input_is_checked(api, world):
    venue = make_venue(world.batam, capacity=10)
    world_db_commit(world)
    me = api.as_(world.admin_kepri)
    r = me.post("/schedules", json={**_new_schedule(world, venue.id), "quota_max": 50, "starts_at": "2027-01-01T09:00"})
    assert r.status_code == 422
    assert {"quota_max", "starts_at"} <= set(r.get_json()["error"]["fields"])
    assert me.post("/schedules", json={**_new_schedule(world, venue.id), "quota_min": 0}).status_code == 422
    assert api.as_(world.candidate).post("/schedules", json=_new_schedule(world, venue.id)).status_code == 403


@pytest.mark.parametrize("who", ["admin_riau", "other_candidate", "certifier", "same_dinas_assessor"])
def test_a_schedule_of_another_dinas_is_not_found(api, world, who):
    schedule = make_schedule(world, state="open")
    user = world.same_dinas_assessor.user if who == "same_dinas_assessor" else getattr(world, who)
    me = api.as_(user)
    assert me.get(f"/schedules/{schedule.id}").status_code == 404
    assert me.post(f"/schedules/{schedule.id}/events", json={"event": "cancel", "reason": "x"}).status_code == 404
    assert me.post(f"/schedules/{schedule.id}/candidates", json={"applications": [1]}).status_code == 404
    assert me.put(f"/schedules/{schedule.id}/attendance", json={"present": []}).status_code == 404
    assert me.get("/schedules").get_json()["total"] == 0


@pytest.mark.parametrize("who", ["admin_batam", "admin_kepri", "sysadmin", "lead"])
def test_those_in_scope_and_the_team_see_the_schedule(api, world, who):
    schedule = make_schedule(world)
    user = world.lead.user if who == "lead" else getattr(world, who)
    r = api.as_(user).get(f"/schedules/{schedule.id}")
    assert r.status_code == 200
    expected = {"admin_batam": ["open", "cancel"], "admin_kepri": ["open", "cancel"], "sysadmin": [], "lead": []}
    assert r.get_json()["allowed_events"] == expected[who]


def test_the_whole_event_through_the_api(api, world, db):
    schedule = make_schedule(world, quota=(2, 10))
    admin, lead = api.as_(world.admin_kepri), api.as_(world.lead.user)
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "open", "version": 1})
    assert r.status_code == 200 and r.get_json()["state"] == "open"
    apps = _eligible(world, 3)
    db.session.add(AssessorRelation(assessor_id=world.member.id, user_id=apps[1].candidate_id, kind="relative"))
    db.session.commit()
    r = admin.post(f"/schedules/{schedule.id}/candidates", json={"applications": [a.id for a in apps]})
    assert r.status_code == 200
    body = r.get_json()
    assert body["placed"] == [apps[0].id, apps[2].id]
    assert [(x["application"], x["code"], x["rule"]) for x in body["refused"]] == [
        (apps[1].id, "guard_failed", "no_conflict")
    ]
    assert "Member Assessor" in body["refused"][0]["message"]
    r = admin.get(f"/schedules/{schedule.id}")
    assert r.get_json()["applications"] == [apps[0].id, apps[2].id]
    assert [m["rule"] for m in r.get_json()["missing"]] == ["agreements_signed"]
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "confirm"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "agreements_signed"
    now = clock.now()
    for app in (apps[0], apps[2]):
        db.session.add(
            Agreement(
                application_id=app.id,
                lead_id=world.lead.id,
                assessed_on=clock.today(),
                assessed_at=now.time(),
                venue="TUK",
                evidence=[],
                signed_by_candidate_at=now,
                signed_by_lead_at=now,
            )
        )
    db.session.commit()
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "confirm"})
    assert r.status_code == 200 and r.get_json()["state"] == "ready"
    assert lead.get(f"/schedules/{schedule.id}").get_json()["allowed_events"] == ["hold"]
    # attendance: from the event's day, by the lead only
    assert lead.put(f"/schedules/{schedule.id}/attendance", json={"present": [apps[0].id]}).status_code == 409
    db.session.refresh(schedule)
    schedule.starts_at = clock.now() - timedelta(hours=2)
    db.session.commit()
    assert admin.put(f"/schedules/{schedule.id}/attendance", json={"present": [apps[0].id]}).status_code == 403
    r = lead.put(f"/schedules/{schedule.id}/attendance", json={"present": [apps[1].id]})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["present"]
    r = lead.put(f"/schedules/{schedule.id}/attendance", json={"present": [apps[0].id]})
    assert r.status_code == 200
    assert r.get_json()["attendance"] == [
        {"application": apps[0].id, "present": True},
        {"application": apps[2].id, "present": False},
    ]
    r = lead.post(f"/schedules/{schedule.id}/events", json={"event": "hold"})
    assert r.status_code == 200 and r.get_json()["state"] == "held"
    r = lead.post(f"/schedules/{schedule.id}/events", json={"event": "report"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "notes_given"
    r = lead.post(f"/schedules/{schedule.id}/events", json={"event": "report", "data": {"notes": "Lancar."}})
    assert r.status_code == 200 and r.get_json()["state"] == "reported"
    assert r.get_json()["report_notes"] == "Lancar."
    # the plenary's decide is not offered here
    r = api.as_(world.certifier).post(f"/schedules/{schedule.id}/events", json={"event": "decide"})
    assert r.status_code == 409 and code(r) == "invalid_transition"
    history = admin.get(f"/schedules/{schedule.id}/history").get_json()
    assert [h["event"] for h in history] == ["open", "confirm", "hold", "report"]
    assert history[0]["actor"]["id"] == world.admin_kepri.id


def test_events_answer_like_application_events(api, world):
    schedule = make_schedule(world)
    admin = api.as_(world.admin_batam)
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "confirm"})
    assert r.status_code == 409 and code(r) == "invalid_transition"
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "open", "version": 7})
    assert r.status_code == 409 and code(r) == "stale_version"
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "nothing"})
    assert r.status_code == 409 and code(r) == "invalid_transition"
    r = api.as_(world.lead.user).post(f"/schedules/{schedule.id}/events", json={"event": "open"})
    assert r.status_code == 403 and code(r) == "forbidden"
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "cancel"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "reason_given"


def test_placement_on_a_schedule_not_open_or_by_the_lead_is_refused_whole(api, world):
    schedule = make_schedule(world)
    (app,) = _eligible(world, 1)
    r = api.as_(world.admin_kepri).post(f"/schedules/{schedule.id}/candidates", json={"applications": [app.id]})
    assert r.status_code == 409 and code(r) == "not_editable"
    r = api.as_(world.lead.user).post(f"/schedules/{schedule.id}/candidates", json={"applications": [app.id]})
    assert r.status_code == 403
    r = api.as_(world.admin_kepri).post(f"/schedules/{schedule.id}/candidates", json={"applications": []})
    assert r.status_code == 422


def test_cancelling_releases_everyone_and_tells_them_once(api, world, db):
    schedule = make_schedule(world, state="open")
    apps = _eligible(world, 2)
    admin = api.as_(world.admin_kepri)
    assert (
        admin.post(f"/schedules/{schedule.id}/candidates", json={"applications": [a.id for a in apps]}).status_code
        == 200
    )
    r = admin.post(f"/schedules/{schedule.id}/events", json={"event": "cancel", "reason": "Banjir."})
    assert r.status_code == 200
    body = r.get_json()
    assert (body["state"], body["cancel_reason"], body["applications"]) == ("cancelled", "Banjir.", [])
    for app in apps:
        assert api.as_(app.candidate).get(f"/applications/{app.id}").get_json()["state"] == "eligible"
    rows = db.session.execute(
        select(Notification.user_id, func.count()).where(Notification.event == "cancel").group_by(Notification.user_id)
    ).all()
    everyone = {a.candidate_id for a in apps} | {world.lead.user_id, world.member.user_id}
    assert sorted(rows) == sorted((uid, 1) for uid in everyone)
    mine = api.as_(apps[0].candidate).get("/notifications").get_json()["items"]
    assert [n["event"] for n in mine].count("cancel") == 1


def test_the_schedule_workflow_is_published_as_the_engine_runs_it(api, world):
    r = api.as_(world.candidate).get("/workflows/schedule")
    assert r.status_code == 200
    body = r.get_json()
    assert body["initial"] == "planned" and "cancelled" in body["states"]
    events = {e["name"]: e for e in body["events"]}
    assert events["cancel"]["from"] == ["planned", "open", "ready"]
    assert events["confirm"]["guards"] == ["quota_reached", "team_licensed", "agreements_signed"]
