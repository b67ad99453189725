"""portfolio_units: a portfolio document names the competency unit it is for

The ``rpl`` route asks a portfolio per unit of the scheme; ``documents.unit_id`` says which unit a
portfolio covers (NULL for every other kind, and when the unit is removed from the scheme).

Revision ID: 0021_portfolio_units
Revises: 0020_profile_training
Create Date: 2026-12-08 00:30:00

"""

import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0021_portfolio_units"
down_revision = "0020_profile_training"
branch_labels = None
depends_on = None


def upgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_documents_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_unit_id_units"), "units", ["unit_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_unit_id_units"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_unit_id"))
        batch_op.drop_column("unit_id")
