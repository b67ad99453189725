"""The assessor pool: registering users as assessors, their licences, schemes and load.

Functions here check their input and scope and raise ``AppError`` (a message id,
its parameters, the HTTP status and the field at fault); they flush, never commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, false, select

from certflow import clock
from certflow.core.converters import MAX_ID
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Assessor, AssessorScheme, Dinas, Scheme, User
from certflow.people.policy import dinas_scope, may_administer
from workflows.guards import N_

MAX_LOAD_RANGE = (1, 50)
EXPIRING_SOON_DAYS = 90


def not_found(what: str) -> AppError:
    """A 404 for a record the caller may not see (or that does not exist)."""
    return AppError(N_("%(what)s not found."), {"what": what}, status=404, code="not_found")


# -- input parsing ------------------------------------------------------------------------
def parse_date(field: str, value: Any, *, not_past: bool = False) -> date:
    """A date from 'YYYY-MM-DD'; with ``not_past``, today or later."""
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise AppError(N_("%(field)s must be a date as YYYY-MM-DD."), {"field": field}, fields=field)
    if not_past and parsed < clock.today():
        raise AppError(N_("%(field)s must not be in the past."), {"field": field}, fields=field)
    return parsed


def parse_int(field: str, value: Any, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``."""
    text = value.strip() if isinstance(value, str) else ""
    digits = text[1:] if text.startswith("-") else text
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:  # "²" is a digit int() refuses
        value = int(text)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise AppError(
            N_("%(field)s must be a whole number from %(low)s to %(high)s."),
            {"field": field, "low": low, "high": high},
            fields=field,
        )
    return value


def parse_text(field: str, value: Any, max_length: int) -> str:
    """A non-empty string of at most ``max_length`` characters, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise AppError(N_("%(field)s is required."), {"field": field}, fields=field)
    if len(value.strip()) > max_length:
        raise AppError(
            N_("%(field)s is longer than %(max)s characters."), {"field": field, "max": max_length}, fields=field
        )
    return value.strip()


def parse_id(field: str, value: Any) -> int:
    """A record id (a positive whole number)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 18:
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:  # no record beyond
        raise AppError(N_("%(field)s must be the id of a record."), {"field": field}, fields=field)
    return value


def schemes_by_codes(field: str, codes: Any) -> list[Scheme]:
    """The schemes of a non-empty list of known codes, in one query."""
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c.strip() for c in codes):
        raise AppError(N_("%(field)s must be a non-empty list of scheme codes."), {"field": field}, fields=field)
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    found = {s.code: s for s in db.session.scalars(select(Scheme).where(Scheme.code.in_(wanted)))}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise AppError(
            N_("%(field)s: unknown scheme codes: %(codes)s."),
            {"field": field, "codes": ", ".join(unknown)},
            fields=field,
        )
    return [found[c] for c in wanted]


def scheme_by_code(field: str, code: Any) -> Scheme:
    """The scheme with this code (422 naming ``field`` if unknown)."""
    return schemes_by_codes(field, [code] if isinstance(code, str) else code)[0]


def scoped_dinas(user: User, field: str, value: Any) -> Dinas:
    """The dinas ``value`` (an id) if ``user`` administers it; else a 404."""
    dinas = db.session.get(Dinas, parse_id(field, value))
    if not may_administer(user, dinas):
        raise not_found(N_("Dinas"))
    return dinas


def restrict_to_scope(user: User, stmt: Select, dinas_column) -> Select:
    """``stmt`` limited to rows whose ``dinas_column`` ``user`` administers (all for a system admin)."""
    if user.has_role("admin"):
        return stmt
    scope = dinas_scope(user)
    return stmt.where(false()) if scope is None else stmt.where(dinas_column.in_(scope))


# -- the pool -------------------------------------------------------------------------------
def visible_assessors(user: User) -> Select:
    """A SELECT of the assessors ``user`` keeps: a system admin all, a dinas admin its scope's."""
    return restrict_to_scope(user, select(Assessor), Assessor.dinas_id)


def list_assessors(user: User, scheme: Scheme | None = None, dinas_id: int | None = None) -> list[Assessor]:
    """The assessors ``user`` keeps, optionally licensed for ``scheme`` or of one home dinas, by name."""
    stmt = visible_assessors(user).join(User, User.id == Assessor.user_id)
    if scheme is not None:
        stmt = stmt.where(
            Assessor.id.in_(select(AssessorScheme.assessor_id).where(AssessorScheme.scheme_id == scheme.id))
        )
    if dinas_id is not None:
        stmt = stmt.where(Assessor.dinas_id == dinas_id)
    return list(db.session.scalars(stmt.order_by(User.name, Assessor.id)).unique())


def get_visible_assessor(user: User, assessor_id: int) -> Assessor:
    """The assessor if ``user`` keeps it, else a 404."""
    assessor = db.session.scalar(visible_assessors(user).where(Assessor.id == assessor_id))
    if assessor is None:
        raise not_found(N_("Assessor"))
    return assessor


def licence_state(assessor: Assessor, today: date | None = None) -> tuple[bool, bool]:
    """(valid today, expiring within 90 days) of the assessor's licence."""
    today = today or clock.today()
    valid = assessor.licence_expires >= today
    return valid, valid and (assessor.licence_expires - today).days <= EXPIRING_SOON_DAYS


def register_assessor(admin: User, data: dict) -> Assessor:
    """Register a user ``admin`` administers as an assessor (adds the ``assessor`` role)."""
    user = db.session.get(User, parse_id("user", data.get("user")))
    if user is None or not may_administer(admin, user.dinas):
        raise not_found(N_("User"))
    if db.session.scalar(select(Assessor.id).where(Assessor.user_id == user.id)) is not None:
        raise AppError(N_("user: %(name)s is already registered as an assessor."), {"name": user.name}, fields="user")
    if not user.active:
        raise AppError(N_("user: the account of %(name)s is deactivated."), {"name": user.name}, fields="user")
    home = scoped_dinas(admin, "dinas", data["dinas"]) if data.get("dinas") is not None else user.dinas
    if home is None:
        raise AppError(N_("%(field)s is required."), {"field": "dinas"}, fields="dinas")
    assessor = Assessor(
        user=user,
        dinas=home,
        licence_number=parse_text("licence_number", data.get("licence_number"), 64),
        licence_expires=parse_date("licence_expires", data.get("licence_expires"), not_past=True),
        max_load=parse_int("max_load", data.get("max_load", 5), *MAX_LOAD_RANGE),
    )
    assessor.scheme_rows = [AssessorScheme(scheme_id=s.id) for s in schemes_by_codes("schemes", data.get("schemes"))]
    user.set_roles(user.roles | {"assessor"})
    db.session.add(assessor)
    db.session.flush()
    return assessor


def update_assessor(admin: User, assessor: Assessor, data: dict) -> Assessor:
    """Change an assessor's licence, schemes, load, home dinas; ``active`` false deactivates."""
    if "licence_number" in data:
        assessor.licence_number = parse_text("licence_number", data["licence_number"], 64)
    if "licence_expires" in data:
        assessor.licence_expires = parse_date("licence_expires", data["licence_expires"])
    if "max_load" in data:
        assessor.max_load = parse_int("max_load", data["max_load"], *MAX_LOAD_RANGE)
    if "dinas" in data:
        assessor.dinas = scoped_dinas(admin, "dinas", data["dinas"])
    if "schemes" in data:
        wanted = {s.id for s in schemes_by_codes("schemes", data["schemes"])}
        assessor.scheme_rows = [r for r in assessor.scheme_rows if r.scheme_id in wanted] + [
            AssessorScheme(scheme_id=i) for i in sorted(wanted - assessor.scheme_ids)
        ]
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise AppError(N_("%(field)s must be true or false."), {"field": "active"}, fields="active")
        assessor.active = data["active"]
    db.session.flush()
    return assessor
