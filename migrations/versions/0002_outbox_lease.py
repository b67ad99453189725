"""outbox: a 'sending' status and a lease, so a delivery in flight is never taken twice

Revision ID: notif_outbox_lease
Revises: 0001
Create Date: 2026-11-28 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "notif_outbox_lease"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('pending', 'sending', 'sent', 'failed')")


def downgrade():
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('pending', 'sent', 'failed')")
        batch_op.drop_column("lease_until")
