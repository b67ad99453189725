"""Bulk import of assessors and candidates, from a file as an Indonesian office writes it.

A CSV separated by ``,`` or ``;`` (UTF-8 with or without BOM, else Windows-1252) or an Excel
workbook (.xlsx); column headers in English or Indonesian (``columns``), in any order. Every row
is checked before anything is written (``checks``); one bad row and nothing is imported
(``ImportRejected`` names every bad row: its number in the file, the column, what is wrong). A
row for a person who already exists with the same data changes nothing. New people get an
account without a password and an invitation e-mail (an outbox message) to set one.

``files`` reads the file, ``columns`` knows the headers, ``checks`` checks the rows,
``templates`` writes the template to download; this module imports.
"""

from __future__ import annotations

from certflow.core.errors import AppError, translate
from certflow.extensions import db
from certflow.models import Assessor, AssessorScheme, OutboxMessage, User
from certflow.people.imports.checks import check_assessors, check_candidates, check_people
from certflow.people.imports.columns import ASSESSOR_COLUMNS, CANDIDATE_COLUMNS, header_names
from certflow.people.imports.files import MAX_BYTES, MAX_ROWS, Reason, Row, read_rows
from certflow.people.imports.templates import FORMATS, LANGUAGES, template
from workflows.guards import N_

__all__ = [
    "ASSESSOR_COLUMNS",
    "CANDIDATE_COLUMNS",
    "FORMATS",
    "LANGUAGES",
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportRejected",
    "Reason",
    "import_assessors",
    "import_candidates",
    "invite_users",
    "read_rows",
    "header_names",
    "template",
]


class ImportRejected(AppError):
    """Some rows are bad; ``rows`` lists ``(row, [(column, message id, params)])`` for each."""

    def __init__(self, rows: list[tuple[int, list[Reason]]]):
        super().__init__(N_("Rows with errors: %(count)s; nothing was imported."), {"count": len(rows)})
        self.rows = rows

    def described(self) -> list[tuple[int, list[tuple[str | None, str]]]]:
        """Each bad row: its number and, per problem, its column (as the file heads it) and what, translated."""
        return [(line, [(col, translate(msg, params)) for col, msg, params in reasons]) for line, reasons in self.rows]


def _new_user(row: Row, role: str, profile: dict | None = None) -> User:
    user = User(
        email=row.clean["email"],
        name=row.clean["name"],
        password_hash=None,
        dinas=row.clean["dinas"],
        **(profile or {}),
    )
    user.set_roles([role])
    db.session.add(user)
    return user


def invite_users(users: list[User]) -> None:
    """The invitation e-mail of each new account (to set a password), in the outbox."""
    db.session.flush()
    for user in users:
        db.session.add(
            OutboxMessage(
                key=f"invite:{user.id}", event="account_invite", workflow="account", recipient_id=user.id, payload={}
            )
        )


def _run(importer: User, data: bytes, columns, check) -> list[Row]:
    rows = read_rows(data, columns)
    intact = [r for r in rows if not r.broken]
    check_people(importer, intact)
    check(intact)
    bad = [(r.line, r.reasons) for r in rows if r.reasons]
    if bad:
        raise ImportRejected(bad)
    return rows


def import_assessors(importer: User, data: bytes) -> tuple[int, int]:
    """Import assessors (``ASSESSOR_COLUMNS``); ``(imported, unchanged)`` or ``ImportRejected``."""
    rows = _run(importer, data, ASSESSOR_COLUMNS, check_assessors)
    new_users, changed = [], 0
    for row in rows:
        user = row.user
        if user is None:
            user = _new_user(row, "assessor")
            new_users.append(user)
        elif row.clean["record"] is not None and user.has_role("assessor"):
            continue
        user.set_roles(user.roles | {"assessor"})
        changed += 1
        if row.clean["record"] is None:
            record = Assessor(
                user=user,
                dinas=row.clean["dinas"],
                licence_number=row.cells["licence_number"],
                licence_expires=row.clean["expires"],
                max_load=row.clean["max_load"],
            )
            record.scheme_rows = [AssessorScheme(scheme_id=s.id) for s in row.clean["schemes"]]
            db.session.add(record)
    invite_users(new_users)
    db.session.flush()
    return changed, len(rows) - changed


def import_candidates(importer: User, data: bytes) -> tuple[int, int]:
    """Import candidates (``CANDIDATE_COLUMNS``); ``(imported, unchanged)`` or ``ImportRejected``."""
    rows = _run(importer, data, CANDIDATE_COLUMNS, check_candidates)
    new_users, changed = [], 0
    for row in rows:
        profile, user = row.clean["profile"], row.user
        if user is None:
            new_users.append(_new_user(row, "candidate", profile))
        elif user.has_role("candidate") and all(getattr(user, k) == v for k, v in profile.items()):
            continue
        else:
            user.set_roles(user.roles | {"candidate"})
            for key, value in profile.items():
                setattr(user, key, value)
        changed += 1
    invite_users(new_users)
    db.session.flush()
    return changed, len(rows) - changed
