"""Importing a question bank from a spreadsheet (.xlsx or CSV), all or nothing.

Two parts:

- ``read_rows(filename, data)`` — generic, reusable for any import: the header and the data rows
  of an .xlsx workbook (its first sheet) or a CSV file (``,`` or ``;`` sniffed; UTF-8 with or
  without a BOM, cp1252 as the fallback), each row with its line number in the file (the header
  is line 1) and its cells as text; empty rows are skipped.
- ``import_questions(scheme, filename, data)`` — the question bank: Indonesian or English headers
  (``HEADERS``), every bad row named (line, column, what is wrong, in the reader's language), and
  nothing written while any row is bad (``ImportRejected``, 422 with ``rows``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from certflow.assessment import instruments
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Scheme, Unit
from workflows.guards import N_

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000


@dataclass
class Sheet:
    """What a spreadsheet holds: its header (lower case, trimmed) and its data rows ``(line, cells)``."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, end = [], 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            out.append((start, [c.strip() for c in cells]))
    except csv.Error:
        raise AppError(
            N_("The file is not valid CSV (line %(line)s)."), {"line": reader.line_num}, fields="file"
        ) from None
    return out


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise AppError(N_("The file is not an .xlsx workbook that can be read."), fields="file") from None
    try:
        sheet = book.worksheets[0]
        return [
            (n, [_text(v) for v in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2), start=1)
        ]
    finally:
        book.close()


def read_rows(filename: str, data: bytes) -> Sheet:
    """The header and data rows of an .xlsx or CSV file (file-level problems: 413 / 422)."""
    if len(data) > MAX_BYTES:
        raise AppError(
            N_("The file is larger than %(max)s MiB."), {"max": MAX_BYTES // 2**20}, status=413, code="too_large"
        )
    is_xlsx = data[:4] == b"PK\x03\x04" or (filename or "").lower().endswith(".xlsx")
    lines = _read_xlsx(data) if is_xlsx else _read_csv(data)
    lines = [(n, cells) for n, cells in lines if any(c for c in cells)]
    if not lines:
        raise AppError(N_("The file is empty."), fields="file")
    if len(lines) > MAX_ROWS + 1:
        raise AppError(N_("The file has more than %(max)s rows; split it."), {"max": MAX_ROWS}, fields="file")
    header = [h.strip().lower().lstrip("\ufeff") for h in lines[0][1]]
    return Sheet(header, lines[1:])


# -- the question bank -------------------------------------------------------------------------

# Each column → the headers that name it (English and Indonesian), lower case.
HEADERS = {
    "unit": ("unit", "unit code", "kode unit"),
    "kind": ("kind", "type", "jenis"),
    "text": ("question", "text", "pertanyaan", "soal"),
    "a": ("a", "choice a", "option a", "pilihan a", "opsi a"),
    "b": ("b", "choice b", "option b", "pilihan b", "opsi b"),
    "c": ("c", "choice c", "option c", "pilihan c", "opsi c"),
    "d": ("d", "choice d", "option d", "pilihan d", "opsi d"),
    "e": ("e", "choice e", "option e", "pilihan e", "opsi e"),
    "key": ("key", "answer key", "kunci", "kunci jawaban"),
}
REQUIRED = ("unit", "kind", "text")
# The kinds as a spreadsheet may name them.
KIND_NAMES = {
    "multiple_choice": "multiple_choice",
    "multiple choice": "multiple_choice",
    "pilihan ganda": "multiple_choice",
    "pg": "multiple_choice",
    "essay": "essay",
    "esai": "essay",
    "esai/uraian": "essay",
    "uraian": "essay",
    "oral": "oral",
    "lisan": "oral",
    "pertanyaan lisan": "oral",
    "portfolio": "portfolio",
    "portofolio": "portfolio",
}
TEMPLATE_HEADER = ("kode unit", "jenis", "pertanyaan", "pilihan a", "pilihan b", "pilihan c", "pilihan d", "kunci")


def column_labels() -> dict[str, str]:
    """Each column as a reader names it (in the reader's language)."""
    return {
        "unit": _("unit code"),
        "kind": _("kind"),
        "text": _("question"),
        "choices": _("choices"),
        "key": _("key"),
    }


class ImportRejected(AppError):
    """Some rows are bad; ``rows`` is ``[{"line", "reason"}]``, every reason already in the reader's words."""

    def __init__(self, rows: list[dict]):
        super().__init__(
            N_("Rows with errors: %(count)s; nothing was imported."), {"count": len(rows)}, attach={"rows": rows}
        )
        self.rows = rows


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, names in HEADERS.items():
            if name in names and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise AppError(
            N_("The header row must name the columns %(columns)s (see the template)."),
            {"columns": ", ".join(TEMPLATE_HEADER[:3])},
            fields="file",
        )
    return found


def check_rows(scheme: Scheme, sheet: Sheet) -> tuple[list[dict], list[dict]]:
    """The questions the rows make, and every bad row: ``{"line", "reason"}`` naming the columns at fault."""
    columns = _columns(sheet.header)
    units = {
        code.lower(): uid
        for code, uid in db.session.execute(db.select(Unit.code, Unit.id).where(Unit.scheme_id == scheme.id)).all()
    }
    labels = column_labels()
    good, bad = [], []
    for line, cells in sheet.rows:

        def cell(column, cells=cells):
            i = columns.get(column)
            return cells[i] if i is not None and i < len(cells) else ""

        reasons = []
        unit_id = units.get(cell("unit").lower())
        if not cell("unit"):
            reasons.append((labels["unit"], _("it is empty")))
        elif unit_id is None:
            reasons.append((labels["unit"], _("this scheme has no unit %(code)s", code=cell("unit"))))
        kind_text = cell("kind").lower()
        kind = KIND_NAMES.get(kind_text, "" if kind_text else None)
        if kind is None:
            reasons.append((labels["kind"], _("it is empty")))
        elif not kind:
            reasons.append(
                (
                    labels["kind"],
                    _("%(value)s is not a kind: write pilihan ganda, esai, lisan or portofolio", value=cell("kind")),
                )
            )
        choices = [cell(c) for c in "abcde" if cell(c)]
        values, errors = instruments.question_values(kind or "essay", cell("text"), choices, cell("key"))
        for name, message in errors.items():
            reasons.append((labels.get(name, labels["text"]), message))
        if reasons:
            text = "; ".join(
                _("column %(column)s: %(problem)s", column=column, problem=problem) for column, problem in reasons
            )
            bad.append({"line": line, "reason": _("Row %(line)s: %(reasons)s", line=line, reasons=text)})
        elif kind:
            good.append({"unit_id": unit_id, **values, "kind": kind})
    return good, bad


def import_questions(scheme: Scheme, filename: str, data: bytes) -> int:
    """Check every row, then add them all to the scheme's banks (none if any row is bad); how many."""
    instruments.refuse_if_in_use(scheme)
    sheet = read_rows(filename, data)
    good, bad = check_rows(scheme, sheet)
    if bad:
        raise ImportRejected(bad)
    if not good:
        raise AppError(N_("The file has no question."), fields="file")
    return instruments.add_questions(scheme, good)


def template_csv() -> str:
    """The template: the header and one example row of each kind (``;``-separated, as Excel in Indonesia saves)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(
        (
            "U1",
            "pilihan ganda",
            "Apa tujuan asesmen awal?",
            "Memahami kebutuhan klien",
            "Menutup kasus",
            "Membuat laporan keuangan",
            "Menolak rujukan",
            "A",
        )
    )
    writer.writerow(("U1", "esai", "Jelaskan langkah-langkah asesmen awal.", "", "", "", "", ""))
    writer.writerow(("U1", "lisan", "Bagaimana Anda membangun relasi dengan klien?", "", "", "", "", ""))
    writer.writerow(("U1", "portofolio", "Laporan asesmen kasus minimal 2 klien.", "", "", "", "", ""))
    return "\ufeff" + out.getvalue()
