"""credentials: a certificate may be re-issued (name correction) — the application keeps both

``certificates.application_id`` is no longer unique (an index instead): a name correction issues a
new certificate for the same application, and the old one points to it (``reissued_as_id``, unique).

On SQLite ``certificates`` is rebuilt (batch mode); foreign keys are switched off meanwhile, or
dropping the old table would cascade to the applications that reference it.

Revision ID: 0012_credentials
Revises: 0010_plenary
Create Date: 2026-12-02 19:58:00

"""

import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0012_credentials"
down_revision = "0010_plenary"
branch_labels = None
depends_on = None


def upgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reissued_as_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_certificates_application_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_certificates_application_id"), ["application_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_certificates_reissued_as_id"), ["reissued_as_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_reissued_as_id_certificates"), "certificates", ["reissued_as_id"], ["id"]
        )


def downgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_certificates_reissued_as_id_certificates"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_certificates_reissued_as_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_certificates_application_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_certificates_application_id"), ["application_id"])
        batch_op.drop_column("reissued_as_id")
