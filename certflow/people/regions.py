"""Loading provinces and kab/kota, each with its Dinas Sosial, from the region's CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Dinas, Province

DEFAULT_CSV = Path(__file__).resolve().parent.parent / "data" / "regional-1-sumatera.csv"


def load_regions(path: str | Path = DEFAULT_CSV, region: str = "Regional I Sumatera") -> tuple[int, int]:
    """Create the provinces and dinas of the CSV that do not exist yet; return (provinces, dinas) added."""
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    existing = set(db.session.scalars(select(Dinas.name)))
    added_p = added_d = 0
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, kind, area = row["province_code"].strip(), row["kind"].strip(), row["name"].strip()
            province = provinces.get(code)
            if province is None:
                province = Province(code=code, name=row["province"].strip(), region=region)
                db.session.add(province)
                provinces[code] = province
                added_p += 1
            name = Dinas.full_name(kind, area)
            if name not in existing:
                db.session.add(Dinas(name=name, area=area, kind=kind, province=province))
                existing.add(name)
                added_d += 1
    db.session.flush()
    return added_p, added_d
