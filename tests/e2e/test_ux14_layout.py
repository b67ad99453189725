"""Issue 14's last findings in a real browser at 390 px and 1280 px: the dinas admin's document table,
the lead's score sheet (start at its top, recommendation with notes after the criteria, aligned with the
header) and a certifier's identity data shown whole (an 18-digit NIP wraps, never clipped)."""

from __future__ import annotations

import io
import os

import pytest
from reportlab.pdfgen import canvas

from certflow import storage
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD
from tests.web.test_pages_admin_support import submitted

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None

NIP = "198512312010012001"
SHOTS = os.environ.get("CERTFLOW_UX14_SHOTS")  # e.g. /tmp: saves /tmp/ux14-<name>-<width>.png


def _page(browser, base_url, user, viewport):
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return context, page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/ux14-{name}-{page.viewport_size['width']}.png", full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_document_review_is_one_aligned_table(live_server, browser, world, db, viewport):
    application = submitted(world)
    context, page = _page(browser, live_server, world.admin_batam, viewport)
    try:
        page.goto(f"/admin/verification/{application.id}")
        _no_sideways_scroll(page)
        rows = page.locator(".doc-table tbody tr")
        assert rows.count() == len(application.documents)
        # every row's cells start at the same x as the first row's: one aligned layout
        lefts = page.evaluate(
            "[...document.querySelectorAll('.doc-table tbody tr')]"
            ".map(r => [...r.children].map(c => Math.round(c.getBoundingClientRect().left)))"
        )
        _shot(page, "review")
        assert all(row == lefts[0] for row in lefts), lefts
        if viewport is PHONE:  # stacked: every field of a document starts at the table's left edge
            assert len(set(lefts[0])) == 1, lefts
        else:  # five columns side by side
            assert len(set(lefts[0])) == 5, lefts
        # the preview certflow draws of the first document opens in place and fits the screen
        doc = application.documents[0]
        pdf = io.BytesIO()
        sheet = canvas.Canvas(pdf)
        sheet.drawString(72, 720, "Ijazah Sarjana Terapan Pekerjaan Sosial")
        sheet.save()
        storage.current().put(doc.stored_name, pdf.getvalue(), replace=True)
        page.locator(f"#doc-{doc.id} details.doc-preview summary").click()
        image = page.locator(f"#doc-{doc.id} details.doc-preview img")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        _no_sideways_scroll(page)
        _shot(page, "review")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_score_sheet_is_aligned_with_its_header_and_keeps_start_and_recommendation_in_view(
    live_server, browser, world, db, viewport
):
    assigned = world.advance(world.new_application(), "team_assigned")
    assessing = world.advance(world.new_application(), "in_assessment")
    context, page = _page(browser, live_server, world.lead.user, viewport)
    try:
        page.goto(f"/assessor/applications/{assigned.id}/scores")
        _no_sideways_scroll(page)
        start = page.locator("#start")
        assert start.is_visible()
        assert start.bounding_box()["y"] < page.locator(".sheet-layout").bounding_box()["y"]  # above the sheet
        assert start.bounding_box()["y"] < viewport["height"]  # in view without scrolling
        _shot(page, "sheet-start")
        page.goto(f"/assessor/applications/{assessing.id}/scores")
        _no_sideways_scroll(page)
        header = page.locator("main > section.card").first.bounding_box()
        layout = page.locator(".sheet-layout").bounding_box()
        assert abs(layout["x"] - header["x"]) <= 1 and abs(layout["width"] - header["width"]) <= 1, (header, layout)
        crumbs = page.locator(".site-header .header-bar").bounding_box()
        assert abs(layout["x"] - (crumbs["x"] + 16)) <= 1  # the sheet starts where the header's content does
        assert page.locator("#recommend-recommendation_notes").count() == 1
        _shot(page, "sheet")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_certifier_sees_identity_data_whole(live_server, browser, world, db, viewport):
    world.candidate.name = f"Siti Rahmawati NIP {NIP}"
    db.session.commit()
    application = world.advance(world.new_application(), "assessed")
    context, page = _page(browser, live_server, world.certifier, viewport)
    try:
        for path, name in ((f"/certifier/applications/{application.id}", "certifier"), ("/certifier/", "decisions")):
            page.goto(path)
            _no_sideways_scroll(page)
            _whole(page, NIP)
            _shot(page, name)
    finally:
        context.close()


def _whole(page, text: str) -> None:
    """Every element holding ``text`` shows it whole: nothing wider than its box, no ellipsis."""
    clipped = page.evaluate(
        """nip => {
             const holders = [...document.querySelectorAll('main *')].filter(e => [...e.childNodes].some(
               n => n.nodeType === 3 && n.textContent.includes(nip)));
             const bad = [];
             for (const h of holders) {
               for (let e = h; e && e.tagName !== 'MAIN'; e = e.parentElement) {
                 const s = getComputedStyle(e);
                 const hides = s.overflowX !== 'visible' || s.textOverflow === 'ellipsis';
                 if (hides && e.scrollWidth > e.clientWidth + 1) bad.push(e.tagName + '.' + e.className);
               }
             }
             return bad;
           }""",
        text,
    )
    assert clipped == [], page.url
    assert text in page.locator("main").inner_text(), page.url


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_team_form_shows_every_error_at_once_with_the_summary_focused(live_server, browser, world, db, viewport):
    context, page = _page(browser, live_server, world.admin_kepri, viewport)
    try:
        page.goto("/admin/teams/new")
        page.select_option("#f-dinas", "")
        with page.expect_navigation():
            page.locator("main form.admin-form button[type=submit]").click()
        _no_sideways_scroll(page)
        summary = page.locator(".error-summary")
        links = summary.locator("a")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            "#f-name",
            "#f-scheme",
            "#f-dinas",
            "#f-lead",
        ]
        page.wait_for_function("document.activeElement && document.activeElement.matches('.error-summary')")
        assert summary.bounding_box()["y"] < viewport["height"]
        _shot(page, "team-form")
        links.nth(3).click()  # each link moves the focus to its field
        assert page.evaluate("document.activeElement.id") == "f-lead"
    finally:
        context.close()
