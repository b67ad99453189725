"""Venues (TUK, *tempat uji kompetensi*): kept by a dinas admin of their scope, verified against a checklist.

Functions validate every value before writing, and flush; the request commits.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from certflow import clock
from certflow.applications.operations import raise_if_errors, reject_unknown, text_value
from certflow.core.errors import NotFound
from certflow.extensions import db
from certflow.models import Dinas, User, Venue, VenueVerification
from certflow.models.schedules import VENUE_KINDS
from certflow.people.policy import may_administer, visible_venues

FACILITIES = ("room", "furniture", "equipment", "toilets", "accessibility", "safety")
"""The facilities checklist a venue is verified against (BNSP's TUK verification, in short)."""
MAX_CAPACITY = 10_000
VENUE_FIELDS = ("name", "kind", "dinas", "address", "capacity", "active")


def get_visible_venue(user: User, venue_id: Any) -> Venue:
    """The venue if ``user`` keeps it, else ``NotFound`` (another dinas's venue is not found)."""
    venue = db.session.scalar(visible_venues(user).where(Venue.id == venue_id)) if isinstance(venue_id, int) else None
    if venue is None:
        raise NotFound()
    return venue


def latest_verifications(venue_ids) -> dict[int, VenueVerification]:
    """The latest verification of each venue (one query)."""
    ids = list(set(venue_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(VenueVerification)
        .where(VenueVerification.venue_id.in_(ids))
        .order_by(VenueVerification.venue_id, VenueVerification.verified_at, VenueVerification.id)
    )
    return {v.venue_id: v for v in rows}


def _dinas(user: User, value: Any, errors: dict[str, str]) -> Dinas | None:
    if value is None:
        value = user.dinas_id
    dinas = db.session.get(Dinas, value) if isinstance(value, int) and 0 < value < 2**31 else None
    if dinas is None or not may_administer(user, dinas):
        errors["dinas"] = _("not a dinas you administer")
        return None
    return dinas


def _values(user: User, data: dict, *, partial: bool) -> dict:
    reject_unknown(data, VENUE_FIELDS)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if not partial or "name" in data:
        name, err = text_value(data.get("name"), 160, required=True)
        if err:
            errors["name"] = err
        out["name"] = name
    if not partial or "kind" in data:
        if data.get("kind") not in VENUE_KINDS:
            errors["kind"] = _("must be one of %(kinds)s", kinds=", ".join(VENUE_KINDS))
        out["kind"] = data.get("kind")
    if not partial or "address" in data:
        address, err = text_value(data.get("address"), 500, required=True)
        if err:
            errors["address"] = err
        out["address"] = address
    if not partial or "capacity" in data:
        capacity = data.get("capacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
            errors["capacity"] = _("must be a whole number from 1 to %(n)s", n=MAX_CAPACITY)
        out["capacity"] = capacity
    if not partial or "dinas" in data:
        dinas = _dinas(user, data.get("dinas"), errors)
        out["dinas_id"] = dinas.id if dinas is not None else None
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors["active"] = _("must be true or false")
        out["active"] = data["active"]
    raise_if_errors(errors)
    return out


def create_venue(user: User, data: dict) -> Venue:
    """A new venue of a dinas the user administers (default: their own)."""
    venue = Venue(**_values(user, data, partial=False))
    db.session.add(venue)
    db.session.flush()
    return venue


def update_venue(user: User, venue: Venue, data: dict) -> Venue:
    """Change a venue's fields (only those given)."""
    for key, value in _values(user, data, partial=True).items():
        setattr(venue, key, value)
    venue.updated_at = clock.now()
    db.session.flush()
    return venue


def verify_venue(user: User, venue: Venue, facilities_ok: Any, note: Any, checklist: Any = None) -> VenueVerification:
    """Record a check of the venue against the facilities checklist: by whom, when, the result, a note."""
    errors: dict[str, str] = {}
    if not isinstance(facilities_ok, bool):
        errors["facilities_ok"] = _("must be true or false")
    note, err = text_value(note, 2000)
    if err:
        errors["note"] = err
    checklist = checklist if checklist is not None else {}
    if not isinstance(checklist, dict) or any(
        k not in FACILITIES or not isinstance(v, bool) for k, v in checklist.items()
    ):
        errors["checklist"] = _("must map facilities (%(names)s) to true or false", names=", ".join(FACILITIES))
    if facilities_ok is True and isinstance(checklist, dict) and checklist and not all(checklist.values()):
        errors["facilities_ok"] = _("a venue missing a facility of the checklist cannot be verified as fit")
    raise_if_errors(errors)
    record = VenueVerification(
        venue_id=venue.id,
        verified_by_id=user.id,
        verified_at=clock.now(),
        facilities_ok=facilities_ok,
        checklist=checklist,
        note=note or "",
    )
    db.session.add(record)
    db.session.flush()
    return record
