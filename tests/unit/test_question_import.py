"""The spreadsheet reader and the key parser: no database, no request (pure input handling)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from certflow.assessment.instruments import parse_key
from certflow.assessment.question_import import HEADERS, KIND_NAMES, TEMPLATE_HEADER, read_rows
from certflow.core.errors import AppError


@pytest.mark.parametrize(
    ("value", "n", "expected"),
    [
        ("A", 4, 0),
        ("b", 4, 1),
        (" D ", 4, 3),
        ("1", 4, 0),
        ("4", 4, 3),
        ("E", 4, None),
        ("5", 4, None),
        ("0", 4, None),
        ("", 4, None),
        (None, 4, None),
        ("AB", 4, None),
        ("٣", 4, None),
        (2, 3, 1),
    ],
)
def test_parse_key(value, n, expected):
    assert parse_key(value, n) == expected


def test_csv_sniffs_the_separator_and_skips_empty_rows():
    sheet = read_rows("x.csv", b"a;b;c\n\n1;2;3\n;;\n4;5\n")
    assert sheet.header == ["a", "b", "c"]
    assert sheet.rows == [(3, ["1", "2", "3"]), (5, ["4", "5"])]


def test_csv_line_numbers_count_quoted_newlines():
    sheet = read_rows("x.csv", b'a,b\n"multi\nline",x\ny,z\n')
    assert sheet.rows == [(2, ["multi\nline", "x"]), (4, ["y", "z"])]


def test_utf8_bom_and_cp1252_fallback():
    assert read_rows("x.csv", "\ufeffsoal;kunci\nKoperasi é;A\n".encode()).rows == [(2, ["Koperasi é", "A"])]
    assert read_rows("x.csv", "soal;kunci\nNa\xefve;B\n".encode("cp1252")).rows == [(2, ["Naïve", "B"])]


def test_xlsx_numbers_and_empty_cells_become_text():
    book = Workbook()
    for row in (["Kode Unit", "Kunci"], ["U1", 2], [None, None], ["U2", 3.0]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    sheet = read_rows("bank.xlsx", data.getvalue())
    assert sheet.header == ["kode unit", "kunci"]
    assert sheet.rows == [(2, ["U1", "2"]), (4, ["U2", "3"])]


def test_file_level_problems_are_refused():
    with pytest.raises(AppError):
        read_rows("x.csv", b"")
    with pytest.raises(AppError):
        read_rows("x.xlsx", b"not a workbook")
    with pytest.raises(AppError) as exc:
        read_rows("x.csv", b"a\n" + b"x" * (3 * 1024 * 1024))
    assert exc.value.status == 413


def test_the_template_header_is_understood_and_every_kind_has_an_indonesian_name():
    known = {name for names in HEADERS.values() for name in names}
    assert set(TEMPLATE_HEADER) <= known
    assert {"pilihan ganda", "esai", "lisan", "portofolio"} <= set(KIND_NAMES)
    assert set(KIND_NAMES.values()) == {"multiple_choice", "essay", "oral", "portfolio"}
