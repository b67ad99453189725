"""Migration 0019_staff_levels: the register's old level codes become APL-01's, and back, with rows.

Each run migrates a database of its own (SQLite file, fresh PostgreSQL database) to the revision
before, writes staff rows with the old codes in plain SQL, upgrades, checks every row's new code
and the new check, then downgrades and checks the old codes again.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from certflow.extensions import db
from tests.integration import test_migrations
from tests.integration.test_migrations import _app_on

empty_database = test_migrations.empty_database  # the fixture: an empty SQLite and PostgreSQL database
REVISION = "0019_staff_levels"
# (name, position, old code, new code, old code after the downgrade)
ROWS = [
    ("Ani", "Penyuluh Sosial", "pertama", "penyuluh_ahli_pertama", "pertama"),
    ("Budi", "Pekerja Sosial", "pertama", "peksos_ahli_pertama", "pertama"),
    ("Citra", "PENYULUH SOSIAL KABUPATEN", "mahir", "penyuluh_mahir", "mahir"),
    ("Dodi", "Staf Administrasi", "terampil", "peksos_terampil", "terampil"),
    ("Eka", "", "utama", "peksos_ahli_utama", "utama"),
    ("Fitri", "Penyuluh", "madya", "penyuluh_ahli_madya", "madya"),
    ("Gilang", "Kepala Seksi", "muda", "peksos_ahli_muda", "muda"),
    ("Hana", "Penyuluh Sosial", "penyelia", "penyuluh_penyelia", "penyelia"),
    ("Indra", "Staf", None, None, None),
]


def _levels() -> dict:
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT name, functional_level FROM staff_members")).all())


def _insert(conn, name: str, level: str | None, position: str = "") -> None:
    conn.execute(
        sa.text(
            "INSERT INTO staff_members (dinas_id, name, education_field, education_level, position, "
            "functional_level, training, updated_at) VALUES (1, :name, 'other', 'S1', :position, :level, false, "
            "CURRENT_TIMESTAMP)"
        ),
        {"name": name, "level": level, "position": position},
    )


def test_the_levels_are_mapped_up_and_down(empty_database, tmp_path):
    flask_app = _app_on(empty_database, tmp_path)
    with flask_app.app_context():
        try:
            script = ScriptDirectory.from_config(flask_app.extensions["migrate"].migrate.get_config())
            before = script.get_revision(REVISION).down_revision
            upgrade(revision=before)
            with db.engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO provinces (id, code, name, region) VALUES (1, '21', 'Kepri', 'R1')"))
                conn.execute(
                    sa.text(
                        "INSERT INTO dinas (id, name, area, kind, province_id) "
                        "VALUES (1, 'Dinas Sosial Kota Batam', 'Kota Batam', 'kota', 1)"
                    )
                )
                for name, position, old, _new, _back in ROWS:
                    _insert(conn, name, old, position)
            upgrade(revision=REVISION)
            assert _levels() == {name: new for name, _p, _old, new, _back in ROWS}
            with db.engine.begin() as conn:
                _insert(conn, "Joko", "none")  # the new list holds "none" and the long codes
                _insert(conn, "Kiki", "penyuluh_ahli_pertama")
            for bad in ("pertama", "ketua"):  # the old short codes are refused now
                with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                    _insert(conn, "Lina", bad)

            downgrade(revision=before)
            back = {name: old for name, _p, _o, _n, old in ROWS}
            assert _levels() == {**back, "Joko": None, "Kiki": "pertama"}
            # refused by the old check (SQLite) or already by the old length (PostgreSQL)
            with pytest.raises((sa.exc.IntegrityError, sa.exc.DataError)), db.engine.begin() as conn:
                _insert(conn, "Lina", "peksos_ahli_pertama")
        finally:
            db.session.remove()
            db.engine.dispose()
