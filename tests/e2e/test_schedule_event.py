"""A whole assessment event in a real browser, through the pages alone: a venue is added and verified,
a schedule planned and opened, candidates placed (one conflict of interest refused by name), the
assessment agreements (FR.AK.01) written and signed by the lead and signed by each candidate, the
schedule confirmed; the candidate sees their event on their home; the lead records the attendance and
marks it held; the team declares no conflict, the lead starts the assessment and draws a written test,
the candidate takes and submits it, the lead scores the essay, both assessors score the criteria, the
lead writes the record per unit and recommends; the lead reports the event; the certifier records the
plenary decision and the certificate is verified on its public page. Every page at phone width
without sideways scrolling.
"""

from __future__ import annotations

from certflow import clock
from certflow.extensions import db
from certflow.models import Application, AssessorRelation, Certificate, Schedule
from tests.e2e.test_journey import Person, fill_scores
from tests.factories import make_user
from tests.instruments_support import MC_KEY, make_bank

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


def test_an_assessment_event_from_the_venue_to_the_verified_certificate(browser, live_server, world, screenshot):
    errors: list[str] = []
    apps = _eligible(world, 3)
    db.session.add(AssessorRelation(assessor_id=world.member.id, user_id=apps[2].candidate_id, kind="relative"))
    db.session.commit()
    make_bank(world.scheme, choices=2, essays=1, oral=0)
    admin = Person(browser, live_server, world.admin_kepri, english=True, errors=errors)
    lead = Person(browser, live_server, world.lead.user, english=True, errors=errors)
    member = Person(browser, live_server, world.member.user, english=True, errors=errors)
    candidate = Person(browser, live_server, apps[0].candidate, english=False, errors=errors)
    second = Person(browser, live_server, apps[1].candidate, english=False, errors=errors)
    certifier = Person(browser, live_server, world.certifier, english=True, errors=errors)
    number = None
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
        # the agreements (FR.AK.01): the lead writes (prefilled from the schedule) and signs; each candidate signs
        lead.login()
        for app in apps[:2]:
            page = lead.page
            page.goto(f"/assessor/applications/{app.id}/agreement")
            expect(page.locator("#venue")).to_have_value("TUK Batam Centre")
            for box in page.locator("fieldset.unit-methods input[value=observation]").all():
                box.check()
            for box in page.locator("fieldset.unit-methods input[value=written]").all():
                box.check()
            lead.click(page.locator("form.record-form button[type=submit]"))
            lead.flash("The agreement is saved")
            lead.click(page.locator("button", has_text="Sign the agreement"))
            lead.flash("You signed the assessment agreement.")
        screenshot(lead.page, "schedule-02b-lead-agreement")
        for person, app in ((candidate, apps[0]), (second, apps[1])):
            person.login()
            person.page.goto(f"/candidate/applications/{app.id}/agreement")
            person.click(person.page.locator("form[action$='/agreement/sign'] button"))
            person.flash("Anda telah menandatangani persetujuan asesmen.")
        screenshot(candidate.page, "schedule-02c-candidate-agreement")
        page = admin.page
        page.goto(f"/admin/schedules/{schedule_id}")
        page.locator("details[data-event=confirm] summary").click()
        admin.click(page.locator("details[data-event=confirm] button[type=submit]"))
        admin.flash("Ready")
        # the candidate sees their event
        candidate.page.goto("/candidate/")
        expect(candidate.page.locator(".cand-schedule")).to_contain_text("TUK Batam Centre")
        screenshot(candidate.page, "schedule-03-candidate")
        # the lead: attendance, held
        page = lead.page
        page.goto("/assessor/schedules")
        lead.click(page.locator(f"a[href='/assessor/schedules/{schedule_id}']"))
        page.check(f"input[name=present][value='{apps[0].id}']")
        lead.click(page.get_by_role("button", name="Record the attendance"))
        lead.flash("attendance")
        page.locator("details[data-event=hold] summary").click()
        lead.click(page.locator("details[data-event=hold] button[type=submit]"))
        lead.flash("Held")
        screenshot(page, "schedule-04-held")
        app_id = apps[0].id
        # the team declares no conflict; the lead starts the assessment
        member.login()
        for person in (member, lead):
            person.page.goto(f"/assessor/applications/{app_id}/conflict")
            person.page.check("#conflict-no")
            person.click(person.page.locator(".conflict-form button[type=submit]"))
            person.flash("Recorded: you have no conflict of interest with this candidate.")
        lead.click(page.locator("form[data-event=start_assessment] button"))
        lead.flash("In assessment")
        # the written test: drawn by the lead, taken and submitted by the candidate, its essays scored
        page.goto(f"/assessor/applications/{app_id}/written-test")
        lead.click(page.get_by_role("button", name="Draw a written test from the question bank"))
        lead.flash("A written test is drawn.")
        cpage = candidate.page
        cpage.goto(f"/candidate/applications/{app_id}")
        candidate.click(cpage.locator("a[href^='/candidate/tests/']"))
        for question in cpage.locator("li.wt-question").all():
            radios = question.locator("input[type=radio]")
            if radios.count():
                radios.nth(MC_KEY).check()
            else:
                question.locator("textarea").fill("Saya menilai kebutuhan klien bersama keluarganya.")
        screenshot(cpage, "schedule-05-written-test")
        candidate.click(cpage.locator("button[name=action][value=submit]"))
        candidate.flash("Tes Anda sudah dikumpulkan.")
        page.goto(f"/assessor/applications/{app_id}/written-test")
        for radio in page.locator("input[type=radio][value=K]").all():
            radio.check()
        lead.click(page.get_by_role("button", name="Save the essay results"))
        lead.flash("The essay results are saved.")
        screenshot(page, "schedule-06-written-result")
        # both assessors score every criterion; the lead writes the record per unit and recommends
        for person in (member, lead):
            person.page.goto(f"/assessor/applications/{app_id}/scores")
            total = fill_scores(person.page)
            person.click(person.page.locator("form.sheet button[type=submit]").first)
            person.flash(f"Your scores are saved ({total} criteria).")
        page.goto(f"/assessor/applications/{app_id}/record")
        for box in page.locator("fieldset.unit-record input[value=written]").all():
            box.check()
        lead.click(page.locator("form.record-form button[type=submit]"))
        lead.flash("The assessment record is saved.")
        page.goto(f"/assessor/applications/{app_id}/scores")
        recommend = page.locator("details[data-event=recommend]")
        if recommend.get_attribute("open") is None:  # the sheet shows it open after the criteria
            recommend.locator("summary").click()
        recommend.locator("select[name=recommendation]").select_option("K")
        lead.click(recommend.locator("button[type=submit]"))
        lead.flash("Assessed")
        # the event report
        page.goto(f"/assessor/schedules/{schedule_id}")
        page.locator("details[data-event=report] summary").click()
        page.locator("details[data-event=report] textarea").fill("Satu asesi hadir; satu tidak hadir.")
        lead.click(page.locator("details[data-event=report] button[type=submit]"))
        lead.flash("Reported")
        screenshot(page, "schedule-07-reported")
        # the certifier's plenary decision, then the certificate on its public page
        certifier.login()
        page = certifier.page
        page.goto("/certifier/plenary")
        certifier.click(page.locator(f"a[href='/certifier/plenary/{schedule_id}']"))
        page.fill("#number", "SK/LSP/12/2026")
        page.fill("#date", clock.today().isoformat())
        page.locator("input[name=members]").first.check()
        page.select_option(f"#decision-{app_id}", "K")
        screenshot(page, "schedule-08-plenary")
        certifier.click(page.get_by_role("button", name="Record the plenary decision"))
        assert page.locator("#plenary-error").count() == 0, page.locator("#plenary-error").inner_text()
        certifier.flash("The plenary decision is recorded.")
        # the printed forms of the event, downloaded from the plenary page
        for form in ("attendance", "berita-acara", "ak-05", "decision"):
            with page.expect_download() as download:
                page.locator(f"a[href='/certifier/plenary/{schedule_id}/forms/{form}']").click()
            with open(download.value.path(), "rb") as pdf:
                assert pdf.read(5) == b"%PDF-", form
        number = db.session.scalar(db.select(Certificate.number).where(Certificate.application_id == app_id))
        db.session.rollback()
        visitor = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, locale="en-US")
        try:
            vpage = visitor.new_page()
            vpage.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
            vpage.goto(f"/verify/{number}?lang=en")
            expect(vpage.locator("main")).to_contain_text("Ani Wijaya")
            screenshot(vpage, "schedule-09-verified")
        finally:
            visitor.close()
    finally:
        for person in (admin, lead, member, candidate, second, certifier):
            person.close()
    db.session.rollback()
    assert db.session.get(Schedule, schedule_id).state == "decided"
    assert db.session.get(Application, apps[0].id).state == "certified"
    assert number
    assert not errors, errors
    assert not screenshot.overflow, f"pages wider than a phone: {screenshot.overflow}"
