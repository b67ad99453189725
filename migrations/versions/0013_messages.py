"""messages: WhatsApp beside e-mail — a person's number and consent, and the outbox's channel

``users.whatsapp_number`` (E.164, e.g. ``+6281234567890``) and ``users.whatsapp_consent_at`` (when
the person agreed to receive WhatsApp messages; NULL: no consent). ``outbox.channel`` is
``email`` (every row so far) or ``whatsapp``: one outbox row per channel per recipient.

Revision ID: 0013_messages
Revises: 0012_credentials
Create Date: 2026-12-03 06:40:00

"""

import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0013_messages"
down_revision = "0012_credentials"
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN on both databases: no table is rebuilt
    op.add_column("users", sa.Column("whatsapp_number", sa.String(length=16), nullable=True))
    op.add_column("users", sa.Column("whatsapp_consent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("channel", sa.String(length=16), nullable=False, server_default="email"))


def downgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("channel")
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("whatsapp_consent_at")
        batch_op.drop_column("whatsapp_number")
