"""Lists of entries about a scheme's criteria (APL-02 claims, assessors' scores): the checks they share.

Each list is checked whole before anything is written: every problem is reported under the entry
it belongs to (``answers[3] (1.2.1).claim``), so a page can show it next to its criterion.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from certflow.extensions import db
from certflow.models import Application, Criterion

MAX_ENTRIES = 2000


def check_entries(entries: Any, name: str, fields: tuple[str, ...]) -> tuple[list[dict], dict[str, str]]:
    """``({"criterion", "where", "item"} per entry, problems)``: what every list of criterion entries must be.

    A non-empty list of at most ``MAX_ENTRIES`` objects, each naming a criterion once, with no field
    beyond ``criterion`` and ``fields``. ``criterion`` is None where it is missing; the caller checks
    its own fields of each ``item`` and adds to the problems.
    """
    if not isinstance(entries, list) or not entries:
        return [], {name: _("must be a non-empty list")}
    if len(entries) > MAX_ENTRIES:
        return [], {name: _("at most %(n)s entries at once", n=MAX_ENTRIES)}
    errors: dict[str, str] = {}
    checked, seen = [], set()
    for i, item in enumerate(entries):
        where = f"{name}[{i}]"
        if not isinstance(item, dict):
            errors[where] = _("must be an object")
            continue
        code = item.get("criterion")
        if isinstance(code, str) and code.strip():
            code = code.strip()
            where = f"{where} ({code})"
            if code in seen:
                errors[where] = _("criterion given twice")
            seen.add(code)
        else:
            code = None
            errors[f"{where}.criterion"] = _("give the code of a criterion")
        unknown = sorted(k for k in item if k not in ("criterion", *fields))
        if unknown:
            errors[f"{where}.{unknown[0]}"] = _("unknown field")
        checked.append({"criterion": code, "where": where, "item": item})
    return checked, errors


def criterion_ids(app: Application, entries: list[dict], errors: dict[str, str]) -> dict[str, int]:
    """The ids of the entries' criteria in the application's scheme (one query); a code not in it is a problem."""
    codes = [e["criterion"] for e in entries if e["criterion"] is not None]
    ids = dict(
        db.session.execute(
            select(Criterion.code, Criterion.id).where(Criterion.scheme_id == app.scheme_id, Criterion.code.in_(codes))
        ).all()
    )
    for e in entries:
        if e["criterion"] is not None and e["criterion"] not in ids:
            errors[e["where"]] = _(
                "criterion %(code)s is not in scheme %(scheme)s", code=e["criterion"], scheme=app.scheme.code
            )
    return ids
