"""An assessment event in a real browser, through the pages: a venue is added and verified, a schedule
planned and opened, candidates placed (one conflict of interest refused by name), the schedule
confirmed, the lead records the attendance, marks it held and writes the report; the candidate sees
their event on their home. Every page at phone width without sideways scrolling.

(The agreements are signed by another part of certflow; here they are written straight away.)
"""

from __future__ import annotations

from certflow import clock
from certflow.extensions import db
from certflow.models import Agreement, AssessorRelation, Schedule
from tests.e2e.test_journey import Person
from tests.factories import make_user

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None


def _eligible(world, n):
    profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    apps = []
    for name in ("Ani Wijaya", "Bambang Susilo", "Citra Lestari")[:n]:
        app = world.new_application(make_user("candidate", world.batam, name=name, **profile))
        world.advance(app, "eligible")
        apps.append(app)
    return apps


def test_an_assessment_event_from_the_venue_to_the_report(browser, live_server, world, screenshot):
    errors: list[str] = []
    apps = _eligible(world, 3)
    db.session.add(AssessorRelation(assessor_id=world.member.id, user_id=apps[2].candidate_id, kind="relative"))
    db.session.commit()
    admin = Person(browser, live_server, world.admin_kepri, english=True, errors=errors)
    lead = Person(browser, live_server, world.lead.user, english=True, errors=errors)
    candidate = Person(browser, live_server, apps[0].candidate, english=False, errors=errors)
    try:
        admin.login()
        page = admin.page
        # the venue, and its verification against the checklist
        page.goto("/admin/venues/new")
        page.fill("#f-name", "TUK Batam Centre")
        page.select_option("#f-kind", "mandiri")
        page.select_option("#f-dinas", str(world.batam.id))
        page.fill("#f-address", "Jl. Engku Putri 1, Batam")
        page.fill("#f-capacity", "30")
        admin.click(page.locator("main form.admin-form button[type=submit]").first)
        admin.flash("TUK Batam Centre")
        for box in page.locator("input[name^=facility-]").all():
            box.check()
        page.check("input[name=facilities_ok]")
        page.fill("#f-note", "Ruang, kursi dan peralatan lengkap.")
        admin.click(page.get_by_role("button", name="Record the verification"))
        admin.flash("verification")
        screenshot(page, "schedule-01-venue")
        # the schedule: today, so that the attendance can be taken in this test
        today = clock.today()
        page.goto("/admin/schedules/new")
        page.select_option("#f-scheme", "PSG")
        page.select_option("#f-venue", index=1)
        page.fill("#f-day", today.isoformat())
        page.fill("#f-time", "23:59")
        page.fill("#f-quota_min", "2")
        page.fill("#f-quota_max", "10")
        page.fill("#f-registration_closes", today.isoformat())
        page.select_option("#f-team", str(world.team.id))
        admin.click(page.get_by_role("button", name="Plan the schedule"))
        admin.flash("planned")
        page.locator("details[data-event=open] summary").click()
        admin.click(page.locator("details[data-event=open] button[type=submit]"))
        admin.flash("Open")
        # placing three: the conflict of interest is refused by name, the others are placed
        for app in apps:
            page.check(f"input[name=application][value='{app.id}']")
        admin.click(page.get_by_role("button", name="Place the chosen candidates"))
        expect(page.locator("[aria-labelledby=refused-title]")).to_contain_text("Member Assessor")
        expect(page.locator(".candidate-list")).to_contain_text("Ani Wijaya")
        expect(page.locator(".missing")).to_contain_text("not signed")
        screenshot(page, "schedule-02-placed")
        schedule_id = db.session.scalar(db.select(Schedule.id))
        now = clock.now()
        for app in apps[:2]:
            db.session.add(
                Agreement(
                    application_id=app.id,
                    lead_id=world.lead.id,
                    assessed_on=today,
                    assessed_at=now.time(),
                    venue="TUK Batam Centre",
                    evidence=[],
                    signed_by_candidate_at=now,
                    signed_by_lead_at=now,
                )
            )
        db.session.commit()
        page.goto(f"/admin/schedules/{schedule_id}")
        page.locator("details[data-event=confirm] summary").click()
        admin.click(page.locator("details[data-event=confirm] button[type=submit]"))
        admin.flash("Ready")
        # the candidate sees their event
        candidate.login()
        candidate.page.goto("/candidate/")
        expect(candidate.page.locator(".cand-schedule")).to_contain_text("TUK Batam Centre")
        screenshot(candidate.page, "schedule-03-candidate")
        # the lead: attendance, held, the report
        lead.login()
        page = lead.page
        page.goto("/assessor/schedules")
        lead.click(page.locator(f"a[href='/assessor/schedules/{schedule_id}']"))
        page.check(f"input[name=present][value='{apps[0].id}']")
        lead.click(page.get_by_role("button", name="Record the attendance"))
        lead.flash("attendance")
        page.locator("details[data-event=hold] summary").click()
        lead.click(page.locator("details[data-event=hold] button[type=submit]"))
        lead.flash("Held")
        page.locator("details[data-event=report] summary").click()
        page.locator("details[data-event=report] textarea").fill("Satu asesi hadir; satu tidak hadir.")
        lead.click(page.locator("details[data-event=report] button[type=submit]"))
        lead.flash("Reported")
        screenshot(page, "schedule-04-reported")
    finally:
        for person in (admin, lead, candidate):
            person.close()
    db.session.rollback()
    assert db.session.get(Schedule, schedule_id).state == "reported"
    assert not errors, errors
    assert not screenshot.overflow, f"pages wider than a phone: {screenshot.overflow}"
