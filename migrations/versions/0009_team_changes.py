"""team_changes: the replacements of team members, with their reasons (the team's history)

Revision ID: 0009_team_changes
Revises: 0006_schedules
Create Date: 2026-12-02 20:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# revision identifiers, used by Alembic.
revision = "0009_team_changes"
down_revision = "0006_schedules"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "team_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("leaving_id", sa.Integer(), nullable=False),
        sa.Column("joining_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("applications", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_changes_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["leaving_id"], ["assessors.id"], name=op.f("fk_team_changes_leaving_id_assessors")),
        sa.ForeignKeyConstraint(["joining_id"], ["assessors.id"], name=op.f("fk_team_changes_joining_id_assessors")),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_team_changes_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_changes")),
    )
    op.create_index(op.f("ix_team_changes_team_id"), "team_changes", ["team_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_team_changes_team_id"), table_name="team_changes")
    op.drop_table("team_changes")
