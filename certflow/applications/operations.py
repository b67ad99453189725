"""Applications: opening one, the APL-01 form and the APL-02 self-assessment.

These functions check who may change what, validate the input completely
before writing anything, and flush; the request commits. Every change to a
part of an application (form, answers, documents, scores, declarations)
"touches" the application, so its optimistic-lock version moves and a
concurrent event on a stale copy is refused instead of silently mixing.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from certflow import clock
from certflow.applications.criterion_entries import check_entries, criterion_ids
from certflow.applications.identity import IDENTITY_TEXT_FIELDS, clean_identity, identity_errors
from certflow.core.errors import Forbidden, InvalidInput, NotEditable
from certflow.extensions import db
from certflow.models import Application, Certificate, Criterion, Element, Scheme, SelfAssessmentAnswer, Unit, User
from certflow.models.people import EDUCATION_FIELDS, POSITION_MAX
from certflow.schemes.routes import scheme_routes
from workflows.eligibility import EDUCATION_LEVELS, PURPOSES

EDITABLE_STATES = ("draft", "revision_requested")
# An application in one of these states no longer blocks a new one for the same scheme:
# it is final (certified, withdrawn) or closed by a decision (ineligible, not yet competent).
CLOSED_STATES = ("certified", "withdrawn", "ineligible", "not_yet_competent")
RENEWABLE_STATUSES = ("active", "suspended")
MAX_PRACTICE_HOURS = 100_000
PROFILE_FIELDS = ("education_field", "education_level", "practice_hours")
# What a new application's APL-01 starts from: the profile and the self-check's other answers kept at registration.
FIRST_FORM_FIELDS = (*PROFILE_FIELDS, "training", "position")
APL01_TEXT_FIELDS = {
    "workplace": 200,
    "position": POSITION_MAX,
    "employee_id": 32,
    "phone": 32,
    "address": 500,
    **IDENTITY_TEXT_FIELDS,
}
APL01_CHOICES = ("route", "purpose", "training")
# Checked together, on the form as it would be saved (the NIK against the date of birth and the sex).
APL01_IDENTITY = ("nik", "birth_date", "sex", "jf_level")
# What anonymising a person takes out of their APL-01s (the free texts, the NIK and the date of birth).
APL01_PERSONAL_FIELDS = (*APL01_TEXT_FIELDS, "nik", "birth_date")
APL01_FIELDS = (*PROFILE_FIELDS, *APL01_CHOICES, *APL01_TEXT_FIELDS, *APL01_IDENTITY)
EVIDENCE_MAX = 2000
CLAIMS = ("K", "BK")
_PHONE = re.compile(r"^[0-9+() .-]*$")


def raise_if_errors(errors: dict[str, str]) -> None:
    """Raise one ``InvalidInput`` naming every bad field, if there are any."""
    if errors:
        detail = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(_("Invalid input — %(detail)s", detail=detail), fields=errors)


def reject_unknown(data: dict, allowed, prefix: str = "") -> None:
    """422 for fields the endpoint does not know (a typo must not be silently dropped)."""
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        raise_if_errors({f"{prefix}{k}": _("unknown field") for k in unknown})


def text_value(value: Any, max_length: int, *, required: bool = False) -> tuple[str | None, str | None]:
    """``(clean text, None)`` or ``(None, error message)`` for a free-text input."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return None, _("must be text")
    value = value.strip()
    if required and not value:
        return None, _("is required")
    if len(value) > max_length:
        return None, _("must be at most %(n)s characters", n=max_length)
    return value, None


def touch(app: Application) -> None:
    """Mark the application changed: its UPDATE checks and bumps the version."""
    app.updated_at = clock.now()


def require_editing_owner(app: Application, user: User) -> None:
    """The owner, while the application is a draft or back for revision (403 / 409 otherwise)."""
    if app.candidate_id != user.id:
        raise Forbidden(_("Only the candidate who owns this application may change it."))
    if app.state not in EDITABLE_STATES:
        raise NotEditable(
            _(
                "The application can be changed only in draft or revision_requested, not in %(state)s.",
                state=app.state,
            )
        )


# -- opening an application --------------------------------------------------------------


def create_application(user: User, scheme_code: Any, renews: Any = None) -> Application:
    """Open a draft application of ``user`` for a scheme, the form pre-filled from their profile.

    One open application per candidate and scheme; a holder of a live certificate of
    the scheme applies again only as a recertification (``renews``: its number).
    """
    if not isinstance(scheme_code, str) or not scheme_code.strip():
        raise_if_errors({"scheme": _("give the code of a scheme")})
    if renews is not None and not isinstance(renews, str):
        raise_if_errors({"renews": _("must be a certificate number")})
    scheme = db.session.scalar(select(Scheme).where(Scheme.code == scheme_code.strip(), Scheme.active.is_(True)))
    if scheme is None:
        raise_if_errors({"scheme": _("%(code)s is not an active scheme", code=scheme_code.strip())})
    if user.dinas_id is None:
        raise_if_errors({"dinas": _("your account has no dinas; ask your dinas admin to set it")})
    # Lock the candidate's row (PostgreSQL) so two requests at once cannot both open one.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    open_id = db.session.scalar(
        select(Application.id).where(
            Application.candidate_id == user.id,
            Application.scheme_id == scheme.id,
            Application.state.not_in(CLOSED_STATES),
        )
    )
    if open_id is not None:
        raise_if_errors(
            {"scheme": _("you already have an open application (%(id)s) for %(code)s", id=open_id, code=scheme.code)}
        )
    live = db.session.scalars(
        select(Certificate).where(
            Certificate.holder_id == user.id,
            Certificate.scheme_id == scheme.id,
            Certificate.status.in_(RENEWABLE_STATUSES),
        )
    ).all()
    previous = None
    if renews is not None and renews.strip():
        previous = next((c for c in live if c.number == renews.strip()), None)
        if previous is None:
            raise_if_errors(
                {
                    "renews": _(
                        "%(number)s is not an active or suspended certificate of yours for %(code)s",
                        number=renews.strip(),
                        code=scheme.code,
                    )
                }
            )
    elif live:
        raise_if_errors(
            {
                "renews": _(
                    "you hold certificate %(number)s for %(code)s; give its number to apply for recertification",
                    number=live[0].number,
                    code=scheme.code,
                )
            }
        )
    apl01 = {f: getattr(user, f) for f in FIRST_FORM_FIELDS if getattr(user, f) not in (None, "")}
    app = Application(
        candidate_id=user.id,
        scheme_id=scheme.id,
        dinas_id=user.dinas_id,
        state="draft",
        apl01=apl01,
        previous_certificate_id=previous.id if previous else None,
    )
    db.session.add(app)
    db.session.flush()
    return app


# -- APL-01 ---------------------------------------------------------------------------------


def _apl01_value(name: str, value: Any, app: Application) -> tuple[Any, str | None]:
    if name in APL01_IDENTITY:
        if isinstance(value, str):
            return value.strip(), None
        return None, _("must be text")
    if name == "route":
        open_by = [r.route for r in scheme_routes(app.scheme) if r.enabled]
        return (value, None) if value in open_by else (None, _("choose one of the routes that open this scheme"))
    if name == "purpose":
        return (value, None) if value in PURPOSES else (None, _("choose one of the purposes of the list"))
    if name == "training":
        return (value, None) if isinstance(value, bool) else (None, _("must be true or false"))
    if name == "education_field":
        return (value, None) if value in EDUCATION_FIELDS else (None, _("must be one of peksos, kesos, other"))
    if name == "education_level":
        if value in EDUCATION_LEVELS:
            return value, None
        return None, _("must be one of %(levels)s", levels=", ".join(EDUCATION_LEVELS))
    if name == "practice_hours":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PRACTICE_HOURS:
            return value, None
        return None, _("must be a whole number from 0 to %(n)s", n=MAX_PRACTICE_HOURS)
    text, error = text_value(value, APL01_TEXT_FIELDS[name])
    if error is None and name == "phone" and not _PHONE.match(text):
        error = _("may hold only digits, spaces and + ( ) - .")
    return text, error


def update_apl01(app: Application, user: User, data: dict) -> dict:
    """Save the APL-01 fields given (``null`` clears one; fields not sent are kept)."""
    require_editing_owner(app, user)
    reject_unknown(data, APL01_FIELDS)
    errors, values = {}, {}
    for name, raw in data.items():
        if raw is None:
            values[name] = None
            continue
        value, error = _apl01_value(name, raw, app)
        if error:
            errors[name] = error
        else:
            values[name] = value
    form = dict(app.apl01 or {})
    for name, value in values.items():
        if value in (None, "", False):
            form.pop(name, None)
        else:
            form[name] = value
    # The identity fields on the form as it would be saved; a fault is named on the field sent when
    # it comes from one kept (a new date of birth that the saved NIK does not agree with).
    for name, message in identity_errors(form).items():
        if name in values:
            errors.setdefault(name, message)
        elif name == "nik" and ({"birth_date", "sex"} & values.keys()):
            errors.setdefault(next(n for n in ("birth_date", "sex") if n in values), message)
    raise_if_errors(errors)
    app.apl01 = clean_identity(form)
    touch(app)
    db.session.flush()
    return app.apl01


# -- APL-02 ---------------------------------------------------------------------------------


def _check_answers(answers: Any) -> tuple[list[dict], dict[str, str]]:
    entries, errors = check_entries(answers, "answers", ("claim", "evidence"))
    for e in entries:
        item, where = e["item"], e["where"]
        if item.get("claim") not in CLAIMS:
            errors[f"{where}.claim"] = _("must be K or BK")
        e["claim"] = item.get("claim")
        e["evidence"], error = text_value(item.get("evidence"), EVIDENCE_MAX)
        if error:
            errors[f"{where}.evidence"] = error
    return entries, errors


def save_self_assessment(app: Application, user: User, answers: Any) -> dict:
    """Save (insert or update) the candidate's claims; part of the criteria may be answered at a time."""
    require_editing_owner(app, user)
    clean, errors = _check_answers(answers)
    ids = criterion_ids(app, clean, errors)
    raise_if_errors(errors)
    existing = {
        row.criterion_id: row
        for row in db.session.scalars(
            select(SelfAssessmentAnswer).where(
                SelfAssessmentAnswer.application_id == app.id, SelfAssessmentAnswer.criterion_id.in_(ids.values())
            )
        )
    }
    for a in clean:
        crit_id = ids[a["criterion"]]
        row = existing.get(crit_id)
        if row is None:
            row = SelfAssessmentAnswer(application_id=app.id, criterion_id=crit_id)
            db.session.add(row)
        row.claim, row.evidence = a["claim"], a["evidence"]
    touch(app)
    db.session.flush()
    return self_assessment(app)


def self_assessment(app: Application) -> dict:
    """The saved claims, and how many of the scheme's criteria are still unanswered."""
    rows = db.session.execute(
        select(Criterion.code, SelfAssessmentAnswer.claim, SelfAssessmentAnswer.evidence)
        .join(Criterion, Criterion.id == SelfAssessmentAnswer.criterion_id)
        .where(SelfAssessmentAnswer.application_id == app.id, Criterion.scheme_id == app.scheme_id)
        .order_by(Criterion.unit_id, Criterion.element_id, Criterion.position, Criterion.id)
    ).all()
    total = db.session.scalar(select(func.count(Criterion.id)).where(Criterion.scheme_id == app.scheme_id))
    return {
        "answers": [{"criterion": c, "claim": k, "evidence": e} for c, k, e in rows],
        "answered": len(rows),
        "unanswered": total - len(rows),
        "total": total,
    }


def scheme_units(scheme_id: int) -> list[Unit]:
    """The scheme's units with their elements and criteria, in order (three queries, whatever their number)."""
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.scheme_id == scheme_id)
            .order_by(Unit.position, Unit.id)
            .options(selectinload(Unit.elements).selectinload(Element.criteria))
        )
    )
