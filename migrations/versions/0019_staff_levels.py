"""staff levels: the register's functional-position level speaks APL-01's codes (peksos_ahli_pertama …)

Revision ID: 0019_staff_levels
Revises: 0017_staff
Create Date: 2026-12-03 11:30:00

The register kept seven level codes (``terampil`` … ``utama``) beside a free-text position; APL-01
keeps the track and the level in one code (``workflows.identity.JF_LEVELS``). The upgrade maps each
row: a position that names ``penyuluh`` is on the Penyuluh Sosial track, any other on the Pekerja
Sosial track; ``pertama``/``muda``/``madya``/``utama`` are the expert (``ahli_``) levels. The
downgrade maps back (the track is dropped; ``none``, which the old list lacks, becomes empty).
The lists are written out here, as they were at this revision, not imported.
"""

import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0019_staff_levels"
down_revision = "0017_staff"
branch_labels = None
depends_on = None

CHECK = "ck_staff_members_functional_level"
# The old code → the new code's level part, on either track.
LEVELS = {
    "terampil": "terampil",
    "mahir": "mahir",
    "penyelia": "penyelia",
    "pertama": "ahli_pertama",
    "muda": "ahli_muda",
    "madya": "ahli_madya",
    "utama": "ahli_utama",
}
TRACKS = ("peksos", "penyuluh")
NEW = (*(f"{track}_{level}" for track in TRACKS for level in LEVELS.values()), "none")
PENYULUH = "lower(position) LIKE '%penyuluh%'"


def _in(values) -> str:
    return f"functional_level IS NULL OR functional_level IN ({', '.join(repr(v) for v in values)})"


def _alter(*, drop_check: bool = False, length: int | None = None, values=None) -> None:
    """Drop the level's check, set the column's length, add a check listing ``values`` (one rebuild on SQLite)."""
    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("staff_members", schema=None) as batch_op:
            if drop_check:
                batch_op.drop_constraint(op.f(CHECK), type_="check")
            if length is not None:
                batch_op.alter_column("functional_level", type_=sa.String(length=length), existing_nullable=True)
            if values is not None:
                batch_op.create_check_constraint("functional_level", _in(values))


def _to_new_codes() -> None:
    for old, level in LEVELS.items():
        op.execute(
            "UPDATE staff_members SET functional_level = CASE WHEN "
            f"{PENYULUH} THEN 'penyuluh_{level}' ELSE 'peksos_{level}' END WHERE functional_level = '{old}'"
        )


def _to_old_codes() -> None:
    for old, level in LEVELS.items():
        new = ", ".join(f"'{track}_{level}'" for track in TRACKS)
        op.execute(f"UPDATE staff_members SET functional_level = '{old}' WHERE functional_level IN ({new})")
    op.execute("UPDATE staff_members SET functional_level = NULL WHERE functional_level = 'none'")


def upgrade():
    # Widened and unchecked while the rows are mapped (neither list holds both old and new codes).
    _alter(drop_check=True, length=24)
    _to_new_codes()
    _alter(values=NEW)


def downgrade():
    # The old codes fit the old length only once every row is mapped back: map, then narrow.
    _alter(drop_check=True)
    _to_old_codes()
    _alter(length=16, values=tuple(LEVELS))
