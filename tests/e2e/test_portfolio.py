"""The rpl route in a real browser, at phone width and in Indonesian: a portfolio for each unit.

The candidate (an unrelated degree, 1,500 hours) applies by recognition of prior learning on a
three-unit scheme: the documents page asks a portfolio for each unit, its "Unggah" link chooses
the unit in the upload form, an upload without the unit is refused in words; once each unit has its
portfolio the application is sent. The dinas admin sees the portfolios in the scheme's order of
units, each named by its unit, marks them valid one by one and decides eligible.

Every page is checked for a sideways scroll, internal words and English (``Visit``); screenshots go
under test-artifacts/e2e/ (``open-door-portfolio-*``).
"""

from __future__ import annotations

from tests.e2e.test_journey import send
from tests.e2e.test_open_door import Visit, make_pdf
from tests.factories import PASSWORD, make_scheme

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None

RPL = {"education_field": "other", "education_level": "S1", "practice_hours": 1500, "route": "rpl", "purpose": "rpl"}
TITLES = {"RPL.U1": "Asesmen kebutuhan klien", "RPL.U2": "Rencana intervensi", "RPL.U3": "Evaluasi layanan"}


def _rpl_draft(world) -> int:
    from certflow.extensions import db

    scheme = make_scheme("RPL", units=3, name="Pekerja Sosial Pengakuan", required_documents=["diploma"])
    for unit in scheme.units:
        unit.title = TITLES[unit.code]
    db.session.commit()
    app = world.new_application(scheme=scheme)  # the self-assessment answered
    app.apl01 = {**app.apl01, **RPL}
    db.session.commit()
    return app.id


def test_a_candidate_by_rpl_uploads_a_portfolio_for_each_unit_and_is_found_eligible(
    browser, live_server, world, screenshot, tmp_path
):
    app_id = _rpl_draft(world)
    errors: list[str] = []
    candidate = Visit(browser, live_server, screenshot, errors)
    admin = Visit(browser, live_server, screenshot, errors)
    try:
        page = candidate.page
        candidate.login(world.candidate.email, PASSWORD)
        candidate.goto(f"/candidate/applications/{app_id}/documents", "portfolio-01-asked")
        rows = page.locator("li.doc-kind")
        expect(rows).to_have_count(3)
        for code, title in TITLES.items():
            row = page.locator(f"li.doc-kind[data-kind='portfolio@{code}']")
            expect(row.locator("h3")).to_have_text(f"Portofolio untuk unit {code}")
            expect(row.locator(".doc-unit-title")).to_have_text(title)
            expect(row.locator(".doc-missing")).to_contain_text("Belum diunggah.")

        # -- an upload that names no unit is refused in words; nothing is kept -----------------
        page.select_option("#kind", "portfolio")
        page.set_input_files("#file", str(make_pdf(tmp_path / "portofolio.pdf", "Portofolio")))
        candidate.click(page.locator("form[enctype='multipart/form-data'] button[type=submit]"), "portfolio-02-no-unit")
        expect(page.locator("#unit-error")).to_have_text("Pilih unit kompetensi yang dicakup portofolio ini.")
        expect(page.locator("li.doc-kind li.doc")).to_have_count(0)

        # -- each row's link chooses its unit; the upload fills that row ----------------------
        for n, code in enumerate(TITLES, 1):
            row = page.locator(f"li.doc-kind[data-kind='portfolio@{code}']")
            candidate.click(row.locator("a.doc-upload-link"))
            expect(page.locator("#kind")).to_have_value("portfolio")
            expect(page.locator("#unit")).to_have_value(code)
            filename = f"portofolio-unit-{n}.pdf"
            page.set_input_files("#file", str(make_pdf(tmp_path / filename, f"Portofolio {code}")))
            candidate.click(page.locator("form[enctype='multipart/form-data'] button[type=submit]"))
            candidate.flash(filename)
            expect(page.locator(f"li.doc-kind[data-kind='portfolio@{code}'] li.doc")).to_contain_text(filename)
        expect(page.locator(".doc-missing")).to_have_count(0)
        candidate.check("portfolio-03-all-units")

        candidate.goto(f"/candidate/applications/{app_id}")
        send(candidate, page)
        candidate.flash("Ajukan: berhasil.")

        # -- the dinas admin reviews unit by unit, in the scheme's order ----------------------
        page = admin.page
        admin.login(world.admin_batam.email, PASSWORD)
        admin.goto(f"/admin/verification/{app_id}", "portfolio-04-verify")
        expect(page.locator("section[aria-labelledby=documents-title] p.muted").first).to_contain_text(
            "Wajib: Portofolio untuk unit RPL.U1, Portofolio untuk unit RPL.U2, Portofolio untuk unit RPL.U3."
        )
        portfolios = page.locator("tr.doc-row", has=page.locator("th", has_text="Portofolio untuk unit"))
        expect(portfolios).to_have_count(3)
        for i, (code, title) in enumerate(TITLES.items()):
            expect(portfolios.nth(i).locator("th")).to_contain_text(f"Portofolio untuk unit {code}")
            expect(portfolios.nth(i).locator("th .doc-unit-title")).to_have_text(title)
        for code in (*TITLES, None):
            label = f"Portofolio untuk unit {code}" if code else "Ijazah"
            row = page.locator("tr.doc-row", has=page.locator("th", has_text=label))
            with page.expect_download():
                row.locator("a[download]").click()
            row.locator("input[type=radio][value=valid]").check()
            admin.click(row.locator("button[type=submit]"))
            expect(
                page.locator("tr.doc-row", has=page.locator("th", has_text=label)).locator(".doc-status")
            ).to_have_text("Sah")
        admin.click(
            page.locator(f"form[action='/admin/verification/{app_id}/approve'] button"), "portfolio-05-eligible"
        )
        admin.flash("“Memenuhi syarat”")
        problems = candidate.problems + admin.problems
    finally:
        candidate.close()
        admin.close()
    assert not errors, errors
    assert not problems, sorted(set(problems))
    assert not screenshot.overflow, screenshot.overflow
