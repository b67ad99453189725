"""agreements: FR.AK.01, the assessment agreement of an application, signed by candidate and lead

Revision ID: 0005_agreements
Revises: 0004_invariants
Create Date: 2026-12-02 10:15:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# revision identifiers, used by Alembic.
revision = "0005_agreements"
down_revision = "0004_invariants"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_at", sa.Time(), nullable=False),
        sa.Column("venue", sa.String(length=255), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("signed_by_candidate_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_lead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_agreements_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["assessors.id"], name=op.f("fk_agreements_lead_id_assessors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("application_id", name=op.f("uq_agreements_application_id")),
    )


def downgrade():
    op.drop_table("agreements")
