"""Bulk import of assessors and candidates from a UTF-8 CSV file.

Every row is checked before anything is written; one bad row and nothing is
imported (``ImportRejected`` lists every bad row with its line in the file, the
header being line 1). A row for a person who already exists with the same data
changes nothing. New people get an account without a password and an invitation
e-mail (an outbox message) to set one. The checks read the database with a
constant number of queries, whatever the number of rows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from certflow import clock
from certflow.assessment.assessors import MAX_LOAD_RANGE
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Assessor, AssessorScheme, Dinas, OutboxMessage, Scheme, User
from certflow.models.people import EDUCATION_FIELDS
from certflow.people.policy import dinas_scope
from workflows.guards import N_, Msg

ASSESSOR_COLUMNS = ("email", "name", "dinas", "licence_number", "licence_expires", "schemes", "max_load")
CANDIDATE_COLUMNS = ("email", "name", "dinas", "education_field", "education_level", "practice_hours")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_PRACTICE_HOURS = 100_000
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
Reason = tuple[Msg, dict]


class ImportRejected(AppError):
    """Some rows are bad; ``rows`` lists ``(line, [reasons])`` for each, every reason a (message id, params)."""

    def __init__(self, rows: list[tuple[int, list[Reason]]]):
        super().__init__(N_("Rows with errors: %(count)s; nothing was imported."), {"count": len(rows)})
        self.rows = rows


@dataclass
class Row:
    """One data row: its line, its cells by column, what is wrong with it, what it becomes."""

    line: int
    cells: dict[str, str]
    reasons: list[Reason] = field(default_factory=list)
    clean: dict = field(default_factory=dict)
    user: User | None = None
    broken: bool = False  # not UTF-8 or the wrong number of fields: not checked further

    def bad(self, message: Msg, **params) -> None:
        """Record a reason this row cannot be imported."""
        self.reasons.append((message, params))


def read_rows(data: bytes, columns: tuple[str, ...]) -> list[Row]:
    """The data rows of a UTF-8 CSV with exactly ``columns`` as its header (file-level problems: 422/413)."""
    if len(data) > MAX_BYTES:
        raise AppError(
            N_("The file is larger than %(max)s MiB."), {"max": MAX_BYTES // 2**20}, status=413, code="too_large"
        )
    raw_lines = data.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True)
    lines, undecodable = [], set()
    for number, raw in enumerate(raw_lines, start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            undecodable.add(number)
            lines.append(raw.decode("utf-8", "replace"))
    if 1 in undecodable:
        raise AppError(N_("The file is not UTF-8 text; save it as CSV UTF-8."), fields="file")
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if header != list(columns):
            raise AppError(
                N_("The header row must be exactly: %(columns)s."), {"columns": ",".join(columns)}, fields="file"
            )
        rows, end = [], 1
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise AppError(N_("The file has more than %(max)s rows; split it."), {"max": MAX_ROWS})
            row = Row(start, {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)})
            if undecodable.intersection(range(start, end + 1)):
                row.broken = True
                row.bad(N_("the line is not UTF-8 text; save the file as CSV UTF-8"))
            elif len(cells) != len(columns):
                row.broken = True
                row.bad(N_("expected %(expected)s fields, found %(found)s"), expected=len(columns), found=len(cells))
            else:
                missing = [c for c in columns if not row.cells[c]]
                if missing:
                    row.bad(N_("missing %(fields)s"), fields=", ".join(missing))
            rows.append(row)
    except csv.Error as exc:
        raise AppError(
            N_("The file is not valid CSV (line %(line)s): %(error)s"), {"line": reader.line_num, "error": str(exc)}
        ) from exc
    return rows


def _check_people(importer: User, rows: list[Row]) -> None:
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
            row.bad(N_("invalid e-mail %(email)s"), email=email)
        elif email in first_line:
            row.bad(N_("duplicate e-mail %(email)s (also on line %(line)s)"), email=email, line=first_line[email])
        elif email:
            first_line[email] = row.line
        if len(name) > 160:
            row.bad(N_("the name is longer than %(max)s characters"), max=160)
        dinas = dinas_by_name.get(dinas_name)
        if dinas_name and dinas is None:
            row.bad(N_("unknown dinas %(dinas)s"), dinas=dinas_name)
        elif dinas is not None and scope is not None and dinas.id not in scope:
            row.bad(N_("%(dinas)s is not a dinas you administer"), dinas=dinas_name)
        row.clean.update(email=email, name=name, dinas=dinas)
    emails = [r.clean["email"] for r in rows if r.clean["email"]]
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))} if emails else {}
    for row in rows:
        row.user = existing.get(row.clean["email"])
        dinas = row.clean["dinas"]
        if row.user is not None and (
            row.user.name != row.clean["name"] or dinas is None or row.user.dinas_id != dinas.id
        ):
            row.bad(N_("e-mail %(email)s belongs to an account with a different name or dinas"), email=row.user.email)


def _int(row: Row, column: str, low: int, high: int) -> int | None:
    value = row.cells[column]
    if value and (not value.isdigit() or not low <= int(value) <= high):
        row.bad(N_("%(field)s must be a whole number from %(low)s to %(high)s"), field=column, low=low, high=high)
        return None
    return int(value) if value else None


def _check_assessors(rows: list[Row]) -> None:
    schemes = {s.code: s for s in db.session.scalars(select(Scheme))}
    user_ids = [r.user.id for r in rows if r.user is not None]
    records = {a.user_id: a for a in db.session.scalars(select(Assessor).where(Assessor.user_id.in_(user_ids)))}
    for row in rows:
        expires = None
        if row.cells["licence_expires"]:
            try:
                expires = date.fromisoformat(row.cells["licence_expires"])
            except ValueError:
                row.bad(N_("licence_expires must be a date as YYYY-MM-DD"))
        codes = [c.strip() for c in row.cells["schemes"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in schemes]
        if unknown:
            row.bad(N_("unknown scheme codes: %(codes)s"), codes=", ".join(unknown))
        max_load = _int(row, "max_load", *MAX_LOAD_RANGE)
        record = records.get(row.user.id) if row.user is not None else None
        if record is not None and not row.reasons:
            differ = [
                name
                for name, same in (
                    ("dinas", record.dinas_id == row.clean["dinas"].id),
                    ("licence_number", record.licence_number == row.cells["licence_number"]),
                    ("licence_expires", record.licence_expires == expires),
                    ("schemes", {r.scheme.code for r in record.scheme_rows} == set(codes)),
                    ("max_load", record.max_load == max_load),
                )
                if not same
            ]
            if differ:
                row.bad(N_("already an assessor with a different %(fields)s"), fields=", ".join(differ))
        if expires is not None and expires < clock.today() and record is None:
            row.bad(N_("licence_expires must not be in the past"))
        row.clean.update(expires=expires, schemes=[schemes[c] for c in codes if c in schemes], max_load=max_load)
        row.clean["record"] = record


def _check_candidates(rows: list[Row]) -> None:
    for row in rows:
        education = row.cells["education_field"].lower()
        if education and education not in EDUCATION_FIELDS:
            row.bad(N_("education_field must be one of %(values)s"), values=", ".join(EDUCATION_FIELDS))
        if len(row.cells["education_level"]) > 32:
            row.bad(N_("education_level is longer than %(max)s characters"), max=32)
        profile = {
            "education_field": education,
            "education_level": row.cells["education_level"],
            "practice_hours": _int(row, "practice_hours", 0, MAX_PRACTICE_HOURS),
        }
        if row.user is not None and not row.reasons:
            differ = [k for k, v in profile.items() if getattr(row.user, k) not in (None, v)]
            if differ:
                row.bad(N_("the account already has a different %(fields)s"), fields=", ".join(differ))
        row.clean["profile"] = profile


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
    _check_people(importer, intact)
    check(intact)
    bad = [(r.line, r.reasons) for r in rows if r.reasons]
    if bad:
        raise ImportRejected(bad)
    return rows


def import_assessors(importer: User, data: bytes) -> tuple[int, int]:
    """Import assessors (``ASSESSOR_COLUMNS``); ``(imported, unchanged)`` or ``ImportRejected``."""
    rows = _run(importer, data, ASSESSOR_COLUMNS, _check_assessors)
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
    rows = _run(importer, data, CANDIDATE_COLUMNS, _check_candidates)
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


def template_csv(columns: tuple[str, ...], importer: User) -> str:
    """The header and one example row of an import file, with a dinas and a scheme the importer may use."""
    dinas = importer.dinas or db.session.scalar(select(Dinas).order_by(Dinas.name).limit(1))
    scheme_codes = db.session.scalars(select(Scheme.code).where(Scheme.active.is_(True)).order_by(Scheme.code).limit(2))
    example = {
        "email": "nama.lengkap@example.id",
        "name": "Nama Lengkap",
        "dinas": dinas.name if dinas is not None else "Dinas Sosial Kota Batam",
        "licence_number": "MET.000.000001.2024",
        "licence_expires": (clock.today() + timedelta(days=730)).isoformat(),
        "schemes": ";".join(scheme_codes) or "PSG",
        "max_load": "5",
        "education_field": "peksos",
        "education_level": "D4",
        "practice_hours": "1344",
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([example[c] for c in columns])
    return out.getvalue()
