"""routes: a scheme's eligibility routes as data

``schemes.routes`` holds the scheme's routes (``education``, ``experience``, ``rpl``), each a rule
set as ``workflows.eligibility.Route.as_data`` writes it; NULL means the scheme has no route data
yet and its routes follow from its older rules (``default_routes``).

Revision ID: 0015_routes
Revises: 0014_ux14
Create Date: 2026-12-03 07:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0015_routes"
down_revision = "0014_ux14"
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN on both databases: no table is rebuilt
    op.add_column(
        "schemes",
        sa.Column("routes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
    )


def downgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("schemes", schema=None) as batch_op:
        batch_op.drop_column("routes")
