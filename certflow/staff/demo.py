"""The demo's staff register: Kepri dinas staff, most without a peksos/kesos degree (as the 2018 meeting found)."""

from __future__ import annotations

from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Dinas
from certflow.staff.models import StaffMember

FIRST = ("Ahmad", "Bunga", "Citra", "Dodi", "Eka", "Fitri", "Gilang", "Hana", "Indra", "Joko", "Kiki", "Lina")
LAST = ("Pratama", "Sari", "Wijaya", "Putri", "Siregar", "Harahap")
# (field, level, hours, training, position, functional level), cycled over the staff
PROFILES = (
    ("other", "S1", 0, False, "Staf Bidang Rehabilitasi Sosial", None),
    ("other", "S1", 1500, True, "Pendamping PKH", None),
    ("other", "D3", 400, False, "Staf Administrasi", None),
    ("peksos", "D4", 2400, True, "Pekerja Sosial", "peksos_ahli_pertama"),
    ("other", "SMA", 3000, True, "Pendamping Lapangan", None),
    ("kesos", "S1", 800, False, "Penyuluh Sosial", "penyuluh_ahli_pertama"),
    ("other", "S2", 1400, False, "Kepala Seksi", None),
    ("other", "S1", 200, False, "Staf Perlindungan Sosial", None),
)
DINAS = (
    "Dinas Sosial Provinsi Kepulauan Riau",
    "Dinas Sosial Kota Batam",
    "Dinas Sosial Kota Tanjungpinang",
    "Dinas Sosial Kabupaten Bintan",
)


def seed_demo_staff() -> int:
    """Add the demo staff (none if the register already has them); how many were added."""
    if db.session.scalar(select(StaffMember.id).limit(1)) is not None:
        return 0
    dinas = {d.name: d for d in db.session.scalars(select(Dinas).where(Dinas.name.in_(DINAS)))}
    added = 0
    for n in range(36):
        home = dinas.get(DINAS[n % len(DINAS)])
        if home is None:
            continue
        field, level, hours, training, position, functional = PROFILES[n % len(PROFILES)]
        db.session.add(
            StaffMember(
                dinas_id=home.id,
                name=f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]} {n + 1}",
                education_field=field,
                education_level=level,
                position=position,
                functional_level=functional,
                practice_hours=hours,
                training=training,
            )
        )
        added += 1
    db.session.flush()
    return added
