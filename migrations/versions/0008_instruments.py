"""instruments: the assessment plan per unit, question banks, written tests and their answers

Revision ID: 0008_instruments
Revises: 0011_sessions
Create Date: 2026-12-02 19:10:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# revision identifiers, used by Alembic.
revision = "0008_instruments"
down_revision = "0011_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unit_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("methods", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_plans_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_plans")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_unit_plans_unit_id")),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", JSON, nullable=False),
        sa.Column("answer_key", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('multiple_choice', 'essay', 'oral', 'portfolio')", name=op.f("ck_questions_kind")),
        sa.CheckConstraint(
            "(kind = 'multiple_choice') = (answer_key IS NOT NULL)",
            name=op.f("ck_questions_key_for_multiple_choice"),
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"], ["schemes.id"], name=op.f("fk_questions_scheme_id_schemes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_questions_unit_id_units"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_scheme_id"), "questions", ["scheme_id"], unique=False)
    op.create_index(op.f("ix_questions_unit_id"), "questions", ["unit_id"], unique=False)
    op.create_table(
        "written_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mc_correct", sa.Integer(), nullable=True),
        sa.Column("mc_total", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_written_tests_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["drawn_by_id"], ["assessors.id"], name=op.f("fk_written_tests_drawn_by_id_assessors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_written_tests")),
    )
    op.create_index(op.f("ix_written_tests_application_id"), "written_tests", ["application_id"], unique=False)
    op.create_index(op.f("ix_written_tests_deadline"), "written_tests", ["deadline"], unique=False)
    op.create_table(
        "written_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("choice", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("essay_result", sa.String(length=2), nullable=True),
        sa.Column("scored_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "essay_result IS NULL OR essay_result IN ('K', 'BK')", name=op.f("ck_written_answers_essay_result")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_written_answers_question_id_questions")
        ),
        sa.ForeignKeyConstraint(
            ["scored_by_id"], ["assessors.id"], name=op.f("fk_written_answers_scored_by_id_assessors")
        ),
        sa.ForeignKeyConstraint(
            ["test_id"],
            ["written_tests.id"],
            name=op.f("fk_written_answers_test_id_written_tests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_written_answers")),
        sa.UniqueConstraint("test_id", "question_id", name=op.f("uq_written_answers_test_id")),
    )
    op.create_index(op.f("ix_written_answers_question_id"), "written_answers", ["question_id"], unique=False)
    op.create_index(op.f("ix_written_answers_test_id"), "written_answers", ["test_id"], unique=False)


def downgrade():
    op.drop_table("written_answers")
    op.drop_table("written_tests")
    op.drop_table("questions")
    op.drop_table("unit_plans")
