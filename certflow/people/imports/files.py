"""Reading an import file: CSV (``,`` or ``;``, UTF-8 with or without BOM, else Windows-1252) or .xlsx.

``read_rows`` gives the data rows with their place in the file (the header is row 1; a CSV row
is numbered by the line it starts on), their cells by column, and what already makes a row
unreadable. File-level problems (too large, no header, not a table) are one ``AppError``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from certflow.core.errors import AppError
from certflow.people.imports.columns import known, read_header
from workflows.guards import N_, Msg

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"  # a zip archive: an .xlsx workbook
Reason = tuple[str | None, Msg, dict]  # (the column's header as the file writes it, or None; message id; params)


@dataclass
class Row:
    """One data row: where it is, its cells by column, what is wrong with it, what it becomes."""

    line: int
    cells: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)  # column → its header as the file writes it
    reasons: list[Reason] = field(default_factory=list)
    clean: dict = field(default_factory=dict)
    user: Any = None
    broken: bool = False  # not text or the wrong number of fields: not checked further

    def bad(self, column: str | None, message: Msg, **params) -> None:
        """Record a reason this row cannot be imported (``column``: the cell at fault, if one is)."""
        self.reasons.append((self.headers.get(column, column) if column else None, message, params))


def _too_many() -> AppError:
    return AppError(N_("The file has more than %(max)s rows; split it."), {"max": MAX_ROWS})


def read_rows(data: bytes, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[Row]:
    """The data rows of a CSV or .xlsx file whose header names ``columns`` (in any order, English or Indonesian).

    Columns in ``optional`` may be left out of the header and their cells left empty.
    """
    if len(data) > MAX_BYTES:
        raise AppError(
            N_("The file is larger than %(max)s MiB."), {"max": MAX_BYTES // 2**20}, status=413, code="too_large"
        )
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data, columns, optional)
    return _csv_rows(data, columns, optional)


def _decoded(raw: bytes) -> str | None:
    """A line as text: UTF-8, else Windows-1252 (a spreadsheet's "CSV"); None if it is neither."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(first_line: str, columns: tuple[str, ...]) -> str:
    """``,`` or ``;``: the one that splits the header row into more known column names."""
    scores = {d: known(next(csv.reader([first_line], delimiter=d), []), columns) for d in (",", ";")}
    return ";" if scores[";"] > scores[","] else ","


def _csv_rows(data: bytes, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[Row]:
    lines, undecodable = [], set()
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True), start=1):
        text = _decoded(raw)
        if text is None:
            undecodable.add(number)
            text = raw.decode("utf-8", "replace")
        lines.append(text)
    if 1 in undecodable or (lines and "\x00" in lines[0]):
        raise AppError(
            N_("The file is not text; save it as CSV (UTF-8) or as an Excel workbook (.xlsx)."),
            fields="file",
        )
    reader = csv.reader(lines, delimiter=_delimiter(lines[0] if lines else "", columns))
    try:
        header_cells = next(reader, [])
        header = read_header(header_cells, columns, optional)
        headers = {c: text for c, (_, text) in header.items()}
        width = len(header_cells)
        rows, end = [], 1
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise _too_many()
            row = _row(start, cells, header, headers, columns, optional)
            if undecodable.intersection(range(start, end + 1)):
                row.broken = True
                row.bad(None, N_("the row is not text; save the file as CSV (UTF-8)"))
            elif len(cells) < width or any(c.strip() for c in cells[width:]):
                row.broken = True
                row.bad(None, N_("expected %(expected)s cells, found %(found)s"), expected=width, found=len(cells))
            rows.append(row)
    except csv.Error as exc:
        raise AppError(
            N_("The file is not valid CSV (line %(line)s): %(error)s"), {"line": reader.line_num, "error": str(exc)}
        ) from exc
    return rows


def _row(
    line: int,
    cells: list[str],
    header: dict[str, tuple[int, str]],
    headers: dict[str, str],
    columns: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> Row:
    row = Row(line, {c: (cells[i].strip() if i < len(cells) else "") for c, (i, _) in header.items()}, headers)
    for column in columns:
        row.cells.setdefault(column, "")  # an optional column the file leaves out
    for column in header:
        if not row.cells[column] and column not in optional:
            row.bad(column, N_("empty"))
    return row


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: dates as YYYY-MM-DD, 5.0 as 5."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[Row]:
    """The first sheet of an .xlsx workbook, read as a CSV would be (row numbers as the sheet shows them)."""
    from openpyxl import load_workbook  # only when a workbook is sent

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(values_only=True, max_col=64)
        first = next(cells, None) or ()
        header = read_header([_cell_text(v) for v in first], columns, optional)
        headers = {c: text for c, (_, text) in header.items()}
        rows = []
        for number, values in enumerate(cells, start=2):
            texts = [_cell_text(v) for v in values]
            if not any(texts):
                continue
            if len(rows) == MAX_ROWS:
                raise _too_many()
            rows.append(_row(number, texts, header, headers, columns, optional))
        book.close()
    except AppError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a broken or foreign archive raises: the file's fault
        raise AppError(N_("The file is not a readable Excel workbook (.xlsx)."), fields="file") from exc
    return rows
