"""The median time applications spend in each state, from the transition log.

``draft`` is entered when the application is created; every other state when a transition
leads to it. When an application is in a state several times, its times there are added
up; a state still occupied counts until now. The median is over the applications, in days
with one decimal; ``None`` for a state no application has been in.

On PostgreSQL the database does the work: the time of every visit (a window over each
application's log), the total per application and state, and only the one or two middle
totals of each state come back, as exact microseconds; Python takes their mean exactly as
``statistics.median`` would. Elsewhere (SQLite) the log is read and added up here. Both give
the same figures; the first reads a few rows where the second reads every log row of the
scope (a million at national scale).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import and_, bindparam, select, text

from certflow.extensions import db
from certflow.models import Application, TransitionLog
from workflows import APPLICATION

_SQL = """
WITH entries AS (
    SELECT a.id AS app_id, CAST(:initial AS VARCHAR) AS state, a.created_at AS at, 0 AS kind, 0 AS seq
    FROM applications a WHERE {scope}
    UNION ALL
    SELECT l.application_id, l.to_state, l.at, 1, l.id
    FROM transition_logs l JOIN applications a ON a.id = l.application_id
    WHERE l.workflow = :workflow AND {scope}
), visits AS (
    SELECT app_id, state,
           GREATEST(COALESCE(LEAD(at) OVER (PARTITION BY app_id ORDER BY kind, at, seq), :now) - at,
                    INTERVAL '0') AS spent
    FROM entries
), totals AS (
    SELECT state, CAST(EXTRACT(EPOCH FROM SUM(spent)) * 1000000 AS BIGINT) AS micros
    FROM visits GROUP BY app_id, state
), ranked AS (
    SELECT state, micros,
           ROW_NUMBER() OVER (PARTITION BY state ORDER BY micros) AS rn,
           COUNT(*) OVER (PARTITION BY state) AS n
    FROM totals
)
SELECT state, micros FROM ranked WHERE rn IN ((n + 1) / 2, n / 2 + 1) ORDER BY state, rn
"""


def _days(spent: timedelta) -> float:
    return spent.total_seconds() / 86400


def _in_database(scope: list[int] | None, scheme_id: int | None, now: datetime) -> dict[str, list[float]]:
    """The middle totals (one or two, in days) of each state visited, computed by PostgreSQL."""
    conditions = ["a.dinas_id IS NOT NULL" if scope is None else "a.dinas_id IN :scope"]
    params: dict = {"initial": APPLICATION.initial, "workflow": APPLICATION.name, "now": now}
    if scope is not None:
        params["scope"] = list(scope)
    if scheme_id is not None:
        conditions.append("a.scheme_id = :scheme_id")
        params["scheme_id"] = scheme_id
    stmt = text(_SQL.format(scope=" AND ".join(conditions)))
    if scope is not None:
        stmt = stmt.bindparams(bindparam("scope", expanding=True))
    middles: dict[str, list[float]] = defaultdict(list)
    for state, micros in db.session.execute(stmt, params):
        middles[state].append(_days(timedelta(microseconds=micros)))
    return middles


def _in_python(scope: list[int] | None, scheme_id: int | None, now: datetime) -> dict[str, list[float]]:
    """Every application's total (in days) in each state visited, added up from the log here."""
    of_scope = Application.dinas_id.is_not(None) if scope is None else Application.dinas_id.in_(scope)
    if scheme_id is not None:
        of_scope = and_(of_scope, Application.scheme_id == scheme_id)
    created = db.session.execute(select(Application.id, Application.created_at).where(of_scope)).all()
    logs = db.session.execute(
        select(TransitionLog.application_id, TransitionLog.to_state, TransitionLog.at)
        .join(Application, Application.id == TransitionLog.application_id)
        .where(TransitionLog.workflow == APPLICATION.name, of_scope)
        .order_by(TransitionLog.application_id, TransitionLog.at, TransitionLog.id)
    ).all()
    entries: dict[int, list] = {app_id: [(APPLICATION.initial, at)] for app_id, at in created}
    for app_id, state, at in logs:
        entries[app_id].append((state, at))
    totals: dict[str, list[float]] = defaultdict(list)
    for visits in entries.values():
        per_state: dict[str, timedelta] = defaultdict(timedelta)
        for i, (state, entered) in enumerate(visits):
            left = visits[i + 1][1] if i + 1 < len(visits) else now
            per_state[state] += max(left - entered, timedelta(0))
        for state, spent in per_state.items():
            totals[state].append(_days(spent))
    return totals


def medians_in_state(scope: list[int] | None, scheme_id: int | None, now: datetime) -> dict[str, float | None]:
    """The median days in each state of the applications of ``scope`` (and of one scheme, if given)."""
    compute = _in_database if db.engine.dialect.name == "postgresql" else _in_python
    values = compute(scope, scheme_id, now)
    # The median of the middle one or two values is the median of them all.
    return {state: (round(median(values[state]), 1) if values.get(state) else None) for state in APPLICATION.states}
