"""The staff register's pages and API: who may use them, the form, the import, the figures and their lists."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from certflow.staff.models import StaffMember
from tests.integration.test_staff_register import expected_counts, generate, set_routes
from tests.web.test_api_reports import token
from tests.web.test_pages_admin_support import admin_browser
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh
from workflows.identity import JF_LEVELS

URL = "/api/v1/staff/figures"


def _count(db) -> int:
    fresh(db)
    return db.session.scalar(select(func.count(StaffMember.id)))


def _member(db, dinas, name="Ani Lestari") -> StaffMember:
    member = StaffMember(dinas_id=dinas.id, name=name, education_field="other", education_level="S1", position="Staf")
    db.session.add(member)
    db.session.commit()
    return member


def test_who_may_see_the_register_pages(app, world):
    for user in (world.candidate, world.certifier, world.sysadmin, world.lead.user):
        browser = admin_browser(app, user)
        for path in ("/admin/staff", "/admin/staff/new", "/admin/staff/import", "/admin/staff/import/template"):
            assert browser.get(path).status_code == 403, (user.name, path)
    assert Browser(app).get("/admin/staff").status_code == 302  # to the login page
    browser = admin_browser(app, world.admin_batam)
    for path in ("/admin/staff", "/admin/staff/new", "/admin/staff/import", "/admin/staff/figures"):
        assert browser.get(path).status_code == 200, path
    for user in (world.candidate, world.certifier, world.lead.user):
        assert admin_browser(app, user).get("/admin/staff/figures").status_code == 403
    assert admin_browser(app, world.sysadmin).get("/admin/staff/figures").status_code == 200


def test_the_form_shows_every_error_at_once_and_saves(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    r = browser.submit(
        "/admin/staff/new",
        name="",
        dinas=str(world.pekanbaru.id),
        education_field="psychology",
        education_level="",
        practice_hours="lots",
    )
    assert r.status_code == 422
    summary = re.search(r'<div class="error-summary.*?</div>', r.text, re.S).group(0)
    for fid in ("f-name", "f-dinas", "f-education_field", "f-education_level", "f-practice_hours"):
        assert f'href="#{fid}"' in summary, fid
    assert _count(db) == 0
    r = browser.submit(
        "/admin/staff/new",
        name="Ani  Lestari",
        dinas=str(world.batam.id),
        education_field="other",
        education_level="S1",
        position="Staf Rehabilitasi",
        functional_level="penyuluh_ahli_pertama",
        practice_hours="1500",
        training="ya",
    )
    assert r.status_code == 303
    fresh(db)
    member = db.session.scalar(select(StaffMember))
    assert (member.name, member.training, member.practice_hours) == ("Ani Lestari", True, 1500)
    assert member.functional_level == "penyuluh_ahli_pertama"
    page = browser.get("/admin/staff").text
    assert "Ani Lestari" in page and "1 employee" in page and "Penyuluh Sosial Ahli Pertama" in page
    # the same name twice on one dinas is refused
    r = browser.submit(
        "/admin/staff/new", name="Ani Lestari", dinas=str(world.batam.id), education_field="kesos", education_level="D3"
    )
    assert r.status_code == 422 and 'href="#f-name"' in r.text
    # edit, then delete
    r = browser.submit(
        f"/admin/staff/{member.id}",
        name="Ani Lestari",
        dinas=str(world.batam.id),
        education_field="kesos",
        education_level="S2",
    )
    assert r.status_code == 303
    fresh(db)
    assert db.session.get(StaffMember, member.id).education_field == "kesos"
    token_ = csrf_token(browser.get(f"/admin/staff/{member.id}").text)
    assert browser.post(f"/admin/staff/{member.id}/delete", data={"csrf_token": token_}).status_code == 303
    assert _count(db) == 0


def test_the_form_offers_the_application_forms_levels_and_refuses_another(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    page = browser.get("/admin/staff/new").text
    for code in JF_LEVELS:
        assert f'<option value="{code}"' in page, code
    assert "Pekerja Sosial Ahli Madya" in page and "No functional position" in page
    values = {"name": "Ani", "dinas": str(world.batam.id), "education_field": "other", "education_level": "S1"}
    assert browser.submit("/admin/staff/new", **values, functional_level="\x00").status_code == 422  # at the door
    for bad in ("pertama pertama", "ketua", "Ahli Mahir", "9" * 5000):
        r = browser.submit("/admin/staff/new", **values, functional_level=bad)
        assert r.status_code == 422, bad
        assert 'href="#f-functional_level"' in r.text
        assert "not a functional-position level: choose one from the list" in r.text
    assert _count(db) == 0
    indonesian = Browser(app).login(world.admin_batam)
    r = indonesian.submit("/admin/staff/new", **values, functional_level="ketua")
    assert r.status_code == 422 and "bukan jenjang jabatan fungsional: pilih dari daftar" in r.text
    assert browser.submit("/admin/staff/new", **values, functional_level="none").status_code == 303
    fresh(db)
    assert db.session.scalar(select(StaffMember.functional_level)) == "none"


def test_an_entry_outside_the_scope_is_not_found(app, world, db):
    pekanbaru = _member(db, world.pekanbaru)
    bintan = _member(db, world.bintan, "Budi Santoso")
    batam = admin_browser(app, world.admin_batam)
    assert batam.get(f"/admin/staff/{pekanbaru.id}").status_code == 404
    assert batam.get(f"/admin/staff/{bintan.id}").status_code == 404
    token_ = csrf_token(batam.get("/admin/staff/new").text)
    assert batam.post(f"/admin/staff/{bintan.id}/delete", data={"csrf_token": token_}).status_code == 404
    assert "Budi Santoso" not in batam.get("/admin/staff").text
    assert batam.get(f"/admin/staff?dinas={world.bintan.id}").status_code == 404
    assert batam.get("/admin/staff?dinas=x").status_code == 404
    assert batam.get("/admin/staff?field=psychology").status_code == 404
    kepri = admin_browser(app, world.admin_kepri)  # the province's admin keeps every Kepri dinas
    assert kepri.get(f"/admin/staff/{bintan.id}").status_code == 200
    page = kepri.get("/admin/staff").text
    assert "Budi Santoso" in page and "Ani Lestari" not in page
    assert "Budi Santoso" in kepri.get(f"/admin/staff?dinas={world.bintan.id}&q=budi").text
    assert _count(db) == 2


def _upload(browser, content: bytes, filename="staff.csv"):
    token_ = csrf_token(browser.get("/admin/staff/import").text)
    return browser.post(
        "/admin/staff/import",
        data={"csrf_token": token_, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_the_import_page_names_bad_rows_then_imports_a_good_file_once(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    bad = b"\xef\xbb\xbfNama;Dinas;Bidang Pendidikan;Jenjang Pendidikan\r\nAni;Dinas Sosial Kota Batam;other;S9\r\n"
    r = _upload(browser, bad)
    assert r.status_code == 422 and "Rows with errors: 1" in r.text
    assert "<td>2</td><td>Jenjang Pendidikan</td>" in r.text
    assert _count(db) == 0
    good = bad.replace(b"S9", b"S1")
    assert _upload(browser, good).status_code == 303
    assert "1 new or changed, 0 unchanged" in browser.get("/admin/staff").text
    assert _upload(browser, good).status_code == 303
    assert "0 new or changed, 1 unchanged" in browser.get("/admin/staff").text
    assert _count(db) == 1
    assert _upload(browser, b"\x00\x01binary").status_code == 422


def test_the_templates_in_both_languages_import_as_they_are(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    en = browser.get("/admin/staff/import/template?format=csv&language=en")
    assert en.headers["Content-Disposition"] == "attachment; filename=staff-template-en.csv"
    assert en.data.decode("utf-8-sig").startswith("name,dinas,education_field,education_level,position,")
    id_ = browser.get("/admin/staff/import/template?format=csv&language=id").data.decode("utf-8-sig")
    assert id_.startswith("Nama;Dinas;Bidang Pendidikan;Jenjang Pendidikan;Jabatan;")
    xlsx = browser.get("/admin/staff/import/template?format=xlsx&language=id")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "Nama" and sheet["B2"].value == "Dinas Sosial Kota Batam"
    assert _upload(browser, xlsx.data, "template.xlsx").status_code == 303
    assert _upload(browser, en.data).status_code == 303  # the same row again: changed (English "yes", other text)
    assert _count(db) == 1
    assert browser.get("/admin/staff/import/template?format=pdf").status_code == 404
    assert browser.get("/admin/staff/import/template?language=fr").status_code == 404


@pytest.fixture()
def staff(world, db):
    set_routes(world, db)
    return generate(world, db)


def _totals(page: str) -> dict[str, int]:
    return {
        name: int(value.replace(",", ""))
        for name, value in re.findall(
            r'<tr data-count="(\w+)"><th scope="row">.*?</th><td class="num">([\d,]+)</td>', page
        )
    }


def _levels(page: str) -> dict[str, int]:
    """The table of staff by functional-position level: code → count (the rows shown: those not 0)."""
    rows = re.findall(r'<tr data-level="(\w+)"><th scope="row">.*?</th><td class="num">([\d,]+)</td>', page)
    return {level: int(value.replace(",", "")) for level, value in rows}


def test_the_figures_page_shows_each_scope_and_its_lists_download(app, world, db, staff):
    kepri = {world.batam.id, world.bintan.id, world.dinas_kepri.id}
    for user, ids in (
        (world.admin_batam, {world.batam.id}),
        (world.admin_kepri, kepri),
        (world.sysadmin, None),
    ):
        browser = admin_browser(app, user)
        page = browser.get("/admin/staff/figures").text
        want = expected_counts(staff, ids)
        totals = _totals(page)
        assert totals["staff"] == want["staff"] and totals["needs_education"] == want["needs_education"]
        assert totals["could_apply"] == want["could_apply"] and totals["route_rpl"] == want["by_route"]["rpl"]
        levels = _levels(page)
        assert levels == {k: n for k, n in want["by_level"].items() if n}
        assert "Penyuluh Sosial Ahli Madya" in page and "Not known" in page
        assert '<svg class="fig-chart" id="chart-background"' in page
        csv_ = browser.get("/admin/staff/figures?list=needs_education&format=csv").data.decode("utf-8-sig")
        assert len(csv_.strip().splitlines()) == 1 + want["needs_education"]
        everyone = list(
            csv.DictReader(
                io.StringIO(browser.get("/admin/staff/figures?list=all&format=csv").data.decode("utf-8-sig"))
            )
        )
        mine = [r for r in staff if ids is None or r["dinas"] in ids]
        assert Counter(r["functional_level"] for r in everyone) == Counter(r["level"] or "" for r in mine)
        xlsx = browser.get("/admin/staff/figures?list=could_apply&format=xlsx")
        assert load_workbook(io.BytesIO(xlsx.data)).active.max_row == 1 + want["could_apply"]
    kepri_admin = admin_browser(app, world.admin_kepri)
    page = kepri_admin.get(f"/admin/staff/figures?dinas={world.bintan.id}").text
    assert _totals(page)["staff"] == expected_counts(staff, {world.bintan.id})["staff"]
    assert kepri_admin.get(f"/admin/staff/figures?dinas={world.pekanbaru.id}").status_code == 404
    assert kepri_admin.get(f"/admin/staff/figures?province={world.riau.id}").status_code == 404
    assert kepri_admin.get("/admin/staff/figures?list=nobody&format=csv").status_code == 404
    assert kepri_admin.get("/admin/staff/figures?list=all&format=pdf").status_code == 404
    sysadmin = admin_browser(app, world.sysadmin)
    page = sysadmin.get(f"/admin/staff/figures?province={world.riau.id}").text
    assert _totals(page)["staff"] == expected_counts(staff, {world.pekanbaru.id})["staff"]


def test_the_figures_page_runs_a_fixed_number_of_queries(app, world, db, staff):
    browser = admin_browser(app, world.sysadmin)
    browser.get("/admin/staff/figures")
    with count_queries() as before:
        browser.get("/admin/staff/figures")
    generate_more = [
        StaffMember(
            dinas_id=world.bintan.id, name=f"Baru {n}", education_field="other", education_level="SMA", position=""
        )
        for n in range(40)
    ]
    db.session.add_all(generate_more)
    db.session.commit()
    with count_queries() as after:
        browser.get("/admin/staff/figures")
    assert after[0] == before[0] < 20


def test_the_api_answers_the_callers_scope(client, world, db, staff):
    kepri = {world.batam.id, world.bintan.id, world.dinas_kepri.id}
    for user, ids in (
        (world.sysadmin, None),
        (world.certifier, None),
        (world.admin_kepri, kepri),
        (world.admin_batam, {world.batam.id}),
    ):
        r = client.get(URL, headers=token(client, user))
        assert r.status_code == 200
        body = r.get_json()
        want = expected_counts(staff, ids)
        assert {k: body[k] for k in want} == want
        assert body["scope"]["dinas_count"] == (None if ids is None else len(ids))
    headers = token(client, world.admin_kepri)
    r = client.get(f"{URL}?dinas={world.bintan.id}", headers=headers)
    assert r.get_json()["staff"] == expected_counts(staff, {world.bintan.id})["staff"]
    assert client.get(f"{URL}?dinas={world.pekanbaru.id}", headers=headers).status_code == 404
    assert client.get(f"{URL}?province={world.riau.id}", headers=headers).status_code == 404
    assert client.get(f"{URL}?dinas=abc", headers=headers).status_code == 422
    assert client.get(f"{URL}?dinas=0", headers=headers).status_code in (404, 422)
    assert client.get(URL, headers=token(client, world.candidate)).status_code == 403
    assert client.get(URL).status_code == 401


def test_the_register_is_paged_with_a_fixed_number_of_queries(app, world, db):
    for n in range(30):
        db.session.add(
            StaffMember(dinas_id=world.batam.id, name=f"Pegawai {n:02d}", education_field="other", education_level="S1")
        )
    db.session.commit()
    browser = admin_browser(app, world.admin_batam)
    with count_queries() as first:
        page1 = browser.get("/admin/staff").text
    with count_queries() as second:
        page2 = browser.get("/admin/staff?page=2").text
    assert page1.count("data-member=") == 25 and page2.count("data-member=") == 5
    assert "Pegawai 00" in page1 and "Pegawai 29" in page2 and "Pegawai 00" not in page2
    assert first[0] == second[0]
    assert browser.get("/admin/staff?page=99").text.count("data-member=") == 5  # past the end: the last page
    assert browser.get("/admin/staff?q=Pegawai%2007").text.count("data-member=") == 1
    assert browser.get("/admin/staff?field=peksos").text.count("data-member=") == 0
