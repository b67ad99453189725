"""The education-gap register: figures checked against counts made here in plain Python; the import.

The schemes' routes are set here to known rules, and the expected standing of each generated
employee is worked out from those rules directly (not through ``workflows.eligibility``).
"""

from __future__ import annotations

import io
import itertools

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from certflow.people.imports import ImportRejected
from certflow.staff import figures as register
from certflow.staff.models import StaffMember
from certflow.staff.operations import import_staff
from workflows.eligibility import Route
from workflows.identity import JF_LEVELS

LEVELS = ("SMA", "D1", "D3", "D4", "S1", "S2", "S3")


def rank(level: str) -> int:
    return LEVELS.index(level)


def set_routes(world, db) -> None:
    """PSG: education (peksos/kesos, D4 up), experience (D3 up, 1,344 hours, training); PNY: rpl only (S1, 3,000 h)."""
    world.scheme.routes = [
        Route("education", ("peksos", "kesos"), "D4").as_data(),
        Route("experience", (), "D3", 1344, True).as_data(),
        Route("rpl", (), None, 0, False, (), enabled=False).as_data(),
    ]
    world.other_scheme.routes = [Route("rpl", (), "S1", 3000).as_data()]
    db.session.commit()


def expected_of(field: str, level: str, hours: int | None, training: bool) -> dict:
    """The standing of one employee under ``set_routes``, worked out by hand."""
    hours = hours or 0
    education = field in ("peksos", "kesos") and rank(level) >= rank("D4")
    experience = rank(level) >= rank("D3") and hours >= 1344 and training
    rpl = rank(level) >= rank("S1") and hours >= 3000
    could = education or experience or rpl
    # not open: more hours or the training would open experience (D3 up) or rpl (S1 up, so D3 up too)
    standing = "could_apply" if could else ("needs_practice" if rank(level) >= rank("D3") else "needs_education")
    return {"education": education, "experience": experience, "rpl": rpl, "standing": standing}


def generate(world, db) -> list[dict]:
    """Staff over four dinas, every mix of field, level, hours and training."""
    dinas = [world.batam, world.bintan, world.dinas_kepri, world.pekanbaru]
    rows = []
    combos = itertools.product(("peksos", "kesos", "other"), LEVELS, (None, 0, 1500, 3200), (False, True))
    for n, (field, level, hours, training) in enumerate(combos):
        d = dinas[n % 4] if n % 7 else world.batam  # Batam gets more
        functional = (*JF_LEVELS, None)[n % (len(JF_LEVELS) + 1)]
        db.session.add(
            StaffMember(
                dinas_id=d.id,
                name=f"Pegawai {n:03d}",
                education_field=field,
                education_level=level,
                position="Staf",
                functional_level=functional,
                practice_hours=hours,
                training=training,
            )
        )
        rows.append({"dinas": d.id, "field": field, "level": functional, **expected_of(field, level, hours, training)})
    db.session.commit()
    return rows


def expected_counts(rows: list[dict], dinas_ids) -> dict:
    mine = [r for r in rows if dinas_ids is None or r["dinas"] in dinas_ids]
    return {
        "staff": len(mine),
        "peksos_kesos": sum(1 for r in mine if r["field"] != "other"),
        "other": sum(1 for r in mine if r["field"] == "other"),
        "could_apply": sum(1 for r in mine if r["standing"] == "could_apply"),
        "needs_practice": sum(1 for r in mine if r["standing"] == "needs_practice"),
        "needs_education": sum(1 for r in mine if r["standing"] == "needs_education"),
        "by_route": {k: sum(1 for r in mine if r[k]) for k in ("education", "experience", "rpl")},
        "by_level": {
            level: sum(1 for r in mine if (r["level"] or "not_known") == level) for level in (*JF_LEVELS, "not_known")
        },
    }


@pytest.fixture()
def staff(world, db):
    set_routes(world, db)
    return generate(world, db)


def _only(counts: dict) -> dict:
    return {k: counts[k] for k in ("staff", "peksos_kesos", "other", *register.STANDINGS, "by_route", "by_level")}


def test_the_figures_match_counts_made_by_hand_for_every_scope(world, db, staff):
    kepri = {world.batam.id, world.bintan.id, world.dinas_kepri.id}
    for ids in (None, kepri, {world.batam.id}, {world.pekanbaru.id}):
        persons = register.people(None if ids is None else sorted(ids))
        counts = register.figures(persons)
        assert _only(counts) == expected_counts(staff, ids)
    counts = register.figures(register.people(None))
    assert counts["staff"] == 168 and 0 < counts["needs_education"] < counts["staff"]
    assert counts["could_apply"] and counts["needs_practice"]
    by_dinas = {row["id"]: row for row in counts["by_dinas"]}
    for d in (world.batam, world.bintan, world.dinas_kepri, world.pekanbaru):
        assert _only(by_dinas[d.id]) == expected_counts(staff, {d.id})
    by_province = {row["id"]: row for row in counts["by_province"]}
    assert _only(by_province[world.kepri.id]) == expected_counts(staff, kepri)
    assert _only(by_province[world.riau.id]) == expected_counts(staff, {world.pekanbaru.id, world.dinas_riau.id})


def test_each_list_holds_exactly_its_people(world, db, staff):
    persons = register.people(None)
    by_name = {p.name: p for p in persons}
    for name, want in (
        ("could_apply", [r for r in staff if r["standing"] == "could_apply"]),
        ("needs_education", [r for r in staff if r["standing"] == "needs_education"]),
        ("route_rpl", [r for r in staff if r["rpl"]]),
        ("other", [r for r in staff if r["field"] == "other"]),
    ):
        assert len(register.listed(persons, name)) == len(want)
    # one person open by two routes of two schemes
    p = next(
        p
        for p in by_name.values()
        if p.education_field == "kesos" and p.education_level == "S2" and p.practice_hours == 3200 and p.training
    )
    assert p.open == {"education": ["PSG"], "experience": ["PSG"], "rpl": ["PNY"]}


def test_an_inactive_scheme_opens_nothing(world, db, staff):
    world.other_scheme.active = False
    db.session.commit()
    counts = register.figures(register.people(None))
    assert counts["by_route"]["rpl"] == 0


def _count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(StaffMember.id)))


HEADER_ID = "Nama;Dinas;Bidang Pendidikan;Jenjang Pendidikan;Jabatan;Jenjang Jabatan Fungsional;Jam Praktik;Diklat\r\n"


def test_a_semicolon_file_with_a_bom_in_indonesian_imports_and_again_changes_nothing(world, db):
    text = HEADER_ID + (
        "Ani Lestari;Dinas Sosial Kota Batam;other;S1;Staf Rehabilitasi;pertama;1500;ya\r\n"
        "Budi Santoso;Dinas Sosial Kabupaten Bintan;peksos;D4;;;;\r\n"
    )
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    assert import_staff(world.admin_kepri, data) == (2, 0)
    db.session.commit()
    assert import_staff(world.admin_kepri, data) == (0, 2)
    ani = db.session.scalar(select(StaffMember).where(StaffMember.name == "Ani Lestari"))
    assert (ani.education_field, ani.functional_level) == ("other", "peksos_ahli_pertama")
    assert (ani.practice_hours, ani.training) == (1500, True)
    # the same name on the same dinas updates the entry
    changed = text.replace("other;S1;Staf Rehabilitasi;pertama;1500;ya", "kesos;S2;Kepala Seksi;muda;2000;tidak")
    assert import_staff(world.admin_kepri, changed.encode()) == (1, 1)
    db.session.commit()
    db.session.refresh(ani)
    assert (ani.education_field, ani.education_level, ani.training) == ("kesos", "S2", False)
    assert _count(db) == 2


def test_cp1252_and_english_headers_without_the_optional_columns(world, db):
    data = ("name,dinas,education_field,education_level\r\nJosé Müller,Dinas Sosial Kota Batam,other,SMA\r\n").encode(
        "cp1252"
    )
    assert import_staff(world.admin_batam, data) == (1, 0)
    db.session.commit()
    assert db.session.scalar(select(StaffMember.name)) == "José Müller"


def test_an_xlsx_workbook_imports(world, db):
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "Dinas", "Bidang Pendidikan", "Jenjang Pendidikan", "Jam Praktik", "Diklat"])
    sheet.append(["Citra Dewi", "Dinas Sosial Kota Batam", "kesos", "D3", 2000, "ya"])
    sheet.append(["Dedi Kurnia", "Dinas Sosial Kota Batam", "other", "S1", None, None])
    out = io.BytesIO()
    book.save(out)
    assert import_staff(world.admin_batam, out.getvalue()) == (2, 0)
    db.session.commit()
    assert _count(db) == 2


def test_every_bad_row_is_named_and_nothing_is_imported(world, db):
    data = (
        b"name,dinas,education_field,education_level,practice_hours,training,functional_level\n"
        b"Good Person,Dinas Sosial Kota Batam,other,S1,10,yes,\n"
        b",Dinas Sosial Kota Batam,other,S1,,,\n"
        b"Bad Field,Dinas Sosial Kota Batam,psychology,S1,,,\n"
        b"Bad Level,Dinas Sosial Kota Batam,other,S9,-4,maybe,ketua\n"
        b"Elsewhere,Dinas Sosial Kota Pekanbaru,other,S1,,,\n"
        b"Nowhere,Dinas Sosial Kota Atlantis,other,S1,,,\n"
        b"Good Person,Dinas Sosial Kota Batam,other,S1,,,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_staff(world.admin_batam, data)
    bad = {line: [col for col, _msg, _params in reasons] for line, reasons in caught.value.rows}
    assert bad == {
        3: ["name"],
        4: ["education_field"],
        5: ["education_level", "functional_level", "practice_hours", "training"],
        6: ["dinas"],
        7: ["dinas"],
        8: ["name"],
    }
    assert _count(db) == 0


def test_the_levels_people_type_are_stored_as_the_application_forms_codes(world, db):
    text = HEADER_ID + (
        "Ani;Dinas Sosial Kota Batam;other;S1;Penyuluh Sosial;Ahli Pertama;;\r\n"
        "Budi;Dinas Sosial Kota Batam;other;S1;Pekerja Sosial;Ahli Pertama;;\r\n"
        "Citra;Dinas Sosial Kota Batam;other;S1;Staf Administrasi;Penyuluh Sosial Mahir;;\r\n"
        "Dodi;Dinas Sosial Kota Batam;other;S1;;peksos_ahli_madya;;\r\n"
        "Eka;Dinas Sosial Kota Batam;other;S1;Penyuluh Sosial;terampil;;\r\n"
        "Fitri;Dinas Sosial Kota Batam;other;S1;Kepala Seksi;tidak ada;;\r\n"
        "Gilang;Dinas Sosial Kota Batam;other;S1;Kepala Seksi;;;\r\n"
    )
    assert import_staff(world.admin_batam, text.encode()) == (7, 0)
    db.session.commit()
    stored = dict(db.session.execute(select(StaffMember.name, StaffMember.functional_level)).all())
    assert stored == {
        "Ani": "penyuluh_ahli_pertama",
        "Budi": "peksos_ahli_pertama",
        "Citra": "penyuluh_mahir",
        "Dodi": "peksos_ahli_madya",
        "Eka": "penyuluh_terampil",
        "Fitri": "none",
        "Gilang": None,
    }
    assert import_staff(world.admin_batam, text.encode()) == (0, 7)  # the words again: the same codes, no change


def test_an_unknown_level_is_refused_with_what_to_write(world, db):
    text = HEADER_ID + (
        "Ani;Dinas Sosial Kota Batam;other;S1;Penyuluh Sosial;Ahli Mahir;;\r\n"
        f"Budi;Dinas Sosial Kota Batam;other;S1;;{'pertama ' * 40};;\r\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_staff(world.admin_batam, text.encode())
    column = "Jenjang Jabatan Fungsional"  # the column as the file heads it
    assert [(line, [r[0] for r in reasons]) for line, reasons in caught.value.rows] == [(2, [column]), (3, [column])]
    message = caught.value.rows[0][1][0][1]
    assert "Pekerja Sosial Ahli Pertama" in message and "tidak ada" in message
    assert _count(db) == 0


def test_the_demo_register_shows_the_gap_once(db):
    from certflow.people.regions import load_regions
    from certflow.staff.demo import seed_demo_staff

    load_regions()
    assert seed_demo_staff() == 36
    db.session.commit()
    assert seed_demo_staff() == 0
    counts = register.figures(register.people(None))
    assert counts["staff"] == 36 and counts["other"] > counts["peksos_kesos"]
