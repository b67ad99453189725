"""The functional positions in a browser at phone width (390 px): from the landing page to a position's
levels, each claim still to confirm with its visible note, no sideways scroll, and on to the scheme."""

from __future__ import annotations

import pytest

from certflow.extensions import db
from certflow.positions.seed import seed_positions
from tests.e2e.conftest import PHONE

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


@pytest.fixture()
def positions(world):
    seed_positions()
    from certflow.positions.models import PositionLevel

    for level in db.session.query(PositionLevel).filter(PositionLevel.scheme_codes == "PS-GEN"):
        level.scheme_codes = "PSG, PS-GEN"  # the world's open scheme, and the demo's (absent here)
    db.session.commit()


def test_a_visitor_on_a_phone_reads_a_position_and_goes_on_to_its_scheme(live_server, browser, positions, screenshot):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="id-ID")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
        page.goto("/")
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name="Baca tentang jabatan fungsional").click()
        expect(page.locator("h1")).to_have_text("Jabatan fungsional")
        expect(page.locator("[data-position]")).to_have_count(2)
        screenshot(page, "positions")

        with page.expect_navigation():
            page.get_by_role("link", name="Pekerja Sosial").click()
        expect(page.locator("h1")).to_have_text("Pekerja Sosial")
        expect(page.locator('[data-track="skilled"] .track-step')).to_have_count(3)
        expect(page.locator('[data-track="expert"] .track-step')).to_have_count(4)
        notes = page.locator("[data-to-confirm]")
        expect(notes).to_have_count(1 + 2 * 7)
        expect(notes.first).to_be_visible()
        expect(notes.first).to_contain_text("Perlu dikonfirmasi:")
        screenshot(page, "position")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        terampil = page.locator('[data-level="Terampil"]')
        expect(terampil.locator(".level-schemes li").nth(1)).to_contain_text("PS-GEN")
        with page.expect_navigation():
            terampil.get_by_role("link", name="Pekerja Sosial Generalis").click()
        assert page.url.endswith("/schemes/PSG")

        page.goto("/positions/pekerja-sosial?lang=en")
        expect(page.locator("h1")).to_have_text("Social Worker")
        expect(page.locator("[data-to-confirm]").first).to_contain_text("To be confirmed:")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert not screenshot.overflow, screenshot.overflow
        assert not errors, errors
    finally:
        context.close()


def test_the_system_admin_adds_a_position_on_a_phone_after_every_fault_at_once(live_server, browser, world, screenshot):
    from tests.e2e.test_journey import Person

    errors: list[str] = []
    admin = Person(browser, live_server, world.sysadmin, english=False, errors=errors)
    try:
        admin.login()
        page = admin.page
        page.goto("/system/positions")
        admin.click(page.get_by_role("link", name="Tambah jabatan"))
        page.fill("#code", "Penyuluh Sosial!")  # not a code
        page.fill("#level-0-name_id", "Ahli Pertama")  # a level begun, without what it asks nor its English name
        admin.click(page.get_by_role("button", name="Simpan"))
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("li")).to_have_count(6)  # code, two names, summary; the level's English name and asks
        screenshot(page, "position-edit-errors")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.fill("#code", "penyuluh-sosial")
        page.fill("#name_id", "Penyuluh Sosial")
        page.fill("#name_en", "Social Extension Officer")
        page.fill("#summary_id", "Menyuluh dan menggerakkan masyarakat.")
        page.select_option("#level-0-track", "expert")
        page.fill("#level-0-name_en", "First Expert")
        page.fill("#level-0-asks_id", "Pendidikan paling rendah S1.")
        page.fill("#level-0-scheme_codes", "PNY")
        admin.click(page.get_by_role("button", name="Simpan"))
        admin.flash("Penyuluh Sosial")
        page.goto("/positions/penyuluh-sosial")
        expect(page.locator('[data-level="Ahli Pertama"] [data-to-confirm]')).to_have_count(
            1
        )  # "asks", ticked by default
        expect(page.get_by_role("link", name="Penyuluh Sosial Ahli Pertama")).to_be_visible()
        assert not screenshot.overflow, screenshot.overflow
        assert not errors, errors
    finally:
        admin.close()
