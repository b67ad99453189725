"""API: PATCH /api/v1/schedules/<id> — the date, venue, quota, deadline or team changed while planned
or open; the placed candidates and the team told once; who may not; what is refused, named."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from certflow import clock
from certflow.extensions import db
from certflow.models import Notification
from tests.factories import make_schedule, make_user, make_venue
from tests.web.test_api_applications_support import Api

PROFILE = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}


def _told(event="schedule_changed"):
    rows = db.session.execute(
        select(Notification.user_id, func.count()).where(Notification.event == event).group_by(Notification.user_id)
    ).all()
    return dict(rows)


def test_an_open_schedule_is_changed_and_everyone_placed_is_told_once(client, world):
    w = world
    schedule = make_schedule(w, state="open")
    other = make_venue(w.batam, name="Aula Dinas Sosial", verified=True)
    db.session.commit()
    apps = []
    for n in (1, 2):
        app = w.new_application(make_user("candidate", w.batam, name=f"Asesi {n}", **PROFILE))
        w.advance(app, "eligible")
        apps.append(app)
    api = Api(client)
    admin = api.as_(w.admin_kepri)
    assert (
        admin.post(f"/schedules/{schedule.id}/candidates", json={"applications": [a.id for a in apps]}).status_code
        == 200
    )
    version = admin.get(f"/schedules/{schedule.id}").get_json()["version"]
    day = clock.today() + timedelta(days=20)
    change = {
        "venue": other.id,
        "starts_at": f"{day.isoformat()}T13:30:00+07:00",
        "quota_max": 30,
        "registration_closes": (day - timedelta(days=2)).isoformat(),
        "version": version,
    }
    r = admin.patch(f"/schedules/{schedule.id}", json=change)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["venue"]["id"] == other.id and body["starts_at"].startswith(day.isoformat())
    assert body["state"] == "open" and body["applications"] == [a.id for a in apps]
    everyone = {a.candidate_id for a in apps} | {w.lead.user_id, w.member.user_id}
    assert _told() == {uid: 1 for uid in everyone}
    # the same terms again change nothing and tell no one again
    del change["version"]
    assert admin.patch(f"/schedules/{schedule.id}", json=change).status_code == 200
    assert _told() == {uid: 1 for uid in everyone}
    mine = api.as_(apps[0].candidate).get("/notifications").get_json()["items"]
    assert [n["event"] for n in mine].count("schedule_changed") == 1
    # with candidates placed: the team stays, the quota not below them; a stale version refused
    r = admin.patch(f"/schedules/{schedule.id}", json={"team": w.team.id + 1000, "quota_max": 1})
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"team", "quota_max"}
    r = admin.patch(f"/schedules/{schedule.id}", json={"quota_max": 25, "version": version})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale_version"


def test_who_may_not_change_and_when(client, world):
    w = world
    schedule = make_schedule(w)
    api = Api(client)
    url = f"/schedules/{schedule.id}"
    assert api.as_(w.lead.user).patch(url, json={"quota_max": 5}).status_code == 403
    assert api.as_(w.admin_riau).patch(url, json={"quota_max": 5}).status_code == 404
    assert api.as_(w.candidate).patch(url, json={"quota_max": 5}).status_code == 404
    assert api.as_(w.admin_batam).patch("/schedules/99999999", json={"quota_max": 5}).status_code == 404
    r = api.as_(w.admin_batam).patch(url, json={"quota_max": 0, "starts_at": "tomorrow"})
    assert r.status_code == 422 and {"quota_max", "starts_at"} <= set(r.get_json()["error"]["fields"])
    r = api.as_(w.admin_batam).patch(url, json={"quota_min": 5})
    assert r.status_code == 200 and r.get_json()["quota_min"] == 5, r.get_json()
    assert set(_told()) == {w.lead.user_id, w.member.user_id}  # nobody placed yet: the team is told
    ready = make_schedule(w, state="ready")
    r = api.as_(w.admin_batam).patch(f"/schedules/{ready.id}", json={"quota_max": 5})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_editable"


def test_the_edit_page_changes_an_open_schedule_and_nothing_is_lost(app, world):
    from tests.web.test_pages_support import Browser, csrf_token

    w = world
    schedule = make_schedule(w, state="open")
    db.session.commit()
    admin = Browser(app).login(w.admin_kepri)
    admin.get("/?lang=en")
    page = admin.get(f"/admin/schedules/{schedule.id}").text
    path = f"/admin/schedules/{schedule.id}/edit"
    assert f'href="{path}"' in page and "Change the schedule" in page
    form = admin.get(path)
    assert form.status_code == 200 and f'value="{schedule.quota_max}"' in form.text
    local = schedule.starts_at.astimezone(clock.LOCAL_TZ)
    values = {
        "venue": str(schedule.venue_id),
        "day": local.date().isoformat(),
        "time": "14:00",
        "quota_min": "1",
        "quota_max": "999",
        "registration_closes": schedule.registration_closes.isoformat(),
        "team": str(schedule.team_id),
    }
    bad = admin.post(path, data={"csrf_token": csrf_token(form.text), **values})
    assert bad.status_code == 422 and 'value="999"' in bad.text and 'value="14:00"' in bad.text
    good = admin.post(path, data={"csrf_token": csrf_token(form.text), **values, "quota_max": "12"})
    assert good.status_code == 303, good.text[:400]
    db.session.expire_all()
    assert schedule.quota_max == 12 and schedule.starts_at.astimezone(clock.LOCAL_TZ).strftime("%H:%M") == "14:00"
    assert set(_told()) == {w.lead.user_id, w.member.user_id}
    # the lead and a candidate may not open it; another province's admin does not find it
    assert Browser(app).login(w.lead.user).get(path).status_code in (403, 404)
    assert Browser(app).login(w.candidate).get(path).status_code in (403, 404)
    assert Browser(app).login(w.admin_riau).get(path).status_code == 404
    ready = make_schedule(w, state="ready")
    db.session.commit()
    assert "Change the schedule" not in admin.get(f"/admin/schedules/{ready.id}").text
