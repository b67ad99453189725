"""The checks of an import's rows, before anything is written: each bad cell named with its column.

The checks read the database with a constant number of queries, whatever the number of rows.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from certflow import clock
from certflow.assessment.assessors import MAX_LOAD_RANGE
from certflow.extensions import db
from certflow.models import Assessor, Dinas, Scheme, User
from certflow.models.people import EDUCATION_FIELDS
from certflow.people.imports.files import Row
from certflow.people.policy import dinas_scope
from workflows.guards import N_

MAX_PRACTICE_HOURS = 100_000
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_SCHEME_SEPARATORS = re.compile(r"[,;]")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def check_people(importer: User, rows: list[Row]) -> None:
    """The checks common to every kind: e-mail, name, dinas in scope, duplicates; loads existing users."""
    dinas_by_name = {d.name: d for d in db.session.scalars(select(Dinas))}
    scope = None
    if not importer.has_role("admin"):
        scope_stmt = dinas_scope(importer)
        scope = set(db.session.scalars(scope_stmt)) if scope_stmt is not None else set()
    first_line: dict[str, int] = {}
    for row in rows:
        email, name, dinas_name = row.cells["email"].lower(), row.cells["name"], row.cells["dinas"]
        if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
            row.bad("email", N_("%(email)s is not an e-mail address"), email=email)
        elif email in first_line:
            row.bad("email", N_("%(email)s is also on row %(line)s"), email=email, line=first_line[email])
        elif email:
            first_line[email] = row.line
        if len(name) > 160:
            row.bad("name", N_("longer than %(max)s characters"), max=160)
        dinas = dinas_by_name.get(dinas_name)
        if dinas_name and dinas is None:
            row.bad("dinas", N_("no dinas is called %(dinas)s (write its full name)"), dinas=dinas_name)
        elif dinas is not None and scope is not None and dinas.id not in scope:
            row.bad("dinas", N_("%(dinas)s is not a dinas you administer"), dinas=dinas_name)
        row.clean.update(email=email, name=name, dinas=dinas)
    emails = [r.clean["email"] for r in rows if r.clean["email"]]
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))} if emails else {}
    for row in rows:
        row.user = existing.get(row.clean["email"])
        dinas = row.clean["dinas"]
        if row.user is not None and (
            row.user.name != row.clean["name"] or dinas is None or row.user.dinas_id != dinas.id
        ):
            row.bad("email", N_("%(email)s already has an account with another name or dinas"), email=row.user.email)


def _int(row: Row, column: str, low: int, high: int) -> int | None:
    value = row.cells[column]
    if value and (not (value.isascii() and value.isdigit() and len(value) <= 18) or not low <= int(value) <= high):
        row.bad(column, N_("%(value)s is not a whole number from %(low)s to %(high)s"), value=value, low=low, high=high)
        return None
    return int(value) if value else None


def _date(row: Row, column: str) -> date | None:
    value = row.cells[column]
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    row.bad(column, N_("%(value)s is not a date (write it as 31/12/2026 or 2026-12-31)"), value=value)
    return None


def scheme_codes(text: str) -> list[str]:
    """The scheme codes of a cell, separated by ``,`` or ``;``."""
    return [c.strip() for c in _SCHEME_SEPARATORS.split(text) if c.strip()]


def check_assessors(rows: list[Row]) -> None:
    """Licence, schemes, load; an existing assessor must hold the same data."""
    schemes = {s.code: s for s in db.session.scalars(select(Scheme))}
    user_ids = [r.user.id for r in rows if r.user is not None]
    records = {a.user_id: a for a in db.session.scalars(select(Assessor).where(Assessor.user_id.in_(user_ids)))}
    for row in rows:
        expires = _date(row, "licence_expires")
        codes = scheme_codes(row.cells["schemes"])
        unknown = [c for c in codes if c not in schemes]
        if unknown:
            row.bad("schemes", N_("no scheme has the code %(codes)s"), codes=", ".join(unknown))
        max_load = _int(row, "max_load", *MAX_LOAD_RANGE)
        record = records.get(row.user.id) if row.user is not None else None
        if record is not None and not row.reasons:
            for column, same in (
                ("dinas", record.dinas_id == row.clean["dinas"].id),
                ("licence_number", record.licence_number == row.cells["licence_number"]),
                ("licence_expires", record.licence_expires == expires),
                ("schemes", {r.scheme.code for r in record.scheme_rows} == set(codes)),
                ("max_load", record.max_load == max_load),
            ):
                if not same:
                    row.bad(column, N_("already an assessor with another value here"))
        if expires is not None and expires < clock.today() and record is None:
            row.bad("licence_expires", N_("the licence has already expired"))
        row.clean.update(expires=expires, schemes=[schemes[c] for c in codes if c in schemes], max_load=max_load)
        row.clean["record"] = record


def check_candidates(rows: list[Row]) -> None:
    """Education and practice hours; an existing account must not hold other values."""
    for row in rows:
        education = row.cells["education_field"].lower()
        if education and education not in EDUCATION_FIELDS:
            row.bad("education_field", N_("write one of %(values)s"), values=", ".join(EDUCATION_FIELDS))
        if len(row.cells["education_level"]) > 32:
            row.bad("education_level", N_("longer than %(max)s characters"), max=32)
        profile = {
            "education_field": education,
            "education_level": row.cells["education_level"],
            "practice_hours": _int(row, "practice_hours", 0, MAX_PRACTICE_HOURS),
        }
        if row.user is not None and not row.reasons:
            for column, value in profile.items():
                if getattr(row.user, column) not in (None, value):
                    row.bad(column, N_("the account already holds another value here"))
        row.clean["profile"] = profile
