"""invariants: an application's state and the columns that state needs, as check constraints

revision_requested needs a revision deadline; under_appeal, and only it, records the state
appealed from; team_assigned, in_assessment and assessed need a team; assessed needs the
team's recommendation. The same expressions are the model's (``STATE_INVARIANTS`` in
``certflow/models/applications.py``).

Existing rows are checked first: if any breaks a rule the upgrade stops, naming the
constraint, how many rows and a few application ids, and what to fix — rather than the
database's own error halfway through.

On SQLite the table is rebuilt (batch mode); foreign keys are switched off meanwhile, or
dropping the old table would cascade to documents, answers and appeals.

Revision ID: 0004_invariants
Revises: 0002_perf
Create Date: 2026-12-01 23:00:00

"""
import sqlalchemy as sa
from alembic import op

from certflow.core.migrating import foreign_keys_off_on_sqlite

# revision identifiers, used by Alembic.
revision = "0004_invariants"
down_revision = "0002_perf"
branch_labels = None
depends_on = None

# name (without the ck_applications_ prefix), expression, what to do about a row that breaks it
INVARIANTS = (
    (
        "revision_has_deadline",
        "state <> 'revision_requested' OR revision_deadline IS NOT NULL",
        "give each a revision_deadline (or move it back to submitted)",
    ),
    (
        "appeal_has_origin",
        "(state = 'under_appeal' AND appealed_from IS NOT NULL) OR (state <> 'under_appeal' AND appealed_from IS NULL)",
        "set appealed_from to the state appealed from (ineligible or not_yet_competent) on applications "
        "under_appeal, and clear it on every other application",
    ),
    (
        "assessment_has_team",
        "state NOT IN ('team_assigned', 'in_assessment', 'assessed') OR team_id IS NOT NULL",
        "set team_id to the assigned team (or move the application back to eligible)",
    ),
    (
        "assessed_has_recommendation",
        "state <> 'assessed' OR recommendation IS NOT NULL",
        "set the team's recommendation (K or BK), or return the application to in_assessment",
    ),
)
SHOWN_IDS = 10


class InvariantViolated(RuntimeError):
    """Existing applications break a rule the migration is about to enforce."""


def _name(name: str) -> str:
    return f"ck_applications_{name}"


def _refuse_rows_that_break_the_rules() -> None:
    if op.get_context().as_sql:  # offline (--sql): there are no rows to read
        return
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # No application may change between the check and the constraints (ALTER TABLE waits for this lock).
        op.execute("LOCK TABLE applications IN SHARE ROW EXCLUSIVE MODE")
    problems = []
    for name, sql, fix in INVARIANTS:
        where = f"FROM applications WHERE NOT ({sql})"
        count = bind.execute(sa.text(f"SELECT count(*) {where}")).scalar()
        if count:
            ids = bind.execute(sa.text(f"SELECT id {where} ORDER BY id LIMIT {SHOWN_IDS}")).scalars().all()
            more = ", …" if count > len(ids) else ""
            problems.append(
                f"{_name(name)} ({sql}): {count} application(s) break it, ids {', '.join(map(str, ids))}{more}; "
                f"to fix: {fix}"
            )
    if problems:
        raise InvariantViolated(
            "migration 0004_invariants refused: existing applications break the rules it adds. "
            "Correct these rows, then upgrade again:\n  " + "\n  ".join(problems)
        )


def upgrade():
    _refuse_rows_that_break_the_rules()
    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("applications", schema=None) as batch_op:
            for name, sql, _fix in INVARIANTS:
                batch_op.create_check_constraint(op.f(_name(name)), sql)


def downgrade():
    with foreign_keys_off_on_sqlite():
        with op.batch_alter_table("applications", schema=None) as batch_op:
            for name, _sql, _fix in reversed(INVARIANTS):
                batch_op.drop_constraint(op.f(_name(name)), type_="check")
