"""The template of an import file: its header and one example row, in English or Indonesian, CSV or .xlsx."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from certflow import clock
from certflow.extensions import db
from certflow.models import Dinas, Scheme, User
from certflow.people.imports.columns import header_names

LANGUAGES = ("en", "id")
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _example(columns: tuple[str, ...], importer: User, language: str) -> list:
    dinas = importer.dinas or db.session.scalar(select(Dinas).order_by(Dinas.name).limit(1))
    codes = db.session.scalars(select(Scheme.code).where(Scheme.active.is_(True)).order_by(Scheme.code).limit(2))
    expires = clock.today() + timedelta(days=730)
    example = {
        "email": "nama.lengkap@example.id",
        "name": "Nama Lengkap",
        "dinas": dinas.name if dinas is not None else "Dinas Sosial Kota Batam",
        "licence_number": "MET.000.000001.2024",
        "licence_expires": expires.strftime("%d/%m/%Y") if language == "id" else expires.isoformat(),
        "schemes": ";".join(codes) or "PSG",
        "max_load": 5,
        "education_field": "peksos",
        "education_level": "D4",
        "practice_hours": 1344,
    }
    return [example[c] for c in columns]


def template(columns: tuple[str, ...], importer: User, language: str = "en", fmt: str = "csv") -> bytes:
    """The file: the header in ``language`` and an example row with a dinas and schemes the importer may use.

    An Indonesian CSV is separated by ``;`` (as a spreadsheet set to Indonesian saves it); every
    CSV starts with a BOM, so that a spreadsheet opens it as UTF-8.
    """
    header, example = header_names(columns, language), _example(columns, importer, language)
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        sheet.append(example)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for letter, text in zip("ABCDEFGHIJ", header, strict=False):
            sheet.column_dimensions[letter].width = max(14, len(text) + 4)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";" if language == "id" else ",", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(example)
    return ("\ufeff" + text.getvalue()).encode()
