"""performance: the applications' dinas/state index also holds the scheme

The dinas admins' lists and counts filter by dinas (their scope), state and scheme; with the
scheme in the index a filtered count is read from the index alone and the page's rows are
found without visiting every application of the state. The old (dinas_id, state) index is a
prefix of the new one, so it goes.

Revision ID: 0002_perf
Revises: notif_outbox_lease
Create Date: 2026-11-29 09:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002_perf"
down_revision = "notif_outbox_lease"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_applications_dinas_state_scheme", "applications", ["dinas_id", "state", "scheme_id"], unique=False)
    op.drop_index("ix_applications_dinas_state", table_name="applications")


def downgrade():
    op.create_index("ix_applications_dinas_state", "applications", ["dinas_id", "state"], unique=False)
    op.drop_index("ix_applications_dinas_state_scheme", table_name="applications")
