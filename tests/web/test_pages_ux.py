"""Pages a person manages alone (issue 14): confirmations, names said once, plain messages, the favicon."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from certflow.models import User
from certflow.web.labels import team_name
from certflow.web.util import whole_number_text
from tests.web.test_pages_admin_pool import admin_browser
from tests.web.test_pages_candidate_support import browser
from tests.web.test_pages_support import Browser, fresh


def test_a_team_name_is_said_once():
    assert team_name("Tim Kepri 1") == "Kepri 1"
    assert team_name("team inti") == "inti"
    assert team_name("Tim") == "Tim"
    assert team_name("Timur Raya") == "Timur Raya"
    assert team_name(None) == ""


def test_the_team_page_says_tim_once_and_asks_before_disbanding(app, world):
    page = admin_browser(app, world.admin_kepri).get(f"/admin/teams/{world.team.id}").text
    assert "Team Tim" not in page and "Team Kepri 1" in page
    assert 'data-confirm="disband"' in page and "Yes, disband it" in page


def test_deleting_a_document_asks_first_and_the_page_ends_with_the_next_step(app, world):
    application = world.new_application()
    page = (
        browser(app, world.candidate, lang="id").get(f"/candidate/applications/{application.id}/documents?lang=id").text
    )
    assert page.count('<details class="confirm"') == len(application.documents) > 0
    assert "Ya, hapus" in page
    assert page.rindex("Berikutnya: periksa dan kirim permohonan") > page.rindex("/delete")


def test_every_page_has_a_favicon(app, world):
    page = browser(app, world.candidate).get("/candidate/").text
    assert 'rel="icon"' in page
    assert app.test_client().get("/static/favicon.svg").status_code == 200


def test_a_bad_team_form_lists_every_error_at_the_top_linking_to_its_field(app, world):
    from tests.web.test_pages_admin_pool import _post, _team_form

    browser = admin_browser(app, world.admin_kepri)
    page = _post(browser, "/admin/teams/new", **_team_form(world, name="", lead="", members=[])).text
    summary = page[page.index("data-error-summary") : page.index("</div>", page.index("data-error-summary"))]
    assert summary.count("<li>") >= 1 and 'href="#f-name"' in summary
    assert page.index("data-error-summary") < page.index('id="f-name"')
    assert "error-summary.js" in page


def test_a_bad_registration_lists_every_error_at_the_top(app, world):
    from tests.web.test_pages_support import csrf_token

    b = browser(app, lang="id")
    token = csrf_token(b.get("/register").text)
    page = b.post("/register", data={"csrf_token": token, "email": "x", "name": ""}).text
    assert "data-error-summary" in page and "Ada yang perlu diperbaiki" in page
    assert page.count('<li><a href="#') >= 2


@pytest.mark.parametrize(
    ("typed", "seen"),
    [("1.500", "1500"), ("1 500", "1500"), (" 12.345 ", "12345"), ("1500", "1500"), ("1.5", "1.5"), ("1,500", "1,500")],
)
def test_a_number_typed_the_indonesian_way_is_read_as_digits(typed, seen):
    assert whole_number_text(typed) == seen


def test_a_registration_with_1_500_practice_hours_is_accepted(app, world, db):
    from tests.web.test_pages_register import _form

    response = Browser(app).submit("/register", **_form(world, practice_hours="1.500", email="dot@example.id"))
    assert response.status_code == 302
    fresh(db)
    assert db.session.scalar(select(User.practice_hours).where(User.email == "dot@example.id")) == 1500


def test_scheme_pages_write_numbers_the_indonesian_way(app, world):
    page = browser(app, lang="id").get("/schemes").text
    assert "1.344" in page and "1,344" not in page


@pytest.mark.parametrize(("who", "role"), [("admin_batam", "Admin dinas"), ("certifier2", "Komite sertifikasi")])
def test_a_staff_home_is_titled_for_the_role(app, world, who, role):
    page = browser(app, getattr(world, who), lang="id").get("/").text
    assert f"<title>Beranda {role} — certflow</title>" in page


def test_sending_an_application_asks_for_the_declaration(app, world, db):
    from certflow.models import Application
    from tests.web.test_pages_candidate_support import post

    draft = world.new_application()
    b = browser(app, world.candidate, lang="id")
    page = f"/candidate/applications/{draft.id}"
    assert 'name="declaration"' in b.get(page).text
    refused = post(b, page, f"{page}/events/submit", version=draft.version)
    assert refused.status_code == 422 and "Centang pernyataan" in refused.text
    fresh(db)
    assert db.session.get(Application, draft.id).state == "draft"
    sent = post(b, page, f"{page}/events/submit", version=draft.version, declaration="yes")
    assert sent.status_code == 303
    fresh(db)
    assert db.session.get(Application, draft.id).state == "submitted"


def test_a_reviewed_document_shows_its_success_message_where_the_page_comes_back(app, world):
    from tests.web.test_pages_admin import _review

    application = world.advance(world.new_application(), "submitted")
    b = admin_browser(app, world.admin_batam)
    doc = application.documents[0]
    response = _review(b, application, doc, status="valid", note="")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"?saved={doc.id}#doc-{doc.id}")
    page = b.get(response.headers["Location"].split("#")[0]).text
    row = page[page.index(f'id="doc-{doc.id}"') :]
    assert 'class="flash doc-saved"' in row[: row.index("</tr>")]  # in the document's own row


INTERNAL = re.compile(
    r"\b((?:work_letter|diploma)(?!\.pdf)|request_revision|expire_revision|start_assessment|resubmit|approve)\b"
    r"|id data|\(invalid\)"
)


def _words(html: str) -> str:
    """What a person reads of a page: the text without tags, scripts or attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_page_or_message_of_the_journey_shows_an_internal_code(app, world, db):
    from tests.web.test_pages_admin import _review
    from tests.web.test_pages_candidate_support import post

    application = world.advance(world.new_application(), "submitted")
    admin = browser(app, world.admin_batam, lang="id")
    pages = {}
    verify = f"/admin/verification/{application.id}"
    token_page = admin.get(verify).text
    pages["approve refused"] = post(admin, verify, f"{verify}/approve", version=application.version).text
    pages["review refused"] = _review(admin, application, application.documents[0], status="invalid", note="").text
    pages["verify"] = token_page
    pages["verification"] = admin.get("/admin/verification").text
    for doc in application.documents:
        doc.status, doc.note = ("invalid", "Buram") if doc.kind == "diploma" else ("valid", None)
    db.session.commit()
    world.fire(
        application, "request_revision", world.admin_batam, reason="Pindai ulang.", data={"deadline": "2099-01-01"}
    )
    cand = browser(app, world.candidate, lang="id")
    page = f"/candidate/applications/{application.id}"
    pages["resubmit refused"] = post(
        cand, page, f"{page}/events/resubmit", version=application.version, declaration="yes"
    ).text
    for name, path in (("home", "/candidate/"), ("application", page), ("documents", f"{page}/documents")):
        pages[name] = cand.get(path).text
    found = {name: INTERNAL.findall(_words(html)) for name, html in pages.items()}
    assert not any(found.values()), found
    assert "Ganti dulu dokumen yang ditandai tidak valid sebelum mengajukan ulang: Ijazah." in pages["resubmit refused"]
    assert "Belum semua dokumen wajib dinyatakan sah: Ijazah, Surat keterangan kerja" in pages["approve refused"]
