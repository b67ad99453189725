"""Reading and changing the functional positions: the pages' queries, and one save that checks everything.

``save_position`` takes what the system admin's form sent (a position's fields and its levels'
rows), checks every value at once and raises ``InvalidInput`` naming each bad field with its own
message; only a clean form changes anything (the caller commits once).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certflow.core.errors import InvalidInput
from certflow.extensions import db
from certflow.models import Scheme
from certflow.positions.models import TRACKS, FunctionalPosition, PositionLevel
from workflows.guards import N_

CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
SCHEME_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
MAX_TEXT = 4000
MAX_ORDER = 999
POSITION_TEXTS = ("summary_id", "summary_en", "regulation_id", "regulation_en")
LEVEL_TEXTS = ("asks_id", "asks_en", "certification_id", "certification_en")
POSITION_FLAGS = ("regulation_to_confirm",)
LEVEL_FLAGS = ("asks_to_confirm", "certification_to_confirm")
LEVEL_FIELDS = ("track", "position", "name_id", "name_en", *LEVEL_TEXTS, "scheme_codes")


def list_positions() -> list[FunctionalPosition]:
    """Every position, in order (one statement)."""
    return list(
        db.session.scalars(select(FunctionalPosition).order_by(FunctionalPosition.position, FunctionalPosition.code))
    )


def position_by_code(code: str) -> FunctionalPosition | None:
    """The position of ``code`` with its levels (two statements), or None."""
    return db.session.scalar(
        select(FunctionalPosition)
        .options(selectinload(FunctionalPosition.levels))
        .where(FunctionalPosition.code == code[:32])
    )


def load_position(position_id: int) -> FunctionalPosition | None:
    """The position of ``position_id`` with its levels, or None."""
    return db.session.scalar(
        select(FunctionalPosition)
        .options(selectinload(FunctionalPosition.levels))
        .where(FunctionalPosition.id == position_id)
    )


def open_schemes(codes: set[str]) -> dict[str, Scheme]:
    """The schemes open for applications among ``codes``, by code (one statement; none if no codes)."""
    if not codes:
        return {}
    rows = db.session.scalars(select(Scheme).where(Scheme.code.in_(sorted(codes)), Scheme.active.is_(True)))
    return {s.code: s for s in rows}


def _text(value) -> str:
    return value.strip().replace("\r\n", "\n") if isinstance(value, str) else ""


def _check_text(errors: dict, key: str, value: str, limit: int, required: bool) -> None:
    if "\x00" in value:
        errors[key] = N_("Remove the invisible characters from the text.")
    elif required and not value:
        errors[key] = N_("This is required.")
    elif len(value) > limit:
        errors[key] = N_("This text is too long.")


def _check_order(errors: dict, key: str, value: str) -> int:
    if value == "":
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= 3) or int(value) > MAX_ORDER:
        errors[key] = N_("Enter a whole number from 0 to 999.")
        return 0
    return int(value)


def _check_codes(errors: dict, key: str, value: str) -> str:
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if any(not SCHEME_CODE.fullmatch(c) for c in codes) or len(", ".join(codes)) > 255:
        errors[key] = N_("Enter scheme codes separated by commas, such as PS-GEN, PS-SPS.")
    return ", ".join(dict.fromkeys(codes))


def _position_values(form: Mapping, errors: dict, current: FunctionalPosition | None) -> dict:
    values = {"code": _text(form.get("code")).lower()}
    if not CODE.fullmatch(values["code"]):
        errors["code"] = N_("Enter a code of lowercase letters, digits and hyphens, such as pekerja-sosial.")
    else:
        taken = db.session.scalar(select(FunctionalPosition.id).where(FunctionalPosition.code == values["code"]))
        if taken is not None and (current is None or taken != current.id):
            errors["code"] = N_("Another position has this code.")
    for key in ("name_id", "name_en"):
        values[key] = _text(form.get(key))
        _check_text(errors, key, values[key], 160, True)
    for key in POSITION_TEXTS:
        values[key] = _text(form.get(key))
        _check_text(errors, key, values[key], MAX_TEXT, key == "summary_id")
    values["position"] = _check_order(errors, "position", _text(form.get("position")))
    for key in POSITION_FLAGS:
        values[key] = key in form
    return values


def level_rows(form: Mapping) -> list[int]:
    """The row numbers of the levels' rows the form sent (``level-<n>-…``), in order."""
    found = set()
    for key in form:
        match = re.fullmatch(r"level-(\d{1,3})-\w+", key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def _level_values(form: Mapping, n: int, errors: dict, known_ids: set[int]) -> dict | None:
    """One level's row; None if it is an empty new row or marked for removal."""
    p = f"level-{n}-"
    raw_id = _text(form.get(p + "id"))
    level_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 9 else None
    if level_id is not None and level_id not in known_ids:
        level_id = None
    if form.get(p + "remove") and level_id is not None:
        return {"id": level_id, "remove": True}
    values = {key: _text(form.get(p + key)) for key in LEVEL_FIELDS}
    if level_id is None and not any(values[k] for k in ("name_id", "name_en", *LEVEL_TEXTS, "scheme_codes")):
        return None
    values["id"] = level_id
    if values["track"] not in TRACKS:
        errors[p + "track"] = N_("Choose the track of the level.")
    for key in ("name_id", "name_en"):
        _check_text(errors, p + key, values[key], 80, True)
    for key in LEVEL_TEXTS:
        _check_text(errors, p + key, values[key], MAX_TEXT, key == "asks_id")
    values["position"] = _check_order(errors, p + "position", values["position"])
    values["scheme_codes"] = _check_codes(errors, p + "scheme_codes", values["scheme_codes"])
    for key in LEVEL_FLAGS:
        values[key] = (p + key) in form
    return values


def save_position(form: Mapping, current: FunctionalPosition | None = None) -> FunctionalPosition:
    """Create (``current`` None) or update a position and its levels from the form; every fault at once."""
    errors: dict[str, str] = {}
    values = _position_values(form, errors, current)
    known = {level.id: level for level in current.levels} if current else {}
    rows = []
    seen: dict[tuple[str, str], str] = {}
    for n in level_rows(form):
        row = _level_values(form, n, errors, set(known))
        if row is None:
            continue
        rows.append(row)
        if not row.get("remove"):
            key = (row["track"], row["name_id"].casefold())
            if key in seen and f"level-{n}-name_id" not in errors:
                errors[f"level-{n}-name_id"] = N_("Another level of this track has this name.")
            seen[key] = f"level-{n}-name_id"
    if errors:
        raise InvalidInput(N_("Please correct the fields marked below."), fields=errors)
    position = current or FunctionalPosition()
    for key, value in values.items():
        setattr(position, key, value)
    if current is None:
        db.session.add(position)
    for row in rows:
        level = known.get(row["id"]) if row["id"] is not None else None
        if row.get("remove"):
            position.levels.remove(level)
            continue
        if level is None:
            level = PositionLevel()
            position.levels.append(level)
        for key, value in row.items():
            if key != "id":
                setattr(level, key, value)
    db.session.flush()
    return position


def delete_position(position: FunctionalPosition) -> None:
    """Remove a position with its levels."""
    db.session.delete(position)
    db.session.flush()
