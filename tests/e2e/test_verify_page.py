"""The public verification page in a browser, for each status, at phone (390 px) and desktop (1280 px)
width: the status readable at a glance, nothing wider than the screen; and the search form from a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certflow import clock
from certflow.certificates.operations import issue_certificate
from certflow.models import Application
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_user

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

HEADLINES = {
    "active": "Valid",
    "suspended": "Suspended — not valid at the moment",
    "withdrawn": "Withdrawn — no longer valid",
    "expired": "Expired — no longer valid",
    "superseded": "Replaced by a newer certificate",
}


@pytest.fixture()
def certificates(world, db) -> dict:
    """One certificate in each status (the superseded one replaced by the active one)."""
    made = {}
    for status in HEADLINES:
        holder = make_user("candidate", world.batam, name=f"Holder {status.title()} Nurhaliza Rahmawati Putri")
        application = Application(candidate=holder, scheme=world.scheme, dinas=world.batam, state="certified")
        db.session.add(application)
        db.session.flush()
        made[status] = issue_certificate(application)
    made["suspended"].status = "suspended"
    made["suspended"].suspended_until = clock.today() + timedelta(days=30)
    made["withdrawn"].status = "withdrawn"
    made["expired"].status = "expired"
    made["superseded"].status = "superseded"
    made["superseded"].superseded_by_id = made["active"].id
    db.session.commit()
    return {status: cert.number for status, cert in made.items()}


def test_each_status_reads_at_a_glance_on_a_phone_and_a_desktop(live_server, browser, certificates, screenshot):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-US")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
        for status, number in certificates.items():
            for size in (PHONE, DESKTOP):
                page.set_viewport_size(size)
                page.goto(f"/verify/{number}?lang=en")
                verdict = page.locator(f".verdict.verdict-{status}")
                expect(verdict).to_be_visible()
                expect(verdict.locator(f'[data-status="{status}"]')).to_be_visible()
                expect(verdict.locator(".verdict-headline")).to_have_text(HEADLINES[status])
                box = verdict.bounding_box()
                assert box["y"] < size["height"] / 2  # the status is the first thing one sees
                assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
                expect(page.locator(".cert-holder")).to_contain_text("Nurhaliza")
            screenshot(page, f"verify-{status}")
            add = page.get_by_role("link", name="Add to LinkedIn profile")
            expect(add).to_have_count(1 if status == "active" else 0)
        expect(page.locator(".verdict-detail a")).to_have_text(certificates["active"])  # superseded → the newer
        assert not screenshot.overflow, screenshot.overflow
        assert not errors, errors
    finally:
        context.close()


def test_a_number_typed_on_a_phone_opens_its_page(live_server, browser, certificates):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="id-ID")
    try:
        page = context.new_page()
        page.goto("/verify")
        field = page.locator("#number")
        assert "PSG-2026-" in field.get_attribute("placeholder")
        field.fill(f" {certificates['active'].lower()} ")
        with page.expect_navigation():
            page.locator(".verify-form button[type=submit]").click()
        assert page.url.endswith(f"/verify/{certificates['active']}")
        expect(page.locator(".verdict-headline")).to_have_text("Sah")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
