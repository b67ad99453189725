"""The written test in a real browser at phone width: the system admin's instruments page, the lead
draws a test, the candidate's answers are autosaved by the page's script and submitted, the team
sees the result; no page scrolls sideways at 390 px."""

from __future__ import annotations

from tests.e2e.test_journey import Person
from tests.instruments_support import make_bank

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None


def test_written_test_in_the_browser(browser, live_server, world, db, screenshot):
    make_bank(world.scheme)
    app = world.advance(world.new_application(), "in_assessment")
    errors: list = []

    sysadmin = Person(browser, live_server, world.sysadmin, english=True, errors=errors)
    sysadmin.login()
    sysadmin.page.goto(f"/system/schemes/{world.other_scheme.id}/instruments")
    expect(sysadmin.page.locator("h1")).to_contain_text("Instruments")
    screenshot(sysadmin.page, "instruments-sysadmin")

    lead = Person(browser, live_server, world.lead.user, english=True, errors=errors)
    lead.login()
    lead.page.goto(f"/assessor/applications/{app.id}/written-test")
    lead.click(lead.page.get_by_role("button", name="Draw a written test from the question bank"))
    expect(lead.page.locator("#written-test")).to_contain_text("taking the test")

    candidate = Person(browser, live_server, world.candidate, english=False, errors=errors)
    candidate.login()
    candidate.page.goto(f"/candidate/applications/{app.id}")
    candidate.click(candidate.page.get_by_role("link", name="Kerjakan tes tertulis"))
    page = candidate.page
    page.locator("input[type=radio]").nth(2).check()
    expect(page.locator("#autosave-status")).to_have_text("Tersimpan.")
    page.locator("textarea").first.fill("Jawaban esai saya")
    expect(page.locator("#autosave-status")).to_have_text("Tersimpan.")
    screenshot(page, "written-test-candidate")
    page.reload()
    expect(page.locator("input[type=radio]").nth(2)).to_be_checked()
    expect(page.locator("textarea").first).to_have_value("Jawaban esai saya")
    candidate.click(page.get_by_role("button", name="Kumpulkan tes"))
    expect(page.locator(".lead")).to_contain_text("tidak dapat diubah")
    assert page.locator("input[type=radio]:not([disabled])").count() == 0

    lead.page.goto(f"/assessor/applications/{app.id}/scores")
    expect(lead.page.locator("#written-test")).to_contain_text("Multiple choice: 1 of 4 right.")
    lead.page.goto(f"/assessor/applications/{app.id}/written-test")
    screenshot(lead.page, "written-test-team")
    assert not screenshot.overflow, screenshot.overflow
    assert not errors, errors
