"""records: FR.AK.02 per unit (unit_records) and FR.AK.03, the candidate's feedback

Revision ID: 0007_records
Revises: 0008_instruments
Create Date: 2026-12-02 19:10:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# revision identifiers, used by Alembic.
revision = "0007_records"
down_revision = "0008_instruments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("methods", JSON, nullable=False),
        sa.Column("result", sa.String(length=2), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("result IS NULL OR result IN ('K', 'BK')", name=op.f("ck_unit_records_result")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_unit_records_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["assessors.id"], name=op.f("fk_unit_records_recorded_by_id_assessors")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_unit_records_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_records")),
        sa.UniqueConstraint("application_id", "unit_id", name=op.f("uq_unit_records_application_id")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_feedback_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("application_id", name=op.f("uq_feedback_application_id")),
    )


def downgrade():
    op.drop_table("feedback")
    op.drop_table("unit_records")
