"""FR.AK.01, the assessment agreement: written by the lead assessor, signed by the candidate and the lead.

The lead writes the terms while the team is assigned: the date, the time, the venue and the
evidence to be gathered for every unit of the scheme's standard (with the methods). Changing the
terms after a signature clears both signatures — each party agrees to what is written. The
candidate is told (outbox) each time there are terms to sign. ``start_assessment`` needs both
signatures (guard ``agreement_signed``). Operations flush, never commit.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from certflow import clock
from certflow.applications.operations import raise_if_errors, reject_unknown, text_value, touch
from certflow.core.errors import AppError, Forbidden, NotEditable
from certflow.extensions import db
from certflow.models import Agreement, Application, Assessor, Schedule, Unit, User
from certflow.models.assessment import METHODS
from certflow.notifications.reminders import add_reminders
from certflow.people.policy import team_assessor

AGREEMENT_STATE = "team_assigned"
VENUE_MAX = 255
FIELDS = ("date", "time", "venue", "evidence")


class FormNotReady(AppError):
    """The record a form is made of does not exist yet (409 ``form_not_ready``)."""

    code = "form_not_ready"


def agreement_of(app: Application, current: bool = True) -> Agreement | None:
    """The application's agreement, or None (one query).

    ``current``: only one written since the application's last state change (the team's
    assignment); one of an earlier assessment (before a release or a reassessment) is no longer.
    """
    agreement = db.session.scalar(select(Agreement).where(Agreement.application_id == app.id))
    if current and agreement is not None and not is_current(agreement, app):
        return None
    return agreement


def is_current(agreement: Agreement, app: Application) -> bool:
    """Whether the agreement was written for the application's current assessment."""
    return app.state_changed_at is None or agreement.updated_at >= app.state_changed_at


def scheme_units(app: Application) -> list[Unit]:
    """The units of the application's scheme, in the standard's order (one query)."""
    return list(
        db.session.scalars(select(Unit).where(Unit.scheme_id == app.scheme_id).order_by(Unit.position, Unit.id))
    )


def schedule_terms(app: Application) -> dict[str, str]:
    """The date, time (WIB) and venue of the application's schedule, as the agreement's terms; or {}.

    What the lead's form starts from, and what a written agreement takes when it leaves them out
    (one query, none when the application is on no schedule).
    """
    if app.schedule_id is None:
        return {}
    schedule = db.session.get(Schedule, app.schedule_id)
    if schedule is None:
        return {}
    local = schedule.starts_at.astimezone(clock.LOCAL_TZ)
    return {"date": local.date().isoformat(), "time": local.strftime("%H:%M"), "venue": schedule.venue.name}


def lead_of(app: Application, user: User) -> Assessor | None:
    """The user's assessor record if they lead the team assigned to ``app``."""
    assessor = team_assessor(user, app)
    if assessor is None or app.team.lead_id != assessor.id:
        return None
    return assessor


def _require_state(app: Application) -> None:
    if app.state != AGREEMENT_STATE:
        raise NotEditable(
            _(
                "This can be done only in state %(wanted)s, not %(state)s.",
                wanted=AGREEMENT_STATE,
                state=app.state,
            )
        )


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _parse_time(value: Any) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str) and 4 <= len(value.strip()) <= 8:
        try:
            return time.fromisoformat(value.strip()).replace(second=0, microsecond=0, tzinfo=None)
        except ValueError:
            return None
    return None


def check_evidence(value: Any, units: list[Unit]) -> tuple[list[dict], dict[str, str]]:
    """The evidence (``[{"unit", "methods"}]``) in the standard's order, and its problems by field.

    Every unit of the scheme appears once, with one or more of the methods.
    """
    errors: dict[str, str] = {}
    if not isinstance(value, list):
        return [], {"evidence": _("must be a list of units with their methods")}
    codes = [u.code for u in units]
    given: dict[str, list[str]] = {}
    for i, item in enumerate(value[:500]):
        where = f"evidence[{i}]"
        if not isinstance(item, dict):
            errors[where] = _("must be an object with unit and methods")
            continue
        unknown = sorted(k for k in item if k not in ("unit", "methods"))
        for k in unknown:
            errors[f"{where}.{k}"] = _("unknown field")
        unit = item.get("unit")
        if not isinstance(unit, str) or unit not in codes:
            errors[f"{where}.unit"] = _("is not a unit of this scheme")
            continue
        if unit in given:
            errors[f"{where}.unit"] = _("is listed twice")
            continue
        methods = item.get("methods")
        if not isinstance(methods, list) or not methods:
            errors[f"{where}.methods"] = _("choose at least one method")
            continue
        if any(not isinstance(m, str) or m not in METHODS for m in methods):
            errors[f"{where}.methods"] = _("must be among %(methods)s", methods=", ".join(METHODS))
            continue
        given[unit] = [m for m in METHODS if m in methods]
    if len(value) > 500:
        errors["evidence"] = _("lists too many units")
    missing = [c for c in codes if c not in given]
    if missing and not errors:
        errors["evidence"] = _("every unit needs its methods; missing: %(units)s", units=", ".join(missing))
    return [{"unit": c, "methods": given[c]} for c in codes if c in given], errors


def write_agreement(app: Application, user: User, data: dict) -> Agreement:
    """The lead writes (or changes) the terms; a change after a signature clears both signatures."""
    lead = lead_of(app, user)
    if lead is None:
        raise Forbidden(_("Only the lead assessor of the assigned team may write the assessment agreement."))
    _require_state(app)
    reject_unknown(data, FIELDS)
    if any(data.get(k) in (None, "") for k in ("date", "time", "venue")):
        data = {
            **{k: v for k, v in schedule_terms(app).items() if data.get(k) in (None, "")},
            **{k: v for k, v in data.items() if v not in (None, "")},
        }
    errors: dict[str, str] = {}
    on = _parse_date(data.get("date"))
    if on is None:
        errors["date"] = _("must be a date (YYYY-MM-DD)")
    elif on < clock.today():
        errors["date"] = _("must not be in the past")
    at = _parse_time(data.get("time"))
    if at is None:
        errors["time"] = _("must be a time (HH:MM)")
    venue, error = text_value(data.get("venue"), VENUE_MAX)
    if error:
        errors["venue"] = error
    evidence, evidence_errors = check_evidence(data.get("evidence"), scheme_units(app))
    errors.update(evidence_errors)
    raise_if_errors(errors)
    agreement = agreement_of(app, current=False)
    terms = (on, at, venue, evidence)
    if agreement is None:
        agreement = Agreement(application_id=app.id, lead_id=lead.id)
        db.session.add(agreement)
        changed = True
    else:
        old = (agreement.assessed_on, agreement.assessed_at, agreement.venue, agreement.evidence)
        changed = not is_current(agreement, app) or old != terms
    if changed:
        agreement.assessed_on, agreement.assessed_at, agreement.venue, agreement.evidence = terms
        agreement.lead_id = lead.id
        agreement.signed_by_candidate_at = agreement.signed_by_lead_at = None
        agreement.updated_at = clock.now()
        touch(app)  # the application's version check: a concurrent write or signature is a stale version
        db.session.flush()
        _tell_candidate(app, agreement)
    return agreement


def _tell_candidate(app: Application, agreement: Agreement) -> None:
    """The candidate hears that there are terms to read and sign (once per version of the terms)."""
    stamp = agreement.updated_at.strftime("%Y%m%d%H%M%S%f")
    add_reminders(
        [
            {
                "key": f"agreement:{app.id}:{stamp}:{app.candidate_id}",
                "user": app.candidate_id,
                "event": "agreement_to_sign",
                "application": app.id,
                "params": {"date": agreement.assessed_on.isoformat()},
            }
        ]
    )


def sign_agreement(app: Application, user: User) -> Agreement:
    """The candidate (the owner) or the lead signs the terms as they are written now."""
    is_owner = app.candidate_id == user.id
    lead = None if is_owner else lead_of(app, user)
    if not is_owner and lead is None:
        raise Forbidden(_("Only the candidate and the lead assessor sign the assessment agreement."))
    _require_state(app)
    agreement = agreement_of(app)
    if agreement is None:
        raise FormNotReady(_("The lead assessor has not written the assessment agreement yet."))
    now = clock.now()
    if is_owner:
        agreement.signed_by_candidate_at = agreement.signed_by_candidate_at or now
    else:
        agreement.signed_by_lead_at = agreement.signed_by_lead_at or now
    agreement.updated_at = now  # set here, from the clock the workflow reads (not the column's default)
    # The application's version check: terms changed since this signer read them make the signature
    # a stale version (409), never a signature on terms the signer did not see.
    touch(app)
    db.session.flush()
    return agreement
