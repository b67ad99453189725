"""ux14: documents opened by their reviewer; the lead's notes with the recommendation

``document_openings`` records that a dinas admin downloaded a document (one row per document and
admin): the verification page offers "mark all valid" only when every document waiting for review
was opened. ``applications.recommendation_notes`` keeps the notes the lead gives with the K/BK.

Revision ID: 0014_ux14
Revises: 0013_messages
Create Date: 2026-12-03 06:40:00

"""

import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0014_ux14"
down_revision = "0013_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_openings",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_openings_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_document_openings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "user_id", name=op.f("pk_document_openings")),
    )
    op.add_column("applications", sa.Column("recommendation_notes", sa.Text(), nullable=True))


def downgrade():
    with foreign_keys_off_on_sqlite(), op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("recommendation_notes")
    op.drop_table("document_openings")
