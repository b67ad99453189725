"""routes: a scheme's eligibility routes as data

``schemes.routes`` holds the scheme's routes (``education``, ``experience``, ``rpl``), each a rule
set as ``workflows.eligibility.Route.as_data`` writes it; NULL means the scheme has no route data
yet and its routes follow from its older rules (``default_routes``).

Revision ID: 0015_routes
Revises: 0014_ux14
Create Date: 2026-12-03 07:00:00

"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0015_routes"
down_revision = "0014_ux14"
branch_labels = None
depends_on = None


@contextmanager
def _foreign_keys_off_on_sqlite():
    """On SQLite, rebuilding ``schemes`` with foreign keys on would fail (or cascade) its DROP."""
    context = op.get_context()
    if context.dialect.name != "sqlite" or context.as_sql:
        yield
        return
    with context.autocommit_block():  # the pragma is a no-op inside a transaction
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with context.autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    # plain ADD COLUMN on both databases: no table is rebuilt
    op.add_column(
        "schemes",
        sa.Column("routes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
    )


def downgrade():
    with _foreign_keys_off_on_sqlite(), op.batch_alter_table("schemes", schema=None) as batch_op:
        batch_op.drop_column("routes")
