"""A kabupaten admin with eligible candidates and no fitting team gets them assigned through the pages alone.

Kabupaten Bintan's pool holds one assessor licensed for the scheme; a team needs two. The admin asks
for a proposal, reads what is missing and where, adds an assessor in the form offered there, asks
again, reads why each member is proposed, gives the override reason the scheme asks for (its
assessors work in the candidates' own dinas) and accepts: the candidates are assigned. At phone width.
"""

from __future__ import annotations

from datetime import timedelta

from certflow import clock
from certflow.extensions import db
from certflow.models import Application
from tests.e2e.test_journey import Person
from tests.factories import make_user
from tests.web.test_pages_admin_support import candidate_in, eligible

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None


def test_kabupaten_admin_goes_from_no_fitting_team_to_assigned_candidates(browser, live_server, world, screenshot):
    world.scheme.allow_same_dinas = True
    admin = make_user("dinas_admin", world.bintan, name="Admin Bintan")
    db.session.commit()
    apps = [eligible(world, candidate_in(world.bintan, name=f"Peserta Bintan {i}")) for i in (1, 2)]
    app_ids = [a.id for a in apps]
    errors: list[str] = []
    person = Person(browser, live_server, admin, english=True, errors=errors)
    page = person.page
    try:
        person.login()
        page.goto("/admin/assignment")
        for app_id in app_ids:
            page.check(f"input[name=application][value='{app_id}']")
        person.click(page.locator("#propose-teams"))
        expect(page.locator(".shortfall")).to_contain_text("from outside Dinas Sosial Kabupaten Bintan")
        screenshot(page, "forming-teams-shortfall")

        person.click(page.locator("#remedy-add-person"))
        expect(page.locator("#f-assessor")).to_be_checked()
        page.fill("#f-name", "Asesor Baru Bintan")
        page.fill("#f-email", "asesor.baru@example.id")
        page.fill("#f-licence_number", "MET.000.01 2026")
        page.fill("#f-licence_expires", (clock.today() + timedelta(days=700)).isoformat())
        page.fill("#f-max_load", "5")
        screenshot(page, "forming-teams-add-person")
        person.click(page.locator("#add-person"))
        person.flash("Asesor Baru Bintan")

        page.goto("/admin/assignment")
        for app_id in app_ids:
            page.check(f"input[name=application][value='{app_id}']")
        person.click(page.locator("#propose-teams"))
        team = page.locator("#team-1")
        expect(team).to_contain_text("Lead: ")
        expect(team.locator(".why").first).to_contain_text("Load after this proposal")
        page.fill("#override-1", "Hanya dua asesor berlisensi di Kabupaten Bintan")
        screenshot(page, "forming-teams-proposal")
        person.click(page.locator("#accept-proposal"))
        expect(page.locator("#proposal-done")).to_be_visible()
        screenshot(page, "forming-teams-done")
    finally:
        person.close()
    assert not errors, errors
    assert not screenshot.overflow, screenshot.overflow
    db.session.expire_all()
    assert {db.session.get(Application, i).state for i in app_ids} == {"team_assigned"}


def test_a_team_is_proposed_for_a_schedule_and_its_candidates_placed_from_its_page(
    browser, live_server, world, screenshot
):
    from certflow.models import Schedule
    from tests.factories import make_schedule

    apps = [eligible(world, candidate_in(world.batam, name=f"Peserta Batam {i}")) for i in (1, 2)]
    app_ids = [a.id for a in apps]
    schedule = make_schedule(world, state="open")
    errors: list[str] = []
    person = Person(browser, live_server, world.admin_kepri, english=True, errors=errors)
    page = person.page
    try:
        person.login()
        page.goto(f"/admin/schedules/{schedule.id}")
        for app_id in app_ids:
            page.check(f"input[name=application][value='{app_id}']")
        screenshot(page, "schedule-team-choose")
        person.click(page.locator("#propose-team"))
        expect(page.locator("h1")).to_contain_text("A team for the schedule of")
        expect(page.locator("#team-1")).to_contain_text("Peserta Batam 2")
        page.fill("#name-1", "Tim Jadwal Batam")
        screenshot(page, "schedule-team-proposal")
        person.click(page.locator("#accept-proposal"))
        person.flash("Tim Jadwal Batam")
        expect(page.locator("body")).to_contain_text("Peserta Batam 1")
        screenshot(page, "schedule-team-placed")
    finally:
        person.close()
    assert not errors, errors
    assert not screenshot.overflow, screenshot.overflow
    db.session.expire_all()
    team_id = db.session.get(Schedule, schedule.id).team_id
    assert team_id != world.team.id
    assert {(db.session.get(Application, i).state, db.session.get(Application, i).team_id) for i in app_ids} == {
        ("team_assigned", team_id)
    }
