"""Writing the register: one staff member from the form, or a whole file imported (all or nothing).

The form and the import check a row with the same ``check_values``; an import is idempotent (a row
whose name is already on its dinas's register updates that entry, the same data changes nothing).
The functional-position level is APL-01's code (``workflows.identity.JF_LEVELS``), from the code or
from the words people type: ``Ahli Pertama`` with the position ``Penyuluh Sosial`` is
``penyuluh_ahli_pertama`` (``workflows.identity.jf_level_code``).
"""

from __future__ import annotations

from sqlalchemy import select

from certflow.core.errors import InvalidInput, NotFound
from certflow.extensions import db
from certflow.models import Dinas, User
from certflow.people.imports import ImportRejected, header_names, read_rows
from certflow.people.policy import dinas_scope
from certflow.staff.models import MAX_PRACTICE_HOURS, StaffMember
from workflows.eligibility import EDUCATION_FIELDS, EDUCATION_LEVELS
from workflows.guards import N_
from workflows.identity import jf_level_code

COLUMNS = (
    "name",
    "dinas",
    "education_field",
    "education_level",
    "position",
    "functional_level",
    "practice_hours",
    "training",
)
OPTIONAL = ("position", "functional_level", "practice_hours", "training")
VALUES = ("education_field", "education_level", "position", "functional_level", "practice_hours", "training")
YES = ("ya", "yes", "y", "1", "true", "sudah")
NO = ("tidak", "no", "n", "0", "false", "belum", "")
MAX_LEVEL_TEXT = 80
LEVEL_UNKNOWN = N_(
    "not a functional-position level: choose one from the list, or write it as, for example, "
    "Pekerja Sosial Ahli Pertama, Penyuluh Sosial Mahir or tidak ada"
)


def scope_ids(user: User) -> set[int]:
    """The ids of the dinas whose register ``user`` keeps (a province's admin: the province's)."""
    stmt = dinas_scope(user)
    return set(db.session.scalars(stmt)) if stmt is not None else set()


def check_values(cells: dict[str, str]) -> tuple[dict, list[tuple[str, str, dict]]]:
    """The clean values of one entry and every problem as ``(column, message id, params)``."""
    problems: list[tuple[str, str, dict]] = []
    name = " ".join((cells.get("name") or "").split())
    if not name:
        problems.append(("name", N_("empty"), {}))
    elif len(name) > 160:
        problems.append(("name", N_("longer than %(max)s characters"), {"max": 160}))
    field = (cells.get("education_field") or "").strip().lower()
    if field not in EDUCATION_FIELDS:
        problems.append(("education_field", N_("write one of %(values)s"), {"values": ", ".join(EDUCATION_FIELDS)}))
    level = (cells.get("education_level") or "").strip().upper()
    if level not in EDUCATION_LEVELS:
        problems.append(("education_level", N_("write one of %(values)s"), {"values": ", ".join(EDUCATION_LEVELS)}))
    position = " ".join((cells.get("position") or "").split())
    if len(position) > 160:
        problems.append(("position", N_("longer than %(max)s characters"), {"max": 160}))
    functional_text = (cells.get("functional_level") or "").strip()
    functional = jf_level_code(functional_text[:MAX_LEVEL_TEXT], position) if functional_text else None
    if functional_text and (functional is None or len(functional_text) > MAX_LEVEL_TEXT):
        problems.append(("functional_level", LEVEL_UNKNOWN, {}))
    hours_text = (cells.get("practice_hours") or "").strip()
    hours = None
    if hours_text:
        digits = hours_text.isascii() and hours_text.isdigit() and len(hours_text) <= 6
        if digits and int(hours_text) <= MAX_PRACTICE_HOURS:
            hours = int(hours_text)
        else:
            problems.append(
                (
                    "practice_hours",
                    N_("%(value)s is not a whole number from %(low)s to %(high)s"),
                    {"value": hours_text, "low": 0, "high": MAX_PRACTICE_HOURS},
                )
            )
    training_text = (cells.get("training") or "").strip().lower()
    if training_text not in YES + NO:
        problems.append(("training", N_("write one of %(values)s"), {"values": "ya, tidak"}))
    clean = {
        "name": name,
        "education_field": field,
        "education_level": level,
        "position": position,
        "functional_level": functional,
        "practice_hours": hours,
        "training": training_text in YES,
    }
    return clean, problems


class EntryRejected(InvalidInput):
    """An entry with bad values: ``problems`` lists every one, ``(field, message id, params)``."""

    def __init__(self, problems: list[tuple[str, str, dict]]):
        super().__init__(N_("Some fields need attention."), fields=[p[0] for p in problems])
        self.problems = problems


def _member(user: User, member_id: int) -> StaffMember:
    member = db.session.get(StaffMember, member_id)
    if member is None or member.dinas_id not in scope_ids(user):
        raise NotFound()
    return member


def save_member(user: User, member_id: int | None, cells: dict[str, str]) -> StaffMember:
    """Add (``member_id`` None) or change one entry; ``InvalidInput`` names every bad field at once."""
    member = _member(user, member_id) if member_id is not None else None
    clean, problems = check_values(cells)
    scope = scope_ids(user)
    dinas_text = (cells.get("dinas") or "").strip()
    dinas_id = int(dinas_text) if dinas_text.isascii() and dinas_text.isdigit() and len(dinas_text) < 10 else None
    if dinas_id is None or dinas_id not in scope:
        problems.append(("dinas", N_("Choose a dinas you administer."), {}))
    elif clean["name"] and not any(p[0] == "name" for p in problems):
        same = db.session.scalar(
            select(StaffMember.id).where(StaffMember.dinas_id == dinas_id, StaffMember.name == clean["name"])
        )
        if same is not None and (member is None or same != member.id):
            problems.append(("name", N_("Someone of this name is already on the dinas's register."), {}))
    if problems:
        raise EntryRejected(problems)
    if member is None:
        member = StaffMember(dinas_id=dinas_id, **clean)
        db.session.add(member)
    else:
        member.dinas_id = dinas_id
        for key, value in clean.items():
            setattr(member, key, value)
    db.session.flush()
    return member


def delete_member(user: User, member_id: int) -> None:
    """Take one entry off the register."""
    db.session.delete(_member(user, member_id))
    db.session.flush()


def import_staff(user: User, data: bytes) -> tuple[int, int]:
    """Import a file of staff (``COLUMNS``): ``(added or changed, unchanged)`` or ``ImportRejected``.

    Every row is checked first; one bad row and nothing is written. A row whose name is already
    on its dinas's register updates that entry. Constant queries whatever the number of rows.
    """
    rows = read_rows(data, COLUMNS, OPTIONAL)
    dinas_by_name = {d.name: d for d in db.session.scalars(select(Dinas))}
    scope = scope_ids(user)
    first_line: dict[tuple[int, str], int] = {}
    for row in rows:
        if row.broken:
            continue
        clean, problems = check_values(row.cells)
        for column, message, params in problems:
            if row.cells.get(column) or column in OPTIONAL:  # an empty required cell is already named
                row.bad(column, message, **params)
        dinas = dinas_by_name.get(row.cells["dinas"])
        if row.cells["dinas"] and dinas is None:
            row.bad("dinas", N_("no dinas is called %(dinas)s (write its full name)"), dinas=row.cells["dinas"])
        elif dinas is not None and dinas.id not in scope:
            row.bad("dinas", N_("%(dinas)s is not a dinas you administer"), dinas=row.cells["dinas"])
        if dinas is not None and clean["name"]:
            key = (dinas.id, clean["name"])
            if key in first_line:
                row.bad("name", N_("%(name)s is also on row %(line)s"), name=clean["name"], line=first_line[key])
            else:
                first_line[key] = row.line
        row.clean = {**clean, "dinas": dinas}
    bad = [(r.line, r.reasons) for r in rows if r.reasons]
    if bad:
        raise ImportRejected(bad)
    dinas_ids = {dinas_id for dinas_id, _name in first_line}
    stmt = select(StaffMember).where(StaffMember.dinas_id.in_(dinas_ids))
    existing = {(m.dinas_id, m.name): m for m in db.session.scalars(stmt)} if dinas_ids else {}
    changed = 0
    for row in rows:
        clean = row.clean
        member = existing.get((clean["dinas"].id, clean["name"]))
        values = {k: clean[k] for k in VALUES}
        if member is None:
            db.session.add(StaffMember(dinas_id=clean["dinas"].id, name=clean["name"], **values))
        elif all(getattr(member, k) == v for k, v in values.items()):
            continue
        else:
            for key, value in values.items():
                setattr(member, key, value)
        changed += 1
    db.session.flush()
    return changed, len(rows) - changed


def indonesian_header() -> list[str]:
    """The template's header in Indonesian."""
    return header_names(COLUMNS, "id")


__all__ = ["COLUMNS", "EntryRejected", "ImportRejected", "check_values", "delete_member", "import_staff", "save_member"]
