"""The account page in a phone's browser: change the password, then sign out everywhere."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402


def test_a_person_changes_the_password_and_signs_out_everywhere(live_server, browser, world, screenshot):
    user = world.candidate
    from certflow.extensions import db

    db.session.commit()
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="id-ID")
    other = browser.new_context(base_url=live_server, viewport=PHONE, locale="id-ID")
    errors: list[str] = []
    try:
        pages = []
        for ctx in (context, other):
            page = ctx.new_page()
            page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
            page.goto("/login")
            page.fill("#email", user.email)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            pages.append(page)
        page, elsewhere = pages

        with page.expect_navigation():
            page.locator(".who a").click()  # the name in the header opens the account page
        expect(page.locator("h1")).to_have_text("Akun Anda")
        screenshot(page, "account")

        page.fill("#current", PASSWORD)
        page.fill("#password", "lembayung-senja-42")
        page.fill("#confirm", "lembayung-senja-42")
        with page.expect_navigation():
            page.get_by_role("button", name="Ganti kata sandi").click()
        expect(page.locator(".flash").first).to_contain_text("Kata sandi Anda telah diganti")

        elsewhere.goto("/account")
        expect(elsewhere.locator("h1")).to_have_text("Masuk")  # the other session has ended

        with page.expect_navigation():
            page.get_by_role("button", name="Keluar dari semua perangkat").click()
        expect(page.locator("h1")).to_have_text("Masuk")
        page.goto("/account")
        expect(page.locator("h1")).to_have_text("Masuk")
    finally:
        context.close()
        other.close()
    assert not errors
    assert not screenshot.overflow
