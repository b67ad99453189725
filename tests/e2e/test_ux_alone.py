"""Pages a person manages alone (issue 14), in a real browser at 390 px and 1280 px: the candidate's
first login, the revision round (resubmit refused until the invalid document is replaced), the dinas
admin's approve refusal in view, the error summary focused after a bad submit, and no page of the
journey wider than the screen nor showing an internal document kind, event id or "id data"."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from certflow import clock
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_journey import send
from tests.factories import PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None

# what a person must never read: internal document kinds, event ids, developer words
# (the test documents are named after their kind, "diploma.pdf": a file name the candidate chose is not a code)
INTERNAL = re.compile(
    r"\b((?:work_letter|diploma)(?!\.pdf)|request_revision|expire_revision|start_assessment|resubmit|approve)\b"
    r"|id data|\(invalid\)"
)
WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])


class Walk:
    """One person's browser at one width; every page visited is checked for sideways scroll and internal words."""

    def __init__(self, browser, base_url, user, viewport, *, english=False):
        self.context = browser.new_context(base_url=base_url, viewport=viewport, locale="en-US" if english else "id-ID")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.user = user
        self.problems: list[str] = []

    def check(self) -> None:
        page = self.page
        wide = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if not wide:
            self.problems.append(f"sideways scroll on {page.url}")
        text = page.locator("body").inner_text()
        for m in INTERNAL.finditer(text):
            self.problems.append(f"internal word {m.group(0)!r} on {page.url}")

    def shot(self, name: str) -> None:
        """With CERTFLOW_SCREENS set (``make screens``), the screen as it is, saved as ``<name>.png`` there."""
        folder = os.environ.get("CERTFLOW_SCREENS")
        if folder and self.page.viewport_size["width"] == PHONE["width"]:
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"))

    def click(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.check()

    def login(self) -> None:
        self.goto("/login")
        self.page.fill("#email", self.user.email)
        self.page.fill("#password", PASSWORD)
        self.click(self.page.locator("main form button[type=submit]"))


def _pdf(path, title):
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 760, title)
    pdf.save()
    return path


@WIDTHS
def test_a_new_candidate_lands_on_their_home_with_one_action(browser, live_server, world, viewport):
    cand = Walk(browser, live_server, world.candidate, viewport)
    try:
        cand.login()
        page = cand.page
        assert page.url.endswith("/candidate/"), page.url
        expect(page.locator("h1")).to_have_text("Permohonan saya")
        expect(page.get_by_role("button", name="Ajukan permohonan")).to_be_visible()
        cand.shot("01-candidate-first-login")
        # a bad submit: no scheme chosen → the error is shown, at the top of the form, focused
        cand.click(page.get_by_role("button", name="Ajukan permohonan"))
        expect(page.locator("#new-error")).to_be_visible()
        assert not cand.problems, cand.problems
    finally:
        cand.context.close()


@WIDTHS
def test_the_revision_round_refuses_resubmit_until_the_document_is_replaced(
    browser, live_server, world, db, viewport, tmp_path
):
    app = world.advance(world.new_application(), "submitted")
    for doc in app.documents:
        doc.status, doc.note = ("invalid", "Pindaian tidak terbaca") if doc.kind == "diploma" else ("valid", None)
    db.session.commit()
    deadline = (clock.today() + timedelta(days=5)).isoformat()
    world.fire(app, "request_revision", world.admin_batam, reason="Ijazah tidak terbaca.", data={"deadline": deadline})
    cand = Walk(browser, live_server, world.candidate, viewport)
    try:
        cand.login()
        page = cand.page
        cand.goto(f"/candidate/applications/{app.id}")
        expect(page.locator(".revision-box")).to_contain_text("Ijazah")
        send(cand, page, "resubmit")
        cand.check()
        expect(page.locator("#event-error")).to_contain_text("Ganti dulu dokumen yang ditandai tidak valid")
        expect(page.locator("#progress-title .badge")).to_have_text("Perlu revisi")
        cand.shot("02-candidate-resubmit-refused")
        # the replacement
        cand.goto(f"/candidate/applications/{app.id}/documents")
        page.select_option("#kind", "diploma")
        page.set_input_files("#file", str(_pdf(tmp_path / "ijazah-baru.pdf", "Ijazah")))
        cand.click(page.locator("form[enctype='multipart/form-data'] button[type=submit]"))
        expect(page.locator(".flash-success")).to_be_in_viewport()
        expect(page.locator(".next-link a")).to_be_visible()
        cand.shot("03-candidate-document-replaced")
        cand.click(page.locator(".next-link a"))
        send(cand, page, "resubmit")
        cand.check()
        expect(page.locator("#progress-title .badge")).to_have_text("Diajukan")
        cand.shot("04-candidate-resubmitted")
        assert not cand.problems, cand.problems
    finally:
        cand.context.close()


@WIDTHS
def test_the_approve_refusal_is_shown_where_the_admin_is_looking(browser, live_server, world, viewport):
    app = world.advance(world.new_application(), "submitted")  # documents not reviewed yet
    admin = Walk(browser, live_server, world.admin_batam, viewport)
    try:
        admin.login()
        page = admin.page
        admin.goto(f"/admin/verification/{app.id}")
        admin.click(page.locator(f"form[action$='/{app.id}/approve'] button[type=submit]"))
        refusal = page.locator("#decision-error")
        expect(refusal).to_be_in_viewport()
        expect(refusal).to_be_focused()
        expect(refusal).to_contain_text("Ijazah")
        admin.shot("05-admin-approve-refused")
        assert not admin.problems, admin.problems
    finally:
        admin.context.close()


@WIDTHS
def test_a_bad_team_form_shows_the_error_summary_focused(browser, live_server, world, viewport):
    admin = Walk(browser, live_server, world.admin_kepri, viewport)
    try:
        admin.login()
        page = admin.page
        admin.goto("/admin/teams/new")
        admin.click(page.locator("main form button[type=submit]").first)
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(summary.locator("a[href^='#']").first).to_be_visible()
        admin.shot("06-admin-error-summary")
        assert not admin.problems, admin.problems
    finally:
        admin.context.close()
