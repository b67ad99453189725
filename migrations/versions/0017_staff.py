"""staff: the education-gap register, a dinas's staff (issue 13 item 5)

Revision ID: 0017_staff
Revises: 0016_positions
Create Date: 2026-12-03 07:45:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0017_staff"
down_revision = "0016_positions"
branch_labels = None
depends_on = None

FIELDS = ("peksos", "kesos", "other")
LEVELS = ("SMA", "D1", "D3", "D4", "S1", "S2", "S3")
FUNCTIONAL = ("terampil", "mahir", "penyelia", "pertama", "muda", "madya", "utama")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dinas_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("education_field", sa.String(length=16), nullable=False),
        sa.Column("education_level", sa.String(length=8), nullable=False),
        sa.Column("position", sa.String(length=160), nullable=False),
        sa.Column("functional_level", sa.String(length=16), nullable=True),
        sa.Column("practice_hours", sa.Integer(), nullable=True),
        sa.Column("training", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("education_field", FIELDS), name=op.f("ck_staff_members_education_field")),
        sa.CheckConstraint(_in("education_level", LEVELS), name=op.f("ck_staff_members_education_level")),
        sa.CheckConstraint(
            "functional_level IS NULL OR " + _in("functional_level", FUNCTIONAL),
            name=op.f("ck_staff_members_functional_level"),
        ),
        sa.CheckConstraint(
            "practice_hours IS NULL OR (practice_hours >= 0 AND practice_hours <= 100000)",
            name=op.f("ck_staff_members_practice_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["dinas_id"], ["dinas.id"], name=op.f("fk_staff_members_dinas_id_dinas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
        sa.UniqueConstraint("dinas_id", "name", name="uq_staff_members_dinas_name"),
    )
    op.create_index(op.f("ix_staff_members_dinas_id"), "staff_members", ["dinas_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_staff_members_dinas_id"), table_name="staff_members")
    op.drop_table("staff_members")
