"""The CSV import pages: every bad row listed and nothing imported; a good file imported once."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from certflow import clock
from certflow.models import Assessor, OutboxMessage, User
from tests.web.test_pages_admin_support import admin_browser
from tests.web.test_pages_support import csrf_token, fresh

ASSESSOR_HEADER = "email,name,dinas,licence_number,licence_expires,schemes,max_load\n"
CANDIDATE_HEADER = "email,name,dinas,education_field,education_level,practice_hours\n"


def _upload(browser, kind: str, content: bytes, filename: str = "people.csv"):
    token = csrf_token(browser.get("/admin/imports").text)
    return browser.post(
        f"/admin/imports/{kind}",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _counts(db) -> tuple[int, int]:
    fresh(db)
    return db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Assessor.id)))


def _assessors_csv(n: int) -> bytes:
    expires = (clock.today() + timedelta(days=800)).isoformat()
    dinas = ("Dinas Sosial Provinsi Kepulauan Riau", "Dinas Sosial Kota Batam", "Dinas Sosial Kabupaten Bintan")
    rows = [
        f"asesor{i:02d}@example.id,Asesor Nomor {i},{dinas[i % 3]},MET.{i:04d}.2025,{expires},PSG;PNY,{1 + i % 5}\n"
        for i in range(n)
    ]
    return (ASSESSOR_HEADER + "".join(rows)).encode("utf-8")


def test_the_page_offers_both_kinds_and_their_templates(app, world):
    browser = admin_browser(app, world.admin_batam)
    page = browser.get("/admin/imports").text
    assert 'action="/admin/imports/assessors"' in page and 'action="/admin/imports/candidates"' in page
    assert 'enctype="multipart/form-data"' in page
    for fmt in ("csv", "xlsx"):
        for language in ("id", "en"):
            assert f"/admin/imports/assessors/template?format={fmt}&amp;language={language}" in page
    template = browser.get("/admin/imports/assessors/template")  # the reader's language (English here), CSV
    assert template.headers["Content-Disposition"] == "attachment; filename=assessors-template-en.csv"
    text = template.data.decode("utf-8-sig")
    assert text.startswith(ASSESSOR_HEADER.strip()) and "Dinas Sosial Kota Batam" in text
    assert (
        browser.get("/admin/imports/candidates/template").data.decode("utf-8-sig").startswith(CANDIDATE_HEADER.strip())
    )
    assert browser.get("/admin/imports/nothing/template").status_code == 404
    assert browser.get("/admin/imports/assessors/template?format=pdf").status_code == 404
    assert browser.get("/admin/imports/assessors/template?language=fr").status_code == 404


def test_a_bad_file_imports_nothing_and_lists_every_bad_row(app, world, db):
    expires = (clock.today() + timedelta(days=400)).isoformat()
    content = (
        ASSESSOR_HEADER.encode()
        + f"good@example.id,Good One,Dinas Sosial Kota Batam,L-1,{expires},PSG,3\n".encode()
        + f"missing@example.id,,Dinas Sosial Kota Batam,L-2,{expires},PSG,3\n".encode()
        + f"unknown@example.id,Unknown Dinas,Dinas Sosial Kota Atlantis,L-3,{expires},PSG,3\n".encode()
        + f"good@example.id,Good Twice,Dinas Sosial Kota Batam,L-4,{expires},PSG,3\n".encode()
        + b"baddate@example.id,Bad Date,Dinas Sosial Kota Batam,L-5,31-02-2030,PSG,3\n"
        + b"binary@example.id,Binary \x81\x8d,Dinas Sosial Kota Batam,L-6,2030-01-01,PSG,3\n"
        + f"riau@example.id,Not Mine,Dinas Sosial Kota Pekanbaru,L-7,{expires},PSG,3\n".encode()
        + f"scheme@example.id,Bad Scheme,Dinas Sosial Kota Batam,L-8,{expires},XYZ,3\n".encode()
    )
    before = _counts(db)
    response = _upload(admin_browser(app, world.admin_batam), "assessors", content)
    assert response.status_code == 422
    page = response.text
    assert "Rows with errors: 7; nothing was imported." in page
    table = page.split('class="table bad-rows"')[1].split("</table>")[0]
    expected = {
        3: ("name", "empty"),
        4: ("dinas", "no dinas is called Dinas Sosial Kota Atlantis"),
        5: ("email", "good@example.id is also on row 2"),
        6: ("licence_expires", "31-02-2030 is not a date"),
        7: ("–", "the row is not text"),
        8: ("dinas", "Dinas Sosial Kota Pekanbaru is not a dinas you administer"),
        9: ("schemes", "no scheme has the code XYZ"),
    }
    for line, (column, reason) in expected.items():
        cell = f"<tr><td>{line}</td><td>{column}</td><td>"
        assert cell in table and reason in table.split(cell)[1].split("</td>")[0], line
    assert "<tr><td>2</td>" not in table
    assert _counts(db) == before


def test_a_file_level_problem_is_said_and_nothing_imported(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    wrong_header = _upload(browser, "assessors", b"mail,name\nx@example.id,X\n")
    assert wrong_header.status_code == 422 and "The header row must name these columns" in wrong_header.text
    not_text = _upload(browser, "candidates", "\u00e9mail,name\n".encode("utf-16"))
    assert not_text.status_code == 422 and "The file is not text" in not_text.text
    not_a_workbook = _upload(browser, "candidates", b"PK\x03\x04 broken", "people.xlsx")
    assert not_a_workbook.status_code == 422 and "not a readable Excel workbook" in not_a_workbook.text
    token = csrf_token(browser.get("/admin/imports").text)
    no_file = browser.post("/admin/imports/assessors", data={"csrf_token": token}, content_type="multipart/form-data")
    assert no_file.status_code == 422 and "Choose the CSV or Excel file to import." in no_file.text
    assert browser.post("/admin/imports/other", data={"csrf_token": token}).status_code == 404


def test_a_good_file_of_50_assessors_imports_all_and_again_nothing_new(app, world, db):
    users_before, assessors_before = _counts(db)
    browser = admin_browser(app, world.admin_kepri)
    content = _assessors_csv(50)
    first = _upload(browser, "assessors", content)
    assert first.status_code == 303
    page = browser.get(first.headers["Location"]).text
    assert "50 new or changed, 0 unchanged." in page
    assert _counts(db) == (users_before + 50, assessors_before + 50)
    imported = db.session.scalar(select(Assessor).join(User).where(User.email == "asesor08@example.id"))
    assert {r.scheme.code for r in imported.scheme_rows} == {"PSG", "PNY"} and imported.dinas.name.endswith("Bintan")
    invites = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.event == "account_invite"))
    assert invites == 50
    pool = browser.get("/admin/assessors").text
    assert "Asesor Nomor 0" in pool and "Asesor Nomor 49" in pool

    again = _upload(browser, "assessors", content)
    assert "0 new or changed, 50 unchanged." in browser.get(again.headers["Location"]).text
    assert _counts(db) == (users_before + 50, assessors_before + 50)
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.event == "account_invite")) == 50


def test_candidates_are_imported_within_the_scope_only(app, world, db):
    content = (
        CANDIDATE_HEADER + "calon1@example.id,Calon Satu,Dinas Sosial Kota Batam,kesos,S1,1500\n"
        "calon2@example.id,Calon Dua,Dinas Sosial Kota Batam,other,D3,0\n"
    ).encode()
    batam = admin_browser(app, world.admin_batam)
    done = _upload(batam, "candidates", content)
    assert done.status_code == 303
    fresh(db)
    calon = db.session.scalar(select(User).where(User.email == "calon1@example.id"))
    assert calon.roles == {"candidate"} and calon.education_field == "kesos" and calon.dinas_id == world.batam.id
    riau = admin_browser(app, world.admin_riau)
    refused = _upload(riau, "candidates", content.replace(b"calon", b"lain"))
    assert refused.status_code == 422 and "Dinas Sosial Kota Batam is not a dinas you administer" in refused.text
    fresh(db)
    assert db.session.scalar(select(User).where(User.email == "lain1@example.id")) is None


def test_an_indonesian_admin_sees_every_bad_row_by_row_column_and_what(app, world, db):
    from tests.web.test_pages_support import Browser

    browser = Browser(app).login(world.admin_batam)
    browser.get("/?lang=id")
    expires = (clock.today() + timedelta(days=800)).strftime("%d/%m/%Y")
    content = (
        "Email;Nama;Dinas;Nomor Lisensi;Lisensi Berlaku Sampai;Skema;Beban Maksimal\n"
        f"baik@example.id;Baik;Dinas Sosial Kota Batam;L-1;{expires};PSG, PNY;3\n"
        f"salah@example.id;Salah;Dinas Sosial Kota Batam;L-2;besok;PSG;3\n"
    ).encode("cp1252")
    before = _counts(db)
    response = _upload(browser, "assessors", content)
    assert response.status_code == 422
    page = response.text
    assert "Baris bermasalah: 1; tidak ada data yang diimpor." in page
    assert '<th scope="col">Baris</th><th scope="col">Kolom</th>' in page
    assert "<tr><td>3</td><td>Lisensi Berlaku Sampai</td><td>besok bukan tanggal" in page
    assert _counts(db) == before
    fixed = _upload(browser, "assessors", content.replace(b"besok", expires.encode()))
    assert fixed.status_code == 303 and _counts(db) == (before[0] + 2, before[1] + 2)


def test_the_templates_download_in_both_languages_and_formats(app, world):
    browser = admin_browser(app, world.admin_batam)
    xlsx = browser.get("/admin/imports/candidates/template?format=xlsx&language=id")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK\x03\x04")
    assert xlsx.headers["Content-Disposition"] == "attachment; filename=candidates-template-id.xlsx"
    csv_id = browser.get("/admin/imports/candidates/template?format=csv&language=id").data.decode("utf-8-sig")
    assert csv_id.startswith("Email;Nama;Dinas;Bidang Pendidikan;Jenjang Pendidikan;Jam Praktik")
    assert _upload(browser, "candidates", xlsx.data, "template.xlsx").status_code == 303
