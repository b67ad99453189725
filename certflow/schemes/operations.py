"""Editing certification schemes and their competency standards (the system admin's pages).

The rule: what an application is assessed against never changes under it
---------------------------------------------------------------------------
A scheme is **in use** once any of its applications has left ``draft`` (every certificate
comes from such an application). From then on, what its applications are judged against is
frozen:

- the standard: no unit, element or criterion is added, removed, re-coded or reworded —
  adding one would leave running self-assessments and assessments incomplete, removing or
  rewording one would change what a candidate claimed and an assessor scored;
- the eligibility rules — accepted education, minimum practice hours, required documents —
  which submitted applications are verified against;
- the code, which API clients, certificate numbers and certificates carry.

Still editable in use: the order of units, elements and criteria within their parent (only
presentation); the name, level and description (labels — a certificate keeps those it was
issued with); the settings read when a later step happens — validity (fixed on each
certificate when it is issued), minimum team size, maximum load and the same-dinas override
(checked at each assignment); and whether the scheme is active: a deactivated scheme takes
no new applications, and its running ones go on to the end.

To change what is frozen, the admin makes a **new version**: a copy of the scheme — settings,
rules, standard and the assessor licences covering it — under a new code, freely editable until
it is used; the old version is deactivated for new applications (by default) and carries its
running applications to the end untouched. A version rather than "typo-level edits with a
recorded reason": whether an edit is only a typo cannot be checked by the program, and no table
records such reasons; a version is exact, needs no judgement, and both standards stay readable.

While a scheme is not in use, everything is editable. Removing a criterion then also removes
the draft self-assessment answers to it, and a criterion added later is missing from the drafts:
the submit guard asks for a complete self-assessment, so the candidate completes it.
Certificates are never touched here: each keeps its own copy of name, level, units and expiry.

Functions check their input, raise ``SchemeError`` (a message per field) and flush, never commit.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Application, AssessorScheme, Criterion, Element, Scheme, Unit
from certflow.models.people import EDUCATION_FIELDS
from certflow.models.schemes import DOCUMENT_KINDS
from certflow.schemes.routes import scheme_routes
from workflows.eligibility import EDUCATION_LEVELS, ROUTES, RouteDataError, routes_from_data
from workflows.guards import N_

CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
NUMBERS = {
    "validity_years": (1, 20),
    "min_team_size": (1, 20),
    "max_load": (1, 100),
    "min_practice_hours": (0, 100_000),
}
TEXTS = {"name": (True, 160), "level": (False, 64), "description": (False, 4000)}
FROZEN_IN_USE = ("code", "min_practice_hours", "accepted_education", "required_documents")
SETTINGS = ("code", *TEXTS, *NUMBERS, "allow_same_dinas", "accepted_education", "required_documents")


class SchemeError(AppError):
    """Input refused (an ``AppError``, 422): ``errors`` maps each field at fault to its (translated) message."""

    code = "validation_error"

    def __init__(self, errors: dict[str, str]):
        super().__init__(N_("Please correct the fields marked below."), fields=errors)
        self.errors = errors


def frozen_error() -> str:
    """The message for a change the in-use rule refuses."""
    return _(
        "This scheme is in use: applications have been assessed against it, so this cannot change. "
        "Make a new version of the scheme to change it."
    )


def lock(scheme: Scheme) -> None:
    """Lock the scheme and its drafts (PostgreSQL) so no draft is submitted while the standard changes."""
    db.session.execute(select(Scheme.id).where(Scheme.id == scheme.id).with_for_update())
    db.session.execute(
        select(Application.id).where(Application.scheme_id == scheme.id, Application.state == "draft").with_for_update()
    )


def in_use(scheme: Scheme) -> bool:
    """Whether any application of the scheme has left ``draft`` (its standard and rules are then frozen)."""
    return bool(
        db.session.scalar(select(exists().where(Application.scheme_id == scheme.id, Application.state != "draft")))
    )


def usage() -> dict[int, dict[str, int]]:
    """Per scheme id: its applications in ``draft`` and past it (one grouped query)."""
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(Application.scheme_id, Application.state, func.count(Application.id)).group_by(
            Application.scheme_id, Application.state
        )
    )
    for scheme_id, state, n in rows:
        entry = counts.setdefault(scheme_id, {"draft": 0, "submitted": 0})
        entry["draft" if state == "draft" else "submitted"] += n
    return counts


def load_scheme(scheme_id: int) -> Scheme | None:
    """A scheme with its whole standard loaded (four queries)."""
    return db.session.scalar(
        select(Scheme)
        .where(Scheme.id == scheme_id)
        .options(selectinload(Scheme.units).selectinload(Unit.elements).selectinload(Element.criteria))
    )


# -- reading the input ---------------------------------------------------------------------


def _number(value: Any, low: int, high: int) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) < 8 else None
    if not isinstance(value, int) or not low <= value <= high:
        return None, _("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)
    return value, None


def _choices(value: Any, allowed: tuple[str, ...], *, at_least_one: bool) -> tuple[list | None, str | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or any(v not in allowed for v in value):
        return None, _("Choose from the list.")
    chosen = [v for v in allowed if v in value]
    if at_least_one and not chosen:
        return None, _("Choose at least one.")
    return chosen, None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "on", "true", "yes", "y"}
    return bool(value)


def parse_settings(data: dict, scheme: Scheme | None) -> dict:
    """The scheme's settings from ``data`` (only the keys present; all of them for a new scheme)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in SETTINGS:
        if name not in data:
            if scheme is None and name in ("code", "name"):
                errors[name] = _("Enter the code.") if name == "code" else _("Enter the name.")
            continue
        raw = data[name]
        if name == "code":
            code = raw.strip().upper() if isinstance(raw, str) else ""
            if not code:
                errors[name] = _("Enter the code.")
            elif not CODE.match(code):
                errors[name] = _("Use up to 32 capital letters, digits, dots, dashes or underscores.")
            elif db.session.scalar(select(Scheme.id).where(Scheme.code == code, Scheme.id != getattr(scheme, "id", 0))):
                errors[name] = _("Another scheme has the code %(code)s.", code=code)
            values[name] = code
        elif name in TEXTS:
            required, longest = TEXTS[name]
            text = raw.strip() if isinstance(raw, str) else ""
            if required and not text:
                errors[name] = _("Enter the name.")
            elif len(text) > longest:
                errors[name] = _("Use at most %(max)d characters.", max=longest)
            values[name] = text
        elif name in NUMBERS:
            values[name], error = _number(raw, *NUMBERS[name])
            if error:
                errors[name] = error
        elif name == "allow_same_dinas":
            values[name] = _bool(raw)
        else:
            allowed = EDUCATION_FIELDS if name == "accepted_education" else DOCUMENT_KINDS
            values[name], error = _choices(raw, allowed, at_least_one=name == "accepted_education")
            if error:
                errors[name] = error
    if errors:
        raise SchemeError(errors)
    return values


# -- schemes -------------------------------------------------------------------------------


def create_scheme(data: dict) -> Scheme:
    """A new scheme (active, no standard yet) from its settings."""
    values = parse_settings(data, None)
    scheme = Scheme(**{"accepted_education": list(EDUCATION_FIELDS), "required_documents": [], **values})
    db.session.add(scheme)
    db.session.flush()
    return scheme


def update_scheme(scheme: Scheme, data: dict) -> Scheme:
    """Change the scheme's settings; in use, the frozen ones (``FROZEN_IN_USE``) may not change."""
    lock(scheme)
    values = parse_settings(data, scheme)
    if in_use(scheme):
        changed = [k for k in FROZEN_IN_USE if k in values and values[k] != getattr(scheme, k)]
        if changed:
            raise SchemeError({k: frozen_error() for k in changed})
    for name, value in values.items():
        setattr(scheme, name, value)
    db.session.flush()
    return scheme


def parse_routes(items: Any) -> list[dict]:
    """The routes of ``items`` (one dict per route, as a form or the API sends them), checked.

    Every fault is reported at once, keyed ``<route>-<rule>``; the rules themselves are read by
    ``workflows.eligibility.routes_from_data``, so what is saved is what the guards will read.
    """
    errors: dict[str, str] = {}
    clean: list[dict] = []
    if not isinstance(items, list | tuple):
        raise SchemeError({"routes": _("Choose from the list.")})
    for item in items:
        name = item.get("route") if isinstance(item, dict) else None
        if name not in ROUTES:
            errors["routes"] = _("Unknown route.")
            continue
        values: dict[str, Any] = {"route": name, "enabled": _bool(item.get("enabled", False))}
        fields = item.get("education_fields") or []
        values["education_fields"], error = _choices(fields, EDUCATION_FIELDS, at_least_one=False)
        if error:
            errors[f"{name}-education_fields"] = error
        level = item.get("min_education_level") or None
        if level is not None and level not in EDUCATION_LEVELS:
            errors[f"{name}-min_education_level"] = _("Choose from the list.")
        values["min_education_level"] = level
        hours = item.get("min_practice_hours")
        values["min_practice_hours"], error = (0, None) if hours in (None, "") else _number(hours, 0, 100_000)
        if error:
            errors[f"{name}-min_practice_hours"] = error
        values["training_required"] = _bool(item.get("training_required", False))
        values["documents"], error = _choices(item.get("documents") or [], DOCUMENT_KINDS, at_least_one=False)
        if error:
            errors[f"{name}-documents"] = error
        elif values["enabled"] and not values["documents"]:
            errors[f"{name}-documents"] = _("Choose at least one document the route asks for.")
        if any(k.startswith(f"{name}-") for k in errors):
            continue
        try:
            routes_from_data([values])
        except RouteDataError as exc:
            errors[f"{name}-route"] = _(exc.args[0])
            continue
        clean.append(values)
    if not errors and len({r["route"] for r in clean}) != len(clean):
        errors["routes"] = _("A route is given twice.")
    if not errors and not any(r["enabled"] for r in clean):
        errors["routes"] = _("Open the scheme by at least one route.")
    if errors:
        raise SchemeError(errors)
    return [r.as_data() for r in routes_from_data(clean)]


def set_routes(scheme: Scheme, items: Any) -> Scheme:
    """Replace the scheme's eligibility routes; in use, they may not change (like its other rules)."""
    lock(scheme)
    routes = parse_routes(items)
    if in_use(scheme) and routes != [r.as_data() for r in scheme_routes(scheme)]:
        raise SchemeError({"routes": frozen_error()})
    scheme.routes = routes
    db.session.flush()
    return scheme


def set_active(scheme: Scheme, active: bool) -> None:
    """Open (active) or close (inactive) the scheme to new applications; running ones go on."""
    scheme.active = bool(active)
    db.session.flush()


def suggest_version_code(code: str) -> str:
    """A free code for the next version: ``PSG`` → ``PSG-V2``, ``PSG-V2`` → ``PSG-V3``."""
    match = re.match(r"^(.*)-V(\d+)$", code)
    base, n = (match.group(1), int(match.group(2)) + 1) if match else (code, 2)
    taken = set(db.session.scalars(select(Scheme.code).where(Scheme.code.like(f"{base[:24]}%"))))
    while f"{base}-V{n}"[-32:] in taken:
        n += 1
    return f"{base[: 32 - len(f'-V{n}')]}-V{n}"


def new_version(scheme: Scheme, data: dict) -> Scheme:
    """Copy the scheme — settings, standard, assessor licences — under a new code (and name).

    With ``deactivate_old`` (the default) the old version takes no new applications; its
    running applications, their answers and scores, and its certificates are not touched.
    """
    values = parse_settings({"code": data.get("code", ""), "name": data.get("name") or scheme.name}, None)
    scheme = load_scheme(scheme.id)
    copy = Scheme(
        **values,
        **{k: getattr(scheme, k) for k in SETTINGS if k not in values},
        active=True,
    )
    copy.accepted_education = list(scheme.accepted_education)
    copy.required_documents = list(scheme.required_documents)
    copy.routes = [dict(r) for r in scheme.routes] if scheme.routes else None
    db.session.add(copy)
    units = [(u, Unit(scheme=copy, code=u.code, title=u.title, position=u.position)) for u in scheme.units]
    db.session.add_all([new for _old, new in units])
    db.session.flush()
    elements = [
        (e, Element(unit=new_u, code=e.code, title=e.title, position=e.position))
        for old_u, new_u in units
        for e in old_u.elements
    ]
    db.session.add_all([new for _old, new in elements])
    db.session.flush()
    for old_e, new_e in elements:
        for c in old_e.criteria:
            db.session.add(
                Criterion(
                    element=new_e,
                    unit_id=new_e.unit_id,
                    scheme_id=copy.id,
                    code=c.code,
                    text=c.text,
                    position=c.position,
                )
            )
    covering = db.session.scalars(select(AssessorScheme.assessor_id).where(AssessorScheme.scheme_id == scheme.id))
    db.session.add_all([AssessorScheme(assessor_id=a, scheme_id=copy.id) for a in covering])
    if _bool(data.get("deactivate_old", True)):
        scheme.active = False
    db.session.flush()
    return copy
