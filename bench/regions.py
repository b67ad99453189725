"""Indonesia's 38 provinces and 514 kab/kota, each with its Dinas Sosial, for the benchmark.

The 8 provinces and 132 kab/kota of Regional I Sumatera come from the application's own CSV
(real names); the other 30 provinces carry their real names and numbered kab/kota, so that
the country has 38 province dinas and 514 kab/kota dinas, as it does.
"""

from __future__ import annotations

import csv

from certflow.people.regions import DEFAULT_CSV

KAB_KOTA_TOTAL = 514

# BPS code and name of every province outside the CSV's region.
OTHER_PROVINCES = [
    ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"),
    ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"),
    ("33", "Jawa Tengah"),
    ("34", "DI Yogyakarta"),
    ("35", "Jawa Timur"),
    ("36", "Banten"),
    ("51", "Bali"),
    ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"),
    ("61", "Kalimantan Barat"),
    ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"),
    ("64", "Kalimantan Timur"),
    ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"),
    ("72", "Sulawesi Tengah"),
    ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"),
    ("75", "Gorontalo"),
    ("76", "Sulawesi Barat"),
    ("81", "Maluku"),
    ("82", "Maluku Utara"),
    ("91", "Papua"),
    ("92", "Papua Barat"),
    ("93", "Papua Selatan"),
    ("94", "Papua Tengah"),
    ("95", "Papua Pegunungan"),
    ("96", "Papua Barat Daya"),
]
PREFIX = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota"}


def country() -> tuple[list[tuple[str, str]], list[tuple[int, str, str]]]:
    """(provinces as (code, name), dinas as (province index, kind, area)); province dinas first of each."""
    provinces: list[tuple[str, str]] = []
    index: dict[str, int] = {}
    dinas: list[tuple[int, str, str]] = []
    with open(DEFAULT_CSV, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["province_code"].strip()
            if code not in index:
                index[code] = len(provinces)
                provinces.append((code, row["province"].strip()))
            dinas.append((index[code], row["kind"].strip(), row["name"].strip()))
    csv_kab_kota = sum(1 for _, kind, _ in dinas if kind != "provinsi")
    others = OTHER_PROVINCES[: 38 - len(provinces)]
    remaining = KAB_KOTA_TOTAL - csv_kab_kota
    for n, (code, name) in enumerate(others):
        p = len(provinces)
        provinces.append((code, name))
        dinas.append((p, "provinsi", name))
        share = remaining // len(others) + (1 if n < remaining % len(others) else 0)
        for k in range(1, share + 1):
            kind = "kota" if k % 5 == 0 else "kabupaten"
            dinas.append((p, kind, f"{name} {k:02d}"))
    return provinces, dinas


def dinas_name(kind: str, area: str) -> str:
    """The dinas's full name, as ``Dinas.full_name`` writes it."""
    return f"Dinas Sosial {PREFIX[kind]} {area}"
