"""sessions: a per-user session epoch, raised to end every session and token of a user

Revision ID: 0011_sessions
Revises: 0005_agreements
Create Date: 2026-12-02 19:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_sessions"
down_revision = "0005_agreements"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False))


def downgrade():
    # SQLite drops a column in place (3.35+): a batch copy of ``users`` would break the foreign keys to it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN session_epoch")
    else:
        op.drop_column("users", "session_epoch")
