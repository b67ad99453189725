"""Issue 13's "done when", walked in a real browser at phone width (390 px), in Indonesian.

A dinas employee with an unrelated degree finds out alone, without an account, which certification
is open to them and how (the public self-check), registers from its link with the answers carried,
confirms the e-mail and sets a password, applies by the route the self-check found open (the APL-01
starts from the answers), uploads that route's documents, self-assesses and submits; the dinas admin
of their dinas verifies and decides eligible; the candidate reads "eligible" on their home.
And a province admin shows the meeting the education gap of the province from the staff register,
downloads a list, and the page's numbers are those of the seeded rows, counted here independently.

Every page visited is checked for a sideways scroll and for internal words; screenshots go under
test-artifacts/e2e/ (``open-door-*``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
from reportlab.pdfgen import canvas

from tests.e2e.conftest import PHONE
from tests.e2e.test_journey import send
from tests.factories import PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None

NEW_PASSWORD = "kapal-layar-batam-27"
EMAIL = "dewi.lestari@example.id"
NAME = "Dewi Lestari"
# What a person must never read: internal route, document, state and event ids, developer words.
INTERNAL = re.compile(
    r"\b(experience|rpl_|practice_log|training_certificate|work_letter|diploma(?!\.pdf)|submitted|eligible|"
    r"draft|education_field|practice_hours|peksos_kesos|could_apply|needs_practice|needs_education|route_\w+)\b"
    r"|id data|None\b|\{\{|\}\}"
)
# English left on an Indonesian page: words no Indonesian sentence of certflow's has.
ENGLISH = re.compile(
    r"\b(the|and|your|you|of|with|is|are|to|for|from|by|this|Save|Submit|Log in|Application|Document|Route|"
    r"Training|Practice|Eligible|Submitted|Draft|Valid|Staff|Could|Needs?)\b"
)
EXPERIENCE_DOCS = {  # the experience route's documents, and the names the candidate's files have
    "diploma": "ijazah-s1.pdf",
    "work_letter": "surat-keterangan-kerja.pdf",
    "practice_log": "catatan-praktik.pdf",
    "training_certificate": "sertifikat-diklat.pdf",
}


def make_pdf(path: Path, title: str) -> Path:
    """A small, real one-page PDF."""
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 760, title)
    pdf.drawString(72, 740, f"{NAME} — Dinas Sosial Kota Batam")
    pdf.save()
    return path


class Visit:
    """One person's browser (a fresh profile, Indonesian, phone width); every page is checked as it loads."""

    def __init__(self, browser, base_url: str, screenshot, errors: list[str]):
        self.context = browser.new_context(base_url=base_url, viewport=PHONE, locale="id-ID", accept_downloads=True)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
        self.screenshot = screenshot
        self.problems: list[str] = []

    def check(self, name: str | None = None) -> None:
        """No sideways scroll and no internal words on the page; with ``name``, its screenshots."""
        page = self.page
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            self.problems.append(f"sideways scroll on {page.url}")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        text = page.locator("body").inner_text()
        for m in INTERNAL.finditer(text):
            self.problems.append(f"internal word {m.group(0)!r} on {page.url}")
        for m in ENGLISH.finditer(text.replace("English", "")):  # the language switch names English
            self.problems.append(f"English {m.group(0)!r} on {page.url}")
        if name:
            self.screenshot(page, f"open-door-{name}")

    def goto(self, path: str, name: str | None = None) -> None:
        self.page.goto(path)
        self.check(name)

    def click(self, locator, name: str | None = None) -> None:
        """Click something that loads a new page, wait for it, and check it."""
        with self.page.expect_navigation():
            locator.click()
        self.check(name)

    def login(self, email: str, password: str) -> None:
        self.goto("/login")
        expect(self.page.locator("h1")).to_have_text("Masuk")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.click(self.page.locator("main form button[type=submit]"))

    def flash(self, text: str) -> None:
        expect(self.page.locator(".flash-success")).to_contain_text(text)

    def close(self) -> None:
        self.context.close()


def _confirmation_link() -> str:
    """The set-password path of the confirmation e-mail the registration queued (read as the person would)."""
    from sqlalchemy import select

    from certflow.extensions import db
    from certflow.models import OutboxMessage, User
    from certflow.notifications.messages import render_email

    db.session.rollback()  # see what the server committed
    user = db.session.scalar(select(User).where(User.email == EMAIL))
    assert user is not None, "the registration made no account"
    [message] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "account_confirm", OutboxMessage.recipient_id == user.id)
    ).all()
    text = render_email(message).get_body(("plain",)).get_content()
    # written in the language the person registered in
    assert not ENGLISH.search(re.sub(r"https?://\S+", "", text)), text
    return "/set-password/" + text.split("/set-password/")[1].split()[0]


def test_a_dinas_employee_with_another_degree_finds_the_open_route_alone_and_is_found_eligible(
    browser, live_server, world, screenshot, tmp_path
):
    errors: list[str] = []
    visitor = Visit(browser, live_server, screenshot, errors)
    admin = Visit(browser, live_server, screenshot, errors)
    try:
        app_id = _the_candidate_alone(visitor, world, tmp_path)
        _the_dinas_admin_verifies(admin, world, app_id)
        # -- back at the candidate's home: "eligible", in Indonesian -------------------------
        page = visitor.page
        visitor.goto("/candidate/", "12-candidate-eligible")
        card = page.locator(f"section.cand-app[data-application='{app_id}']")
        expect(card.locator("h2")).to_contain_text("Pekerja Sosial Generalis")
        expect(card.locator(".badge").first).to_have_text("Memenuhi syarat")
        visitor.goto(f"/candidate/applications/{app_id}")
        expect(page.locator("#progress-title .badge")).to_have_text("Memenuhi syarat")
        problems = visitor.problems + admin.problems
    finally:
        visitor.close()
        admin.close()
    assert not errors, errors
    assert not problems, sorted(set(problems))
    assert not screenshot.overflow, screenshot.overflow


def _the_candidate_alone(visitor: Visit, world, tmp_path) -> int:
    page = visitor.page
    # -- the self-check, from the landing page, without an account -------------------------
    visitor.goto("/", "01-landing")
    visitor.click(page.locator("main").get_by_role("link", name="Periksa persyaratan Anda"))
    expect(page.locator("h1")).to_have_text("Bisakah saya mendaftar? Periksa persyaratan Anda")
    page.select_option("#education_field", "other")
    page.select_option("#education_level", "S1")
    page.fill("#practice_hours", "1.500")
    page.check("#training-yes")
    page.fill("#position", "Staf Dinas Sosial")
    visitor.click(page.get_by_role("button", name="Periksa"), "02-self-check-answers")
    psg = page.locator('[data-scheme="PSG"]')
    expect(psg.locator(".check-verdict")).to_contain_text("Terbuka bagi Anda sekarang melalui: Jalur pengalaman")
    expect(psg.locator('[data-route="education"] .missing li')).to_contain_text("Pekerjaan sosial (peksos)")

    # -- registration from the self-check's link: the answers carried ----------------------
    visitor.click(page.get_by_role("link", name="Daftar untuk mengajukan permohonan"), "03-register")
    expect(page.locator("h1")).to_have_text("Buat akun")
    expect(page.locator("#education_field")).to_have_value("other")
    expect(page.locator("#education_level")).to_have_value("S1")
    expect(page.locator("#practice_hours")).to_have_value("1500")
    expect(page.locator("#training")).to_be_checked()
    expect(page.locator("#position")).to_have_value("Staf Dinas Sosial")
    page.fill("#name", NAME)
    page.fill("#email", EMAIL)
    page.select_option("#dinas", str(world.batam.id))
    visitor.click(page.get_by_role("button", name="Buat akun saya"), "04-registered")
    expect(page.locator(".flash-success")).to_contain_text(EMAIL)

    # -- the e-mailed link confirms the address; the password is chosen; then a login ------
    visitor.goto(_confirmation_link(), "05-set-password")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    visitor.click(page.locator("main form button[type=submit]"))
    visitor.flash(f"Selamat datang, {NAME}")
    visitor.click(page.locator("form[action='/logout'] button"))
    visitor.login(EMAIL, NEW_PASSWORD)
    expect(page.locator(".who strong")).to_have_text(NAME)

    # -- a new application for PSG -----------------------------------------------------------
    assert page.url.endswith("/candidate/"), page.url
    expect(page.locator("h1")).to_have_text("Permohonan saya")
    page.select_option("#scheme", "PSG")
    visitor.click(page.locator("#new button[type=submit]"))
    match = re.search(r"/candidate/applications/(\d+)$", page.url)
    assert match, page.url
    app_id = int(match.group(1))
    expect(page.locator("#progress-title .badge")).to_have_text("Draf")

    # -- APL-01: starts from the self-check's answers, the open route already chosen --------
    visitor.goto(f"/candidate/applications/{app_id}/apl01", "06-apl01-start")
    expect(page.locator("#education_field")).to_have_value("other")
    expect(page.locator("#education_level")).to_have_value("S1")
    expect(page.locator("#practice_hours")).to_have_value("1500")
    expect(page.locator("#training")).to_be_checked()
    expect(page.locator("#position")).to_have_value("Staf Dinas Sosial")
    experience = page.locator(".route-choice", has=page.locator("input[value=experience]"))
    expect(experience.locator("input[name=route]")).to_be_checked()  # the route the self-check found open
    expect(experience).to_contain_text("Jalur pengalaman")
    asks = experience.locator(".route-asks")
    for words in ("Ijazah", "Catatan praktik", "Sertifikat diklat", "Diklat skema ini", "1.344"):
        expect(asks).to_contain_text(words)
    expect(experience).to_contain_text("Formulir tersimpan Anda memenuhi jalur ini.")
    expect(page.locator(".route-suggested")).to_contain_text("Sudah dipilihkan untuk Anda")
    education = page.locator(".route-choice", has=page.locator("input[value=education]"))
    expect(education).to_contain_text(  # in the self-check's very words
        "Masih kurang untuk Anda: Ijazah di bidang Pekerjaan sosial (peksos) atau Kesejahteraan sosial (kesos)."
    )
    experience.locator("input[name=route]").check()
    page.select_option("#purpose", "certification")
    page.fill("#nik", "2171 0161 0388 0002")
    page.fill("#birth_place", "Tanjung Pinang")
    page.fill("#birth_date", "1988-03-21")
    page.select_option("#sex", "female")
    page.fill("#workplace", "Dinas Sosial Kota Batam")
    page.fill("#phone", "+62 812 7000 1234")
    page.fill("#address", "Jl. Engku Putri No. 3, Batam Centre")
    visitor.click(page.locator("form.apl01 button[type=submit]"), "07-apl01-saved")
    visitor.flash("Formulir permohonan telah disimpan.")
    expect(page.locator("#nik")).to_have_value("2171016103880002")
    expect(experience.locator("input[name=route]")).to_be_checked()

    # -- the route's documents, as real PDFs -------------------------------------------------
    visitor.goto(f"/candidate/applications/{app_id}/documents")
    for kind, filename in EXPERIENCE_DOCS.items():
        page.select_option("#kind", kind)
        page.set_input_files("#file", str(make_pdf(tmp_path / filename, filename)))
        visitor.click(page.locator("form[enctype='multipart/form-data'] button[type=submit]"))
        visitor.flash(filename)
        expect(page.locator(f"li.doc-kind[data-kind={kind}] li.doc")).to_have_count(1)
    visitor.check("08-documents")

    # -- APL-02: every criterion claimed K, with its evidence --------------------------------
    visitor.goto(f"/candidate/applications/{app_id}/self-assessment")
    criteria = page.locator("fieldset.sa-criterion")
    total = criteria.count()
    assert total == 8
    for i in range(total):
        criteria.nth(i).locator("input[type=radio][value=K]").check()
        criteria.nth(i).locator("textarea").fill(f"Pendampingan keluarga penerima manfaat, kasus {i + 1}.")
    visitor.click(page.locator("form.self-assessment button[type=submit]").first, "09-self-assessment")
    expect(page.locator(".sa-count")).to_have_attribute("data-answered", str(total))

    # -- submit ---------------------------------------------------------------------------------
    visitor.goto(f"/candidate/applications/{app_id}")
    send(visitor, page)
    visitor.check("10-submitted")
    visitor.flash("Ajukan: berhasil. Status permohonan sekarang “Diajukan”.")
    expect(page.locator("#progress-title .badge")).to_have_text("Diajukan")
    return app_id


def _the_dinas_admin_verifies(admin: Visit, world, app_id: int) -> None:
    page = admin.page
    admin.login(world.admin_batam.email, PASSWORD)
    admin.goto("/admin/verification")
    item = page.locator(f"a[href='/admin/verification/{app_id}']")
    expect(item).to_contain_text(NAME)
    admin.click(item, "11a-admin-verify")
    expect(page.locator(".badge").first).to_have_text("Diajukan")
    rules = page.locator("ul.rules")
    expect(rules.locator("li.rule-met").first).to_contain_text("Jalur pengalaman")
    expect(rules).to_contain_text("Diklat skema ini.")  # the training, carried from the self-check
    expect(rules.locator("li.rule-unmet")).to_have_count(1)  # only: every document marked valid
    rows = page.locator("tr.doc-row")
    expect(rows).to_have_count(len(EXPERIENCE_DOCS))
    for label in ("Ijazah", "Surat keterangan kerja", "Catatan praktik", "Sertifikat diklat"):
        row = page.locator("tr.doc-row", has=page.locator("th", has_text=label))
        with page.expect_download() as download:
            row.locator("a[download]").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
        row.locator("input[type=radio][value=valid]").check()
        admin.click(row.locator("button[type=submit]"))
        row = page.locator("tr.doc-row", has=page.locator("th", has_text=label))
        expect(row.locator(".doc-status")).to_have_text("Sah")
        expect(row.locator(".doc-opened")).to_be_visible()
    expect(page.locator(".doc-status.doc-valid")).to_have_count(len(EXPERIENCE_DOCS))
    expect(rules.locator("li.rule-unmet")).to_have_count(0)
    admin.check("11b-admin-documents-valid")
    admin.click(page.locator(f"form[action='/admin/verification/{app_id}/approve'] button"), "11c-admin-eligible")
    admin.flash("“Memenuhi syarat”")


# -- the province admin's education gap -------------------------------------------------------

STAFF = [  # (dinas, name, field, level, hours, training)
    ("dinas_kepri", "Ani Peksos", "peksos", "D4", 2000, False),
    ("dinas_kepri", "Bayu Kesos", "kesos", "S1", 0, False),
    ("batam", "Citra Ekonomi", "other", "S1", 1500, True),
    ("batam", "Dodi Hukum", "other", "S1", 600, True),
    ("batam", "Eka Sekolah", "other", "SMA", 3000, True),
    ("bintan", "Fajar Psikologi", "other", "S2", 2000, False),
    ("bintan", "Gita Kesos", "kesos", "D3", 100, False),
    ("pekanbaru", "Hadi Riau", "other", "S1", 5000, True),  # another province: never counted
]


def _seed_staff(world) -> None:
    from certflow.extensions import db
    from certflow.models import StaffMember

    for dinas, name, field, level, hours, training in STAFF:
        db.session.add(
            StaffMember(
                dinas_id=getattr(world, dinas).id,
                name=name,
                education_field=field,
                education_level=level,
                practice_hours=hours,
                training=training,
                position="Staf",
            )
        )
    db.session.commit()


def _expected(world) -> dict[str, int]:
    """The province's figures counted from the seeded rows by the routes as DOMAIN.md states them (not by
    certflow's code): ``education`` peksos/kesos graduates; ``experience`` any degree with 1,344 hours and
    the training; ``rpl`` a portfolio, with the same 1,344 hours (both schemes of the world have no route
    data of their own, so the defaults apply)."""
    kepri = [row for row in STAFF if row[0] != "pekanbaru"]
    social = [row for row in kepri if row[2] in ("peksos", "kesos")]
    experience = [row for row in kepri if row[4] >= 1344 and row[5]]
    rpl = [row for row in kepri if row[4] >= 1344]
    education = social
    could = {row[1] for row in education + experience + rpl}
    return {
        "staff": len(kepri),
        "peksos_kesos": len(social),
        "other": len(kepri) - len(social),
        "could_apply": len(could),
        "route_education": len(education),
        "route_experience": len(experience),
        "route_rpl": len(rpl),
        # with no route open: more hours or the training would open one (experience, RPL), or only an education
        "needs_practice": len(kepri) - len(could),
        "needs_education": 0,
    }


def test_a_province_admin_shows_the_provinces_education_gap_from_the_register(browser, live_server, world, screenshot):
    _seed_staff(world)
    expected = _expected(world)
    errors: list[str] = []
    admin = Visit(browser, live_server, screenshot, errors)
    try:
        page = admin.page
        admin.login(world.admin_kepri.email, PASSWORD)
        admin.goto("/admin/staff", "20-staff-register")
        admin.click(page.locator("main a[href^='/admin/staff/figures']").first, "21-education-gap")
        expect(page.locator("h1")).to_contain_text("Kesenjangan pendidikan")
        expect(page.locator("h1 .subtitle")).to_contain_text("Kepulauan Riau")
        totals = page.locator("#gap-totals")
        for words in (
            "Berlatar belakang peksos/kesos",
            "Tanpa latar belakang peksos/kesos",
            "Dapat mendaftar sekarang: Jalur pendidikan",
            "Dapat mendaftar sekarang: Jalur pengalaman",
            "Perlu tambahan jam praktik atau diklat",
        ):
            expect(totals).to_contain_text(words)
        expect(page.locator("#background h2")).to_have_text("Staf dengan dan tanpa latar belakang peksos/kesos")
        expect(page.locator("#units tr[data-unit]")).to_have_count(3)  # the province's three dinas, not Riau's
        shown = {
            row.get_attribute("data-count"): int(row.locator("td.num").inner_text().replace(".", ""))
            for row in totals.locator("tr[data-count]").all()
        }
        for name, count in expected.items():
            assert shown[name] == count, (name, shown[name], count)
        # the experience route's list, downloaded as CSV: exactly the seeded people it opens to
        link = page.locator("[data-list=route_experience] a", has_text="CSV")
        with page.expect_download() as download:
            link.click()
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        header, body = rows[0], rows[1:]
        assert len(body) == expected["route_experience"]
        names = {row[header.index(next(h for h in header if h.lower() in ("nama", "name")))] for row in body}
        assert names == {"Citra Ekonomi", "Eka Sekolah"}
        # the whole register of the province, as an Excel file: every seeded row of Kepulauan Riau, none of Riau
        with page.expect_download() as download:
            page.locator("[data-list=all] a", has_text="Excel").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        data = io.BytesIO(Path(download.value.path()).read_bytes())
        sheet = openpyxl.load_workbook(data, read_only=True).active
        rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
        assert len(rows) - 1 == expected["staff"]
        assert {cell for row in rows[1:] for cell in row} >= {name for _, name, *_ in STAFF[:-1]}
        assert "Hadi Riau" not in {cell for row in rows for cell in row}
        problems = admin.problems
    finally:
        admin.close()
    assert not errors, errors
    assert not problems, sorted(set(problems))
    assert not screenshot.overflow, screenshot.overflow
