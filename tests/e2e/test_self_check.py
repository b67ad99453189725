"""The public self-check in a browser at phone width (390 px): from the landing page, the questions in
Indonesian, every error at once, the answers per scheme, no sideways scroll, and on to registration."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


def test_a_visitor_on_a_phone_checks_and_goes_on_to_register(live_server, browser, world, screenshot):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="id-ID")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
        page.goto("/")
        with page.expect_navigation():
            page.locator("main").get_by_role("link", name="Periksa persyaratan Anda").click()
        expect(page.locator("h1")).to_have_text("Bisakah saya mendaftar? Periksa persyaratan Anda")

        # sent empty: every error at once, in the summary at the top, which takes the focus
        with page.expect_navigation():
            page.get_by_role("button", name="Periksa").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary.locator("li")).to_have_count(4)
        expect(summary).to_be_focused()
        screenshot(page, "self-check-errors")

        # an unrelated degree, 1.500 hours typed the Indonesian way, the training done
        page.select_option("#education_field", "other")
        page.select_option("#education_level", "S1")
        page.fill("#practice_hours", "1.500")
        page.check("#training-yes")
        page.fill("#position", "Staf Dinas Sosial")
        with page.expect_navigation():
            page.get_by_role("button", name="Periksa").click()
        psg = page.locator('[data-scheme="PSG"]')
        expect(psg.locator(".check-verdict")).to_have_text(
            "Terbuka bagi Anda sekarang melalui: Jalur pengalaman, RPL (rekognisi pembelajaran lampau)."
        )
        expect(psg.locator('[data-route="education"] .missing li')).to_have_text(
            "Ijazah di bidang Pekerjaan sosial (peksos) atau Kesejahteraan sosial (kesos)."
        )
        screenshot(page, "self-check-answers")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        with page.expect_navigation():
            page.get_by_role("link", name="Daftar untuk mengajukan permohonan").click()
        assert "/register?" in page.url
        expect(page.locator("#education_field")).to_have_value("other")
        expect(page.locator("#education_level")).to_have_value("S1")
        expect(page.locator("#practice_hours")).to_have_value("1500")
        assert not screenshot.overflow, screenshot.overflow
        assert not errors, errors
    finally:
        context.close()
