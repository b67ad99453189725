"""profile_training: a candidate's training (diklat) and position kept from registration

The self-check asks whether the person has done the scheme's training and their current position;
registration keeps both answers on the account (``users.training``, ``users.position``) so the first
APL-01 starts from them, as it does from the education and hours. NULL: not answered.

Revision ID: 0020_profile_training
Revises: 0019_staff_levels
Create Date: 2026-12-03 11:30:00

"""

import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0020_profile_training"
down_revision = "0019_staff_levels"
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN on both databases: no table is rebuilt
    op.add_column("users", sa.Column("training", sa.Boolean(), nullable=True))
    op.add_column("users", sa.Column("position", sa.String(length=120), nullable=True))


def downgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("position")
        batch_op.drop_column("training")
