"""One page of a list, chosen on its own table before anything is joined to it.

A list of applications eager-loads each one's candidate, dinas and scheme (joins). With
``LIMIT`` on the joined statement, the database joins every row that matches the filters
and only then sorts and keeps a page; at national scale that is thousands of joins for
twenty rows. Here the page's ids are chosen first, from the filtered, sorted table alone,
and only those rows are loaded with their joins — the same rows, in the same order, in one
statement.
"""

from __future__ import annotations

from sqlalchemy import Select, inspect, select

from certflow.extensions import db


def page_rows(stmt: Select, order: tuple, limit: int, offset: int, *options) -> list:
    """The rows ``limit``/``offset`` of ``stmt`` (a SELECT of one mapped entity) sorted by ``order``.

    ``options``: loader options for the rows (the statement's own are not carried over).
    """
    entity = stmt.column_descriptions[0]["entity"]
    primary_key = inspect(entity).primary_key[0]
    ids = stmt.with_only_columns(primary_key).order_by(None).order_by(*order).limit(limit).offset(offset)
    rows = select(entity).options(*options).where(primary_key.in_(ids.scalar_subquery())).order_by(*order)
    return list(db.session.scalars(rows).unique())
