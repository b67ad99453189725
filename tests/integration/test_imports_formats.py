"""Import files as Indonesian offices write them: ``;`` CSVs, BOMs, Windows-1252, .xlsx, Indonesian headers.

Every bad row is named (row, column as the file heads it, what) in Indonesian for an Indonesian
reader; an import is still all or nothing, and importing the same file again changes nothing.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from certflow import clock
from certflow.core.errors import AppError
from certflow.models import Assessor, OutboxMessage, User
from certflow.people.imports import (
    ASSESSOR_COLUMNS,
    CANDIDATE_COLUMNS,
    ImportRejected,
    header_names,
    import_assessors,
    import_candidates,
    read_rows,
)
from certflow.people.imports.checks import scheme_codes
from certflow.people.imports.columns import fold

BATAM = "Dinas Sosial Kota Batam"
ID_ASSESSOR = "Nama;Email;Dinas;Nomor Lisensi;Lisensi Berlaku Sampai;Skema;Beban Maksimal"


def _expires(days=500) -> date:
    return clock.today() + timedelta(days=days)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading ---------------------------------------------------------------------------------
def test_headers_fold_case_spaces_and_punctuation():
    assert fold(" Nomor_Lisensi ") == fold("NOMOR LISENSI") == fold("nomor-lisensi") == "nomor lisensi"


def test_a_semicolon_file_with_indonesian_headers_in_another_order():
    expires = _expires().strftime("%d/%m/%Y")
    data = f"{ID_ASSESSOR}\nAni;ani@example.id;{BATAM};MET-1;{expires};PSG, PNY;3\n".encode()
    [row] = read_rows(data, ASSESSOR_COLUMNS)
    assert row.line == 2 and row.cells["email"] == "ani@example.id" and row.cells["name"] == "Ani"
    assert row.cells["schemes"] == "PSG, PNY" and row.headers["schemes"] == "Skema" and not row.reasons


def test_a_bom_and_windows_1252_are_read():
    header = ",".join(CANDIDATE_COLUMNS)
    bom = "\ufeff".encode() + f"{header}\nj@x.id,José Ñoño,D,peksos,S1,1\n".encode()
    cp1252 = f"{header}\nj@x.id,José Ñoño – “Ibu”,D,peksos,S1,1\n".encode("cp1252")
    assert read_rows(bom, CANDIDATE_COLUMNS)[0].cells["name"] == "José Ñoño"
    assert read_rows(cp1252, CANDIDATE_COLUMNS)[0].cells["name"] == "José Ñoño – “Ibu”"


def test_a_comma_file_keeps_quoted_scheme_lists_and_a_trailing_empty_column():
    data = f'{",".join(ASSESSOR_COLUMNS)},\na@x.id,A,{BATAM},M,2030-01-01,"PSG,PNY",2,\n'.encode()
    [row] = read_rows(data, ASSESSOR_COLUMNS)
    assert not row.reasons and scheme_codes(row.cells["schemes"]) == ["PSG", "PNY"]
    assert scheme_codes("PSG; PNY ,") == ["PSG", "PNY"]


def test_an_xlsx_sheet_reads_dates_and_numbers_as_text_with_the_sheets_row_numbers():
    data = xlsx(
        [
            header_names(ASSESSOR_COLUMNS, "id"),
            ["a@x.id", "A", BATAM, "M-1", datetime(2031, 5, 6), "PSG", 3],
            [None] * 7,
            ["b@x.id", "B", BATAM, "M-2", date(2031, 5, 7), "PSG;PNY", 2.0],
        ]
    )
    rows = read_rows(data, ASSESSOR_COLUMNS)
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].cells["licence_expires"] == "2031-05-06" and rows[0].cells["max_load"] == "3"
    assert rows[1].cells["max_load"] == "2" and rows[1].headers["max_load"] == "Beban Maksimal"


@pytest.mark.parametrize(
    "data, says",
    [
        (b"PK\x03\x04 not really a workbook", "Excel"),
        (xlsx([["Nama", "Surel"]]), "header row"),
        ("email;nama\n".encode("utf-16"), "not text"),
        (b"email;nama;email\n", "Twice: email"),
    ],
)
def test_file_level_problems_are_one_error(data, says):
    with pytest.raises(AppError) as err:
        read_rows(data, CANDIDATE_COLUMNS)
    assert says in str(err.value)


# -- importing ---------------------------------------------------------------------------------
def test_an_indonesian_semicolon_file_imports_once(world, db):
    expires = _expires().strftime("%d/%m/%Y")
    data = (
        f"{ID_ASSESSOR}\n"
        f"Asesor Satu;satu@example.id;{BATAM};MET-1;{expires};PSG, PNY;3\n"
        f"Asesor Dua;dua@example.id;{BATAM};MET-2;{expires};PSG;2\n"
    ).encode()
    assert import_assessors(world.admin_batam, data) == (2, 0)
    db.session.commit()
    one = db.session.scalar(select(Assessor).join(User).where(User.email == "satu@example.id"))
    assert {r.scheme.code for r in one.scheme_rows} == {"PSG", "PNY"} and one.licence_expires == _expires()
    assert import_assessors(world.admin_batam, data) == (0, 2)


def test_an_xlsx_of_candidates_imports_once(world, db):
    data = xlsx(
        [
            ["Email", "Nama", "Dinas", "Bidang Pendidikan", "Jenjang Pendidikan", "Jam Praktik"],
            ["calon@example.id", "Calon Satu", BATAM, "kesos", "S1", 1500],
        ]
    )
    assert import_candidates(world.admin_batam, data) == (1, 0)
    db.session.commit()
    calon = db.session.scalar(select(User).where(User.email == "calon@example.id"))
    assert (calon.education_field, calon.practice_hours, calon.roles) == ("kesos", 1500, {"candidate"})
    assert import_candidates(world.admin_batam, data) == (0, 1)
    assert _count(db, OutboxMessage) == 1


def test_bad_rows_are_named_in_indonesian_with_row_column_and_what_and_nothing_is_imported(world, db):
    data = xlsx(
        [
            header_names(ASSESSOR_COLUMNS, "id"),
            ["baik@example.id", "Baik", BATAM, "M-1", _expires(), "PSG", 3],
            ["salah@example.id", "Salah", "Dinas Sosial Atlantis", "M-2", "31/02/2031", "PSG;XYZ", 99],
            ["baik@example.id", "", BATAM, "M-3", _expires(), "PSG", 3],
        ]
    )
    users = _count(db, User)
    with pytest.raises(ImportRejected) as rejected:
        import_assessors(world.admin_batam, data)
    with force_locale("id"):
        described = dict(rejected.value.described())
        message = rejected.value.text()
    assert sorted(described) == [3, 4] and "Baris bermasalah: 2" in message
    assert ("Dinas", "tidak ada dinas bernama Dinas Sosial Atlantis (tulis nama lengkapnya)") in described[3]
    assert (
        "Lisensi Berlaku Sampai",
        "31/02/2031 bukan tanggal (tulis seperti 31/12/2026 atau 2026-12-31)",
    ) in described[3]
    assert ("Skema", "tidak ada skema dengan kode XYZ") in described[3]
    assert any(col == "Beban Maksimal" and text.startswith("99 bukan bilangan bulat") for col, text in described[3])
    assert ("Nama", "kosong") in described[4] and ("Email", "baik@example.id juga ada di baris 2") in described[4]
    db.session.rollback()
    assert _count(db, User) == users and _count(db, Assessor) == 3 and _count(db, OutboxMessage) == 0
