"""The whole journey in a real browser: a candidate applies, is verified, assessed by two assessors,
certified, downloads the certificate and verifies it by its QR code — every step through the pages.

The candidate reads the pages in Indonesian (the default language); the dinas admins, assessors and
certifier switch to English with ``?lang=en``. Every person has their own browser profile; the
browser works at phone width, and each major step is saved at phone and desktop width under
test-artifacts/e2e/.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pypdf
import zxingcpp
from reportlab.pdfgen import canvas

from certflow import clock
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None

TIME_LIMIT = 90  # seconds for the whole journey


def make_pdf(path: Path, title: str) -> Path:
    """A small, real one-page PDF."""
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 760, title)
    pdf.drawString(72, 740, "Siti Candidate — Dinas Sosial Kota Batam")
    pdf.save()
    return path


class Person:
    """One person at their own browser (a fresh profile), logged in through the login page."""

    def __init__(self, browser, base_url: str, user, *, english: bool, errors: list):
        self.context = browser.new_context(
            base_url=base_url, viewport=PHONE, locale="en-US" if english else "id-ID", accept_downloads=True
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
        self.name = user.name
        self.email = user.email
        self.english = english

    def login(self) -> None:
        """Log in; an English reader asks for English first (kept in the session)."""
        page = self.page
        page.goto("/login?lang=en" if self.english else "/login")
        expect(page.locator("h1")).to_have_text("Log in" if self.english else "Masuk")
        page.fill("#email", self.email)
        page.fill("#password", PASSWORD)
        self.click(page.locator("main form button[type=submit]"))
        expect(page.locator(".who strong")).to_have_text(self.name)

    def click(self, locator) -> None:
        """Click a button or link that loads a new page, and wait for it."""
        with self.page.expect_navigation():
            locator.click()

    def flash(self, text: str) -> None:
        """The page shows a success message containing ``text``."""
        expect(self.page.locator(".flash-success")).to_contain_text(text)

    def close(self) -> None:
        """Close the profile."""
        self.context.close()


def send(person, page, event: str = "submit") -> None:
    """Send the application: open the action, tick the candidate's declaration, press the button."""
    action = page.locator(f"details[data-event={event}]")
    if action.get_attribute("open") is None:
        action.locator("summary").click()
    page.check(f"#{event}-declaration")
    person.click(action.locator("form button[type=submit]"))


def fill_scores(page, methods=("portfolio", "observation")) -> int:
    """Score every criterion of the sheet K, with a method and evidence notes; the number scored."""
    rows = page.locator(".criterion[data-criterion]")
    count = rows.count()
    for i in range(count):
        row = rows.nth(i)
        code = row.get_attribute("data-criterion")
        row.locator("input[type=radio][value=K]").check()
        row.locator("select").select_option(methods[i % len(methods)])
        row.locator("textarea").fill(f"{code}: seen in the case file and in the interview notes.")
    return count


def test_a_candidate_goes_from_application_to_a_verified_certificate(browser, live_server, world, screenshot, tmp_path):
    started = time.monotonic()
    errors: list[str] = []
    team_id, team_name = world.team.id, world.team.name
    people = {
        "candidate": Person(browser, live_server, world.candidate, english=False, errors=errors),
        "admin_batam": Person(browser, live_server, world.admin_batam, english=True, errors=errors),
        "admin_kepri": Person(browser, live_server, world.admin_kepri, english=True, errors=errors),
        "member": Person(browser, live_server, world.member.user, english=True, errors=errors),
        "lead": Person(browser, live_server, world.lead.user, english=True, errors=errors),
        "certifier": Person(browser, live_server, world.certifier, english=True, errors=errors),
    }
    visitor_context = browser.new_context(viewport=PHONE, locale="en-US")
    try:
        _journey(people, visitor_context, live_server, team_id, team_name, screenshot, tmp_path)
        _every_e_mail_says_something(people)
    finally:
        for person in people.values():
            person.close()
        visitor_context.close()
    assert not errors, errors
    assert not screenshot.overflow, f"pages wider than a phone: {screenshot.overflow}"
    elapsed = time.monotonic() - started
    assert elapsed < TIME_LIMIT, f"the journey took {elapsed:.0f} s"


def _every_e_mail_says_something(people) -> None:
    """Every e-mail the journey queued (issue 17, item 6): no escape sequences, more than its title,
    and a link that its recipient, at their own browser, opens (200)."""
    from email import message_from_bytes, policy
    from urllib.parse import urlsplit

    from sqlalchemy import select

    from certflow.extensions import db
    from certflow.models import OutboxMessage
    from certflow.notifications.messages import render_email

    escape = re.compile(r"\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}")
    db.session.rollback()  # see what the server committed
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) >= 20  # 21 on the day this was written
    by_email = {person.email: person for person in people.values()}
    opened = set()
    for msg in messages:
        mail = message_from_bytes(bytes(render_email(msg)), policy=policy.default)
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        assert not escape.search(text + html + str(mail["Subject"])), (msg.key, text)
        title = str(mail["Subject"]).removeprefix("[certflow] ")
        assert title in text and len(text) > len(title) + 200, (msg.key, text)
        links = re.findall(r"https?://\S+", text)
        assert links and f'href="{links[-1]}"' in html, (msg.key, text)
        person = by_email.get(msg.recipient.email)
        path = urlsplit(links[-1]).path
        if person is not None and (person.email, path) not in opened:
            opened.add((person.email, path))
            assert person.page.goto(path).status == 200, (person.email, path)
    assert len({email for email, _ in opened}) == len(people)  # everyone opened their own pages


def _journey(people, visitor_context, base_url, team_id, team_name, screenshot, tmp_path):
    # -- the candidate, in Indonesian: a new application for PSG ----------------------------
    cand = people["candidate"]
    page = cand.page
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    screenshot(page, "01-login")
    cand.login()

    page.goto("/candidate/")
    expect(page.locator("h1")).to_have_text("Permohonan saya")
    screenshot(page, "02-candidate-home")
    page.select_option("#scheme", "PSG")
    cand.click(page.locator("#new button[type=submit]"))
    match = re.search(r"/candidate/applications/(\d+)$", page.url)
    assert match, page.url
    app_id = int(match.group(1))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#progress-title .badge")).to_have_text("Draf")
    screenshot(page, "03-candidate-draft")

    # APL-01 (pre-filled from the profile; the candidate completes the rest)
    page.goto(f"/candidate/applications/{app_id}/apl01")
    page.select_option("#education_field", "peksos")
    page.select_option("#education_level", "D4")
    page.fill("#practice_hours", "2000")
    # the education route, chosen for the candidate as the first one the saved form meets
    expect(page.locator("input[name=route][value=education]")).to_be_checked()
    page.select_option("#purpose", "certification")
    page.fill("#workplace", "Dinas Sosial Kota Batam")
    page.fill("#position", "Pekerja sosial pertama")
    page.fill("#phone", "+62 812 3456 7890")
    page.fill("#address", "Jl. Engku Putri No. 1, Batam Centre")
    page.fill("#nik", "2171 0155 0885 0001")
    page.fill("#birth_place", "Tanjung Pinang")
    page.fill("#birth_date", "1985-08-15")
    page.select_option("#sex", "female")
    page.select_option("#jf_level", "peksos_ahli_pertama")
    cand.click(page.locator("form.apl01 button[type=submit]"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#workplace")).to_have_value("Dinas Sosial Kota Batam")
    expect(page.locator("#nik")).to_have_value("2171015508850001")
    screenshot(page, "04-candidate-apl01")

    # APL-02: every criterion claimed K, with its evidence
    page.goto(f"/candidate/applications/{app_id}/self-assessment")
    criteria = page.locator("fieldset.sa-criterion")
    total = criteria.count()
    assert total == 8
    for i in range(total):
        criterion = criteria.nth(i)
        criterion.locator("input[type=radio][value=K]").check()
        criterion.locator("textarea").fill(f"Kasus pendampingan keluarga nomor {i + 1}, laporan terlampir.")
    cand.click(page.locator("form.self-assessment button[type=submit]").first)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".sa-count")).to_have_attribute("data-answered", str(total))
    screenshot(page, "05-candidate-self-assessment")

    # a refusal seen in the browser: submitting before the documents are uploaded
    page.goto(f"/candidate/applications/{app_id}")
    send(cand, page)
    refusal = page.locator("#event-error")
    expect(refusal).to_contain_text("“Ajukan” tidak dilakukan.")
    expect(refusal).to_contain_text("Dokumen wajib belum ada: Ijazah, Surat keterangan kerja")
    expect(page.locator("#progress-title .badge")).to_have_text("Draf")
    screenshot(page, "06-candidate-submit-refused")

    # the documents, as real PDFs
    page.goto(f"/candidate/applications/{app_id}/documents")
    for kind, title in (("diploma", "Ijazah D4 Pekerjaan Sosial"), ("work_letter", "Surat Keterangan Kerja")):
        page.select_option("#kind", kind)
        page.set_input_files("#file", str(make_pdf(tmp_path / f"{kind}.pdf", title)))
        cand.click(page.locator("form[enctype='multipart/form-data'] button[type=submit]"))
        cand.flash(f"{kind}.pdf")
        expect(page.locator(f"li.doc-kind[data-kind={kind}] li.doc")).to_have_count(1)
    screenshot(page, "07-candidate-documents")

    page.goto(f"/candidate/applications/{app_id}")
    send(cand, page)
    cand.flash("Ajukan: berhasil. Status permohonan sekarang “Diajukan”.")
    expect(page.locator("#progress-title .badge")).to_have_text("Diajukan")
    screenshot(page, "08-candidate-submitted")

    # -- the dinas admin of Batam verifies the documents and approves ---------------------
    admin = people["admin_batam"]
    page = admin.page
    admin.login()
    page.goto("/admin/verification")
    item = page.locator(f"a[href='/admin/verification/{app_id}']")
    expect(item).to_contain_text("Siti Candidate")
    expect(item).to_contain_text("documents: 0 valid, 2 to review, 0 invalid")
    screenshot(page, "09-admin-verification-queue")
    admin.click(item)
    expect(page.locator(".badge")).to_have_text("Submitted")
    for kind in ("Diploma", "Work letter"):
        doc = page.locator("tr.doc-row", has=page.locator("th", has_text=kind))
        doc.locator("input[type=radio][value=valid]").check()
        admin.click(doc.locator("button[type=submit]"))
        admin.flash(f"{kind} marked valid.")
    expect(page.locator(".doc-status.doc-valid")).to_have_count(2)
    expect(page.locator("li.rule-unmet")).to_have_count(0)
    screenshot(page, "10-admin-documents-valid")
    admin.click(page.locator(f"form[action='/admin/verification/{app_id}/approve'] button"))
    admin.flash("Approve: done for Siti Candidate. The application is now “Eligible”.")
    expect(page.locator("p.empty")).to_have_text("No application is waiting for verification.")
    screenshot(page, "11-admin-approved")

    # -- the province admin assigns the team ---------------------------------------------
    province = people["admin_kepri"]
    page = province.page
    province.login()
    page.goto("/admin/assignment")
    page.locator(f"input[name=application][value='{app_id}']").check()
    page.select_option("#f-team", str(team_id))
    screenshot(page, "12-admin-assignment")
    province.click(page.locator(".assign-form button.primary"))
    expect(page.locator("p.lead")).to_contain_text("1 of 1 candidates assigned.")
    expect(page.locator(f"#outcome-{app_id}")).to_contain_text(f"Assigned to {team_name}.")
    screenshot(page, "13-admin-assignment-result")

    # -- the two assessors declare no conflict; the lead starts the assessment -------------
    member = people["member"]
    page = member.page
    member.login()
    page.goto("/assessor/")
    queued = page.locator(f"li.queue-item[data-application='{app_id}']")
    expect(queued).to_contain_text("Siti Candidate")
    expect(queued.locator(".badge")).to_have_text("Team assigned")
    expect(queued).to_contain_text("Conflict of interest: not declared yet")
    screenshot(page, "14-member-queue")
    member.click(queued.locator(f"a[href='/assessor/applications/{app_id}/conflict']"))
    page.check("#conflict-no")
    member.click(page.locator(".conflict-form button[type=submit]"))
    member.flash("Recorded: you have no conflict of interest with this candidate.")
    screenshot(page, "15-member-no-conflict")

    lead = people["lead"]
    page = lead.page
    lead.login()
    page.goto(f"/assessor/applications/{app_id}/conflict")
    page.check("#conflict-no")
    lead.click(page.locator(".conflict-form button[type=submit]"))
    lead.flash("Recorded: you have no conflict of interest with this candidate.")
    expect(page.locator("ul.members li[data-declared=none]")).to_have_count(2)
    screenshot(page, "16-lead-declarations")

    # -- the assessment agreement (FR.AK.01): the lead writes and signs, the candidate signs ------
    page.goto(f"/assessor/applications/{app_id}/agreement")
    page.fill("#date", (clock.today() + timedelta(days=3)).isoformat())
    page.fill("#time", "09:00")
    page.fill("#venue", "TUK Dinas Sosial Provinsi")
    for box in page.locator("fieldset.unit-methods input[value=observation]").all():
        box.check()
    lead.click(page.locator("form.record-form button[type=submit]"))
    lead.flash("The agreement is saved; the candidate is asked to read and sign it.")
    lead.click(page.locator("button", has_text="Sign the agreement"))
    lead.flash("You signed the assessment agreement.")
    screenshot(page, "16b-lead-agreement")
    page = cand.page
    page.goto(f"/candidate/applications/{app_id}/agreement")
    expect(page.locator("dl[data-agreement]")).to_contain_text("TUK Dinas Sosial Provinsi")
    cand.click(page.locator("form[action$='/agreement/sign'] button"))
    cand.flash("Anda telah menandatangani persetujuan asesmen.")  # the candidate reads Indonesian
    screenshot(page, "16c-candidate-agreement")

    page = lead.page
    page.goto(f"/assessor/applications/{app_id}/conflict")
    lead.click(page.locator("form[data-event=start_assessment] button"))
    lead.flash("Start assessment: done. The application is now “In assessment”.")

    # -- both score every criterion K; the lead sees them side by side and recommends K ----
    page = member.page
    page.goto(f"/assessor/applications/{app_id}/scores")
    assert fill_scores(page, methods=("interview", "written")) == total
    member.click(page.locator("form.sheet button[type=submit]").first)
    member.flash(f"Your scores are saved ({total} criteria).")
    screenshot(page, "17-member-scores")

    page = lead.page
    page.goto(f"/assessor/applications/{app_id}/scores")
    assert fill_scores(page) == total
    lead.click(page.locator("form.sheet button[type=submit]").first)
    lead.flash(f"Your scores are saved ({total} criteria).")
    expect(page.locator("table.side-by-side")).to_have_count(total)
    expect(page.locator(".sheet-aside")).to_contain_text("No disagreement between the members’ scores so far.")
    expect(page.locator("ul.unit-results .result-K")).to_have_count(2)
    # the lead's record per unit (FR.AK.02): the results follow the scores; the methods and feedback
    page.goto(f"/assessor/applications/{app_id}/record")
    expect(page.locator("fieldset.unit-record[data-result=K]")).to_have_count(2)
    for box in page.locator("fieldset.unit-record input[value=observation]").all():
        box.check()
    page.locator("fieldset.unit-record textarea").first.fill("Pertahankan dokumentasi kasus.")
    lead.click(page.locator("form.record-form button[type=submit]"))
    lead.flash("The assessment record is saved.")
    screenshot(page, "18a-lead-record-per-unit")
    page.goto(f"/assessor/applications/{app_id}/scores")
    recommend = page.locator("details[data-event=recommend]")  # open already, after the criteria
    recommend.locator("select[name=recommendation]").select_option("K")
    recommend.locator("textarea[name=recommendation_notes]").fill("Kompeten di semua unit.")
    screenshot(page, "18-lead-side-by-side")
    lead.click(recommend.locator("button[type=submit]"))
    lead.flash("Recommend: done. The application is now “Assessed”.")
    screenshot(page, "19-lead-recommended")

    # -- the candidate gives feedback on the assessment (FR.AK.03) --------------------------
    page = cand.page
    page.goto(f"/candidate/applications/{app_id}/feedback")
    for n in range(1, 11):
        page.check(f"input[name=answer-{n}][value=yes]")
    page.fill("#comments", "Asesor menjelaskan dengan baik.")
    cand.click(page.locator("form.record-form button[type=submit]"))
    cand.flash("Terima kasih: umpan balik Anda tercatat.")
    screenshot(page, "19b-candidate-feedback")

    # -- the certifier decides with the whole record --------------------------------------
    certifier = people["certifier"]
    page = certifier.page
    certifier.login()
    page.goto("/certifier/")
    waiting = page.locator(f"li[data-application='{app_id}']")
    expect(waiting).to_contain_text("Siti Candidate")
    expect(waiting.locator(".result")).to_have_text("K")
    screenshot(page, "20-certifier-decisions")
    certifier.click(waiting.locator("a"))
    expect(page.locator("section.decision .badge")).to_have_text("Assessed")
    expect(page.locator("[data-recommendation]")).to_have_text("K")
    screenshot(page, "21-certifier-record")
    certify = page.locator("details[data-event=certify]")
    certify.locator("summary").click()
    certifier.click(certify.locator("button[type=submit]"))
    certifier.flash("Certify: done. The application is now “Certified”.")
    screenshot(page, "22-certifier-certified")

    # -- the candidate downloads the certificate and verifies it --------------------------
    page = cand.page
    page.goto(f"/candidate/applications/{app_id}")
    expect(page.locator("#progress-title .badge")).to_have_text("Tersertifikasi")
    section = page.locator("section[aria-labelledby=certificate-title]")
    expect(section.locator(".badge")).to_have_text("Aktif")
    screenshot(page, "23-candidate-certified")
    verify_link = section.locator("a[href^='/verify/']")
    number = verify_link.get_attribute("href").rsplit("/", 1)[1]
    with page.expect_download() as download_info:
        section.locator(f"a[href='/candidate/applications/{app_id}/certificate.pdf']").click()
    download = download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    pdf_page = pypdf.PdfReader(BytesIO(data)).pages[0]
    text = pdf_page.extract_text()
    assert number in text and "Siti Candidate" in text and "Pekerja Sosial Generalis" in text
    codes = [code.text for image in pdf_page.images for code in zxingcpp.read_barcodes(image.image)]
    assert codes == [f"{base_url}/verify/{number}"]

    cand.click(verify_link)
    status = page.locator("#status [data-status]")
    expect(status).to_have_attribute("data-status", "active")
    expect(status).to_have_text("Aktif")
    expect(page.locator("main")).to_contain_text("Sertifikat ini sah dan masih berlaku.")
    screenshot(page, "24-candidate-verify")

    # -- anyone who scans the QR code sees the live status, and nothing personal but the name
    visitor = visitor_context.new_page()
    visitor.goto(codes[0])
    expect(visitor.locator("#status [data-status]")).to_have_text("Active")
    main = visitor.locator("main")
    expect(main).to_contain_text("This certificate is valid.")
    expect(main).to_contain_text(number)
    expect(main).to_contain_text("Siti Candidate")
    expect(main).not_to_contain_text(cand.email)
    expect(main).not_to_contain_text("+62 812")
    screenshot(visitor, "25-public-verify-qr")
