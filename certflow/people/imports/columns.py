"""The columns of an import file: their names in English and in Indonesian, and the header row read.

A header cell is matched after folding case, spaces, ``_`` and punctuation (``Nomor Lisensi``,
``nomor_lisensi`` and ``NOMOR LISENSI`` are one name), in any order, each column once.
"""

from __future__ import annotations

import re

from certflow.core.errors import AppError
from workflows.guards import N_

ASSESSOR_COLUMNS = ("email", "name", "dinas", "licence_number", "licence_expires", "schemes", "max_load")
CANDIDATE_COLUMNS = ("email", "name", "dinas", "education_field", "education_level", "practice_hours")

# Each column: its Indonesian header (the template's), then every other name accepted for it.
INDONESIAN = {
    "email": ("Email", "e-mail", "surel", "alamat email", "alamat surel"),
    "name": ("Nama", "nama lengkap"),
    "dinas": ("Dinas", "dinas sosial", "nama dinas"),
    "licence_number": ("Nomor Lisensi", "no lisensi", "nomor registrasi", "no registrasi", "license number"),
    "licence_expires": ("Lisensi Berlaku Sampai", "masa berlaku lisensi", "berlaku sampai", "license expires"),
    "schemes": ("Skema", "kode skema"),
    "max_load": ("Beban Maksimal", "beban maks", "beban maksimum"),
    "education_field": ("Bidang Pendidikan",),
    "education_level": ("Jenjang Pendidikan", "pendidikan terakhir"),
    "practice_hours": ("Jam Praktik", "jam praktek"),
    "position": ("Jabatan", "posisi", "jabatan saat ini"),
    "functional_level": ("Jenjang Jabatan Fungsional", "jenjang jf", "jenjang jabatan", "jf level"),
    "training": ("Diklat", "pelatihan", "sudah diklat"),
}


def fold(text: str) -> str:
    """A header cell as compared: lower case, words separated by one space, no punctuation."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


_NAMES = {fold(name): column for column, names in INDONESIAN.items() for name in (column, *names)}


def header_names(columns: tuple[str, ...], language: str) -> list[str]:
    """The header row of a template in ``language`` (``en``: the column names; ``id``: Indonesian)."""
    return [INDONESIAN[c][0] if language == "id" else c for c in columns]


def known(cells: list[str], columns: tuple[str, ...]) -> int:
    """How many of ``cells`` name one of ``columns`` (to tell the file's delimiter)."""
    return sum(1 for cell in cells if _NAMES.get(fold(cell)) in columns)


def read_header(
    cells: list[str], columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, tuple[int, str]]:
    """Each column → (its position in the file, its header as the file writes it); refused unless all are there once.

    A column in ``optional`` may be missing.
    """
    found: dict[str, tuple[int, str]] = {}
    unknown, twice = [], []
    for position, cell in enumerate(cells):
        text = str(cell).strip()
        if not text:
            continue
        column = _NAMES.get(fold(text))
        if column not in columns:
            unknown.append(text)
        elif column in found:
            twice.append(text)
        else:
            found[column] = (position, text)
    missing = [c for c in columns if c not in found and c not in optional]
    if missing or unknown or twice:
        raise AppError(
            N_(
                "The header row must name these columns, each once: %(columns)s (or in Indonesian: %(indonesian)s)."
                " Missing: %(missing)s. Not known: %(unknown)s. Twice: %(twice)s."
            ),
            {
                "columns": ", ".join(columns),
                "indonesian": ", ".join(header_names(columns, "id")),
                "missing": ", ".join(missing) or "–",
                "unknown": ", ".join(unknown) or "–",
                "twice": ", ".join(twice) or "–",
            },
            fields="file",
        )
    return found
