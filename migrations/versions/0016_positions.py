"""positions: the functional positions (jabatan fungsional) and their levels, as data the system admin edits

Revision ID: 0016_positions
Revises: 0015_routes
Create Date: 2026-12-03 07:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_positions"
down_revision = "0015_routes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "functional_positions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_id", sa.String(160), nullable=False),
        sa.Column("name_en", sa.String(160), nullable=False),
        sa.Column("summary_id", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("regulation_id", sa.Text(), nullable=False),
        sa.Column("regulation_en", sa.Text(), nullable=False),
        sa.Column("regulation_to_confirm", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.UniqueConstraint("code", name=op.f("uq_functional_positions_code")),
    )
    op.create_table(
        "position_levels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "functional_position_id",
            sa.Integer(),
            sa.ForeignKey("functional_positions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("track", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_id", sa.String(80), nullable=False),
        sa.Column("name_en", sa.String(80), nullable=False),
        sa.Column("asks_id", sa.Text(), nullable=False),
        sa.Column("asks_en", sa.Text(), nullable=False),
        sa.Column("asks_to_confirm", sa.Boolean(), nullable=False),
        sa.Column("certification_id", sa.Text(), nullable=False),
        sa.Column("certification_en", sa.Text(), nullable=False),
        sa.Column("certification_to_confirm", sa.Boolean(), nullable=False),
        sa.Column("scheme_codes", sa.String(255), nullable=False),
        sa.CheckConstraint("track IN ('skilled', 'expert', 'single')", name=op.f("ck_position_levels_track")),
    )
    op.create_index(
        op.f("ix_position_levels_functional_position_id"), "position_levels", ["functional_position_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_position_levels_functional_position_id"), table_name="position_levels")
    op.drop_table("position_levels")
    op.drop_table("functional_positions")
