"""Pages of venues and schedules: the dinas admin's, the lead assessor's, the candidate's; per role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import Agreement, Application, Schedule, Venue, VenueVerification
from tests.factories import make_schedule, make_user, make_venue
from tests.web.test_pages_support import Browser, count_queries, fresh


def _eligible(world, n: int):
    profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    apps = []
    for i in range(n):
        app = world.new_application(make_user("candidate", world.batam, name=f"Asesi {i + 1}", **profile))
        world.advance(app, "eligible")
        apps.append(app)
    return apps


def browser(app, user):
    return Browser(app).login(user)


ADMIN_PAGES = ["/admin/venues", "/admin/venues/new", "/admin/schedules", "/admin/schedules/new"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_dinas_admins_only(app, world, path):
    assert browser(app, world.admin_kepri).get(path).status_code == 200
    assert browser(app, world.admin_batam).get(path).status_code == 200
    for other in (world.candidate, world.certifier, world.sysadmin, world.lead.user):
        assert browser(app, other).get(path).status_code == 403
    assert Browser(app).get(path).status_code == 302


def test_a_dinas_admin_adds_and_verifies_a_venue(app, world, db):
    b = browser(app, world.admin_batam)
    r = b.submit(
        "/admin/venues/new",
        name="TUK Nongsa",
        kind="mandiri",
        address="Jl. Hang Lekir",
        capacity="20",
        dinas=str(world.batam.id),
    )
    assert r.status_code == 303
    fresh(db)
    venue = db.session.scalar(select(Venue))
    assert (venue.name, venue.capacity, venue.dinas_id) == ("TUK Nongsa", 20, world.batam.id)
    page = f"/admin/venues/{venue.id}"
    r = b.submit(page, f"{page}/verification", **{"facility-room": "1", "facilities_ok": "1", "note": "Baik"})
    assert r.status_code == 422  # fit, but not every facility ticked
    data = {f"facility-{k}": "1" for k in ("room", "furniture", "equipment", "toilets", "accessibility", "safety")}
    r = b.submit(page, f"{page}/verification", facilities_ok="1", note="Lengkap", **data)
    assert r.status_code == 303
    fresh(db)
    assert db.session.scalar(select(VenueVerification.facilities_ok)) is True
    assert "Lengkap" in b.get(page).text


def test_bad_venue_input_keeps_what_was_typed_and_names_every_problem(app, world):
    b = browser(app, world.admin_batam)
    r = b.submit("/admin/venues/new", name="TUK Baru", kind="", address="", capacity="0", dinas=str(world.batam.id))
    assert r.status_code == 422
    assert 'value="TUK Baru"' in r.text and r.text.count('class="error"') >= 3


def test_another_dinas_venue_and_schedule_are_not_found(app, world):
    venue = make_venue(world.batam)
    schedule = make_schedule(world, venue=venue)
    b = browser(app, world.admin_riau)
    assert b.get(f"/admin/venues/{venue.id}").status_code == 404
    assert b.get(f"/admin/schedules/{schedule.id}").status_code == 404


def test_a_dinas_admin_plans_a_schedule_and_places_candidates(app, world, db):
    venue = make_venue(world.batam, verified=True)
    db.session.commit()
    day = clock.today() + timedelta(days=14)
    b = browser(app, world.admin_kepri)
    r = b.submit(
        "/admin/schedules/new",
        scheme="PSG",
        venue=str(venue.id),
        day=day.isoformat(),
        time="09:00",
        quota_min="1",
        quota_max="10",
        registration_closes=(day - timedelta(days=2)).isoformat(),
        team=str(world.team.id),
    )
    assert r.status_code == 303, r.text
    fresh(db)
    schedule = db.session.scalar(select(Schedule))
    page = f"/admin/schedules/{schedule.id}"
    text = b.get(page).text
    assert "Open for placement" in text or "Buka penempatan" in text
    r = b.submit(page, f"{page}/events/open", version=str(schedule.version))
    assert r.status_code == 303
    apps = _eligible(world, 2)
    text = b.get(page).text
    assert all(a.candidate.name in text for a in apps)
    r = b.submit(page, f"{page}/candidates", application=[str(a.id) for a in apps])
    assert r.status_code == 200
    fresh(db)
    assert {a.schedule_id for a in db.session.scalars(select(Application))} == {schedule.id}
    # the calendar of the month lists it
    month = day.strftime("%Y-%m")
    assert f'href="/admin/schedules/{schedule.id}"' in b.get(f"/admin/schedules?month={month}").text


def test_schedule_form_names_every_problem(app, world):
    b = browser(app, world.admin_kepri)
    r = b.submit(
        "/admin/schedules/new",
        scheme="",
        venue="",
        day="",
        time="",
        quota_min="",
        quota_max="",
        registration_closes="",
        team="",
    )
    assert r.status_code == 422
    assert "form-errors" in r.text


def test_a_refused_event_shows_the_rule_on_the_page(app, world):
    schedule = make_schedule(world, state="open")
    b = browser(app, world.admin_kepri)
    page = f"/admin/schedules/{schedule.id}"
    r = b.submit(page, f"{page}/events/confirm", version=str(schedule.version))
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = b.submit(page, f"{page}/events/cancel", version=str(schedule.version), reason="")
    assert r.status_code == 422
    assert b.submit(page, f"{page}/events/decide", version="1").status_code == 404


def test_the_schedule_page_costs_the_same_statements_whatever_the_number_of_candidates(app, world, db):
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 100
    db.session.commit()
    from certflow.schedules import operations as ops

    counts = []
    for n in (1, 6):
        schedule = make_schedule(world, state="open")
        ops.place_candidates(schedule, world.admin_kepri, [a.id for a in _eligible(world, n)])
        b = browser(app, world.admin_kepri)
        with count_queries() as seen:
            assert b.get(f"/admin/schedules/{schedule.id}").status_code == 200
        counts.append(seen[0])
    assert counts[0] == counts[1], counts


# -- the lead assessor ---------------------------------------------------------------------------


def _ready(world, db, n=2):
    from certflow.schedules import operations as ops

    schedule = make_schedule(world, state="open")
    apps = _eligible(world, n)
    ops.place_candidates(schedule, world.admin_kepri, [a.id for a in apps])
    now = clock.now()
    for a in apps:
        db.session.add(
            Agreement(
                application_id=a.id,
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
    db.session.refresh(schedule)
    ops.fire_schedule_event(schedule, "confirm", world.admin_kepri)
    schedule.starts_at = clock.now() - timedelta(hours=1)
    db.session.commit()
    return schedule, apps


def test_the_lead_records_attendance_holds_and_reports(app, world, db):
    schedule, apps = _ready(world, db)
    b = browser(app, world.lead.user)
    assert f"/assessor/schedules/{schedule.id}" in b.get("/assessor/schedules").text
    page = f"/assessor/schedules/{schedule.id}"
    r = b.submit(page, f"{page}/attendance", present=[str(apps[0].id)], version=str(schedule.version))
    assert r.status_code == 303, r.text
    fresh(db)
    schedule = db.session.get(Schedule, schedule.id)
    r = b.submit(page, f"{page}/events/hold", version=str(schedule.version))
    assert r.status_code == 303
    fresh(db)
    schedule = db.session.get(Schedule, schedule.id)
    r = b.submit(page, f"{page}/events/report", version=str(schedule.version), notes="")
    assert r.status_code == 422
    r = b.submit(page, f"{page}/events/report", version=str(schedule.version), notes="Semua hadir kecuali satu.")
    assert r.status_code == 303
    fresh(db)
    assert db.session.get(Schedule, schedule.id).state == "reported"


def test_a_member_sees_the_schedule_but_may_not_record_attendance(app, world, db):
    schedule, apps = _ready(world, db)
    b = browser(app, world.member.user)
    page = f"/assessor/schedules/{schedule.id}"
    assert b.get(page).status_code == 200
    assert b.submit(page, f"{page}/attendance", present=[str(apps[0].id)]).status_code == 403
    other = browser(app, world.same_dinas_assessor.user)
    assert other.get(page).status_code == 404
    assert browser(app, world.admin_kepri).get(page).status_code == 403


def test_the_candidate_sees_their_schedule_on_their_home(app, world, db):
    schedule, apps = _ready(world, db, n=1)
    text = browser(app, apps[0].candidate).get("/candidate/").text
    assert schedule.venue.name in text and schedule.venue.address in text
    assert schedule.venue.name not in browser(app, world.candidate).get("/candidate/").text


@pytest.mark.parametrize("who", ["candidate", "admin_kepri", "certifier", "sysadmin"])
def test_the_assessor_schedule_pages_are_for_assessors_only(app, world, who):
    schedule = make_schedule(world)
    b = browser(app, getattr(world, who))
    assert b.get("/assessor/schedules").status_code == 403
    assert b.get(f"/assessor/schedules/{schedule.id}").status_code == 403
    assert b.post(f"/assessor/schedules/{schedule.id}/attendance").status_code in (400, 403)


def test_an_assessor_of_another_team_sees_no_schedule_and_a_member_does_not_report(app, world, db):
    schedule = make_schedule(world, state="held", days_ahead=-1, attendance_recorded_at=clock.now())
    other = browser(app, world.same_dinas_assessor.user)
    assert f"/assessor/schedules/{schedule.id}" not in other.get("/assessor/schedules").text
    member = browser(app, world.member.user)
    page = f"/assessor/schedules/{schedule.id}"
    assert "events/report" not in member.get(page).text
    assert member.submit(page, f"{page}/events/report", notes="x", version=str(schedule.version)).status_code == 403
    assert member.submit(page, f"{page}/events/open").status_code == 404


def test_the_schedule_form_offers_to_propose_a_team_where_there_is_none(app, world):
    with_teams = browser(app, world.admin_kepri).get("/admin/schedules/new").get_data(as_text=True)
    assert "/admin/assignment" not in with_teams.split("<form", 1)[1]
    without = browser(app, world.admin_batam).get("/admin/schedules/new").get_data(as_text=True)
    assert 'href="/admin/assignment"' in without.split("<form", 1)[1]
