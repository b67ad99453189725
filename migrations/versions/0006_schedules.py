"""schedules: venues (TUK) and their verification, schedules, attendance, the schedule log

An application may be placed on a schedule (``applications.schedule_id``, nullable). A schedule's
state has a check constraint listing the schedule workflow's states; a cancelled schedule needs
its reason, a reported (or decided) one the lead's report; the quota is a range of at least one.

On SQLite ``applications`` is rebuilt (batch mode) to add the column and its foreign key;
foreign keys are switched off meanwhile, or dropping the old table would cascade to documents,
answers and appeals.

Revision ID: 0006_schedules
Revises: 0007_records
Create Date: 2026-12-02 18:57:41

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0006_schedules"
down_revision = "0007_records"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "venues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dinas_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('sewaktu', 'tempat_kerja', 'mandiri')", name=op.f("ck_venues_kind")),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_venues_capacity")),
        sa.ForeignKeyConstraint(["dinas_id"], ["dinas.id"], name=op.f("fk_venues_dinas_id_dinas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venues")),
    )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venues_dinas_id"), ["dinas_id"], unique=False)

    op.create_table(
        "venue_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facilities_ok", sa.Boolean(), nullable=False),
        sa.Column(
            "checklist", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_venue_verifications_venue_id_venues"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_venue_verifications_verified_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_verifications")),
    )
    with op.batch_alter_table("venue_verifications", schema=None) as batch_op:
        batch_op.create_index("ix_venue_verifications_venue_at", ["venue_id", "verified_at"], unique=False)

    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dinas_id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quota_min", sa.Integer(), nullable=False),
        sa.Column("quota_max", sa.Integer(), nullable=False),
        sa.Column("registration_closes", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("report_notes", sa.Text(), nullable=True),
        sa.Column("attendance_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "reminders_sent",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state <> 'cancelled' OR cancel_reason IS NOT NULL", name=op.f("ck_schedules_cancelled_has_reason")
        ),
        sa.CheckConstraint(
            "state IN ('planned', 'open', 'ready', 'held', 'reported', 'decided', 'cancelled')",
            name=op.f("ck_schedules_state"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('reported', 'decided') OR report_notes IS NOT NULL",
            name=op.f("ck_schedules_reported_has_report"),
        ),
        sa.CheckConstraint("quota_min >= 1 AND quota_max >= quota_min", name=op.f("ck_schedules_quota_range")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_schedules_created_by_id_users")),
        sa.ForeignKeyConstraint(["dinas_id"], ["dinas.id"], name=op.f("fk_schedules_dinas_id_dinas")),
        sa.ForeignKeyConstraint(["scheme_id"], ["schemes.id"], name=op.f("fk_schedules_scheme_id_schemes")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_schedules_team_id_teams")),
        sa.ForeignKeyConstraint(["venue_id"], ["venues.id"], name=op.f("fk_schedules_venue_id_venues")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index("ix_schedules_dinas_state_starts", ["dinas_id", "state", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_scheme_id"), ["scheme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_venue_id"), ["venue_id"], unique=False)

    op.create_table(
        "schedule_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_schedule_logs_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_schedule_logs_schedule_id_schedules"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_logs")),
    )
    with op.batch_alter_table("schedule_logs", schema=None) as batch_op:
        batch_op.create_index("ix_schedule_logs_schedule", ["schedule_id", "id"], unique=False)

    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_attendances_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_attendances_recorded_by_id_users")),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_attendances_schedule_id_schedules"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint("schedule_id", "application_id", name=op.f("uq_attendances_schedule_id")),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendances_application_id"), ["application_id"], unique=False)

    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("applications", schema=None) as batch_op:
            batch_op.add_column(sa.Column("schedule_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f("ix_applications_schedule_id"), ["schedule_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f("fk_applications_schedule_id_schedules"), "schedules", ["schedule_id"], ["id"]
            )


def downgrade():
    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("applications", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("fk_applications_schedule_id_schedules"), type_="foreignkey")
            batch_op.drop_index(batch_op.f("ix_applications_schedule_id"))
            batch_op.drop_column("schedule_id")

    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_application_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("schedule_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_logs_schedule")

    op.drop_table("schedule_logs")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_venue_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_team_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_state"))
        batch_op.drop_index(batch_op.f("ix_schedules_starts_at"))
        batch_op.drop_index(batch_op.f("ix_schedules_scheme_id"))
        batch_op.drop_index("ix_schedules_dinas_state_starts")

    op.drop_table("schedules")
    with op.batch_alter_table("venue_verifications", schema=None) as batch_op:
        batch_op.drop_index("ix_venue_verifications_venue_at")

    op.drop_table("venue_verifications")
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venues_dinas_id"))

    op.drop_table("venues")
