"""People in a form: a dinas admin adds a person of its scope as candidate, assessor, or both.

Every field is checked first and every problem reported at once (``AppError`` with one message
per field); then the account is created without a password, registered as an assessor through
``assessment.assessors.register_assessor`` (its rules), and invited by the set-password e-mail
imported people get. Flushes, never commits.
"""

from __future__ import annotations

from sqlalchemy import func, select

from certflow.assessment.assessors import (
    MAX_LOAD_RANGE,
    parse_date,
    parse_int,
    parse_text,
    register_assessor,
    schemes_by_codes,
    scoped_dinas,
)
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import User
from certflow.people.imports import invite_users
from certflow.people.users import create_user
from workflows.guards import N_

EDUCATION_FIELDS = ("peksos", "kesos", "other")


class EnrolRefused(AppError):
    """Every problem of the form at once: ``problems`` maps a field to its refusal (an ``AppError``)."""

    def __init__(self, problems: dict[str, AppError]):
        super().__init__(N_("Some fields need attention."), fields=list(problems))
        self.problems = problems


def _say(message) -> AppError:
    return AppError(message)


def _check(problems: dict, field: str, check) -> object:
    try:
        return check()
    except AppError as exc:
        problems[field] = exc
        return None


def enrol(admin: User, data: dict) -> User:
    """Add a person: ``email``, ``name``, ``dinas`` (an id the admin administers), ``candidate`` and/or
    ``assessor`` (booleans); for an assessor ``licence_number``, ``licence_expires``, ``schemes``, ``max_load``."""
    problems: dict[str, str] = {}
    email = (data.get("email") or "").strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        problems["email"] = _say(N_("Give a valid e-mail address."))
    elif db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        problems["email"] = _say(N_("An account with this e-mail address already exists."))
    name = _check(problems, "name", lambda: parse_text("name", data.get("name"), 200))
    dinas = _check(problems, "dinas", lambda: scoped_dinas(admin, "dinas", data.get("dinas")))
    if "dinas" in problems:
        problems["dinas"] = _say(N_("Choose a dinas from the list."))
    as_candidate, as_assessor = bool(data.get("candidate")), bool(data.get("assessor"))
    if not (as_candidate or as_assessor):
        problems["roles"] = _say(N_("Choose candidate, assessor or both."))
    if as_assessor:
        _check(problems, "licence_number", lambda: parse_text("licence_number", data.get("licence_number"), 64))
        _check(
            problems,
            "licence_expires",
            lambda: parse_date("licence_expires", data.get("licence_expires"), not_past=True),
        )
        _check(problems, "schemes", lambda: schemes_by_codes("schemes", data.get("schemes")))
        _check(problems, "max_load", lambda: parse_int("max_load", data.get("max_load", 5), *MAX_LOAD_RANGE))
    profile = {}
    if as_candidate and data.get("education_field"):
        if data["education_field"] not in EDUCATION_FIELDS:
            problems["education_field"] = _say(N_("Choose an education background from the list."))
        else:
            profile["education_field"] = data["education_field"]
    if problems:
        raise EnrolRefused(problems)
    roles = (["candidate"] if as_candidate else []) + (["assessor"] if as_assessor else [])
    user = create_user(email, name, None, roles[:1], dinas, **profile)
    if as_assessor:
        register_assessor(
            admin,
            {
                "user": user.id,
                "dinas": dinas.id,
                "licence_number": data.get("licence_number"),
                "licence_expires": data.get("licence_expires"),
                "schemes": data.get("schemes"),
                "max_load": data.get("max_load", 5),
            },
        )
    invite_users([user])
    db.session.flush()
    return user
