"""Managing accounts: creating people with roles and a dinas, changing them, (de)activating them,
appointing dinas admins. Functions check their input, raise ``AccountError`` (a message per
field) and flush; the page commits.

One rule protects the system: there is always an active system admin. Removing the admin role
from, or deactivating, the last active one is refused (the rows of the active admins are locked
first, so two admins demoting each other at once cannot both succeed). Nobody deactivates
their own account.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from certflow.core.converters import as_id
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Dinas, User, UserRole
from certflow.models.people import EDUCATION_FIELDS, ROLES
from certflow.people.imports import invite_users as invite  # the invitation e-mail imported people get
from certflow.people.users import create_user
from workflows.guards import N_

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
NEEDS_DINAS = ("candidate", "dinas_admin")


class AccountError(AppError):
    """Input refused (an ``AppError``, 422): ``errors`` maps each field at fault to its (translated) message."""

    code = "validation_error"

    def __init__(self, errors: dict[str, str]):
        super().__init__(N_("Please correct the fields marked below."), fields=errors)
        self.errors = errors


def search_users(query: str = "", role: str | None = None, status: str | None = None):
    """A SELECT of users whose name or e-mail contains ``query``, holding ``role``, active or not."""
    stmt = select(User)
    query = (query or "").strip()
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\")))
    if role in ROLES:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status in ("active", "inactive"):
        stmt = stmt.where(User.active.is_(status == "active"))
    return stmt


def _profile(data: dict, errors: dict) -> dict:
    """Roles, dinas and education from ``data`` (the dinas as an id)."""
    roles = data.get("roles") or []
    roles = [roles] if isinstance(roles, str) else list(roles)
    if not roles:
        errors["roles"] = _("Choose at least one role.")
    elif any(r not in ROLES for r in roles):
        errors["roles"] = _("Choose roles from the list.")
    dinas = None
    raw = data.get("dinas")
    if raw not in (None, ""):
        dinas = db.session.get(Dinas, as_id(str(raw))) if as_id(str(raw)) else None
        if dinas is None:
            errors["dinas"] = _("Choose a Dinas Sosial from the list.")
    elif set(roles) & set(NEEDS_DINAS):
        errors["dinas"] = _("Candidates and dinas admins belong to a Dinas Sosial: choose one.")
    education = data.get("education_field") or None
    if education is not None and education not in EDUCATION_FIELDS:
        errors["education_field"] = _("Choose a field of education from the list.")
    return {"roles": [r for r in ROLES if r in roles], "dinas": dinas, "education_field": education}


def _name(data: dict, errors: dict) -> str:
    name = data.get("name").strip() if isinstance(data.get("name"), str) else ""
    if not name:
        errors["name"] = _("Enter the full name.")
    elif len(name) > 160:
        errors["name"] = _("Use at most %(max)d characters.", max=160)
    return name


def create_account(data: dict) -> User:
    """A new account with roles and a dinas; no password: an e-mail invites the person to set one."""
    errors: dict[str, str] = {}
    name = _name(data, errors)
    email = data.get("email").strip().lower() if isinstance(data.get("email"), str) else ""
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = _("Enter a valid e-mail address, e.g. name@example.id.")
    elif db.session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = _("This e-mail address already has an account.")
    profile = _profile(data, errors)
    if errors:
        raise AccountError(errors)
    user = create_user(
        email, name, None, profile["roles"], profile["dinas"], education_field=profile["education_field"]
    )
    invite([user])
    return user


def _keep_an_admin(user: User, *, losing: bool) -> None:
    """Refuse when ``user`` is losing admin rights (role or account) and no other active admin remains."""
    if not losing:
        return
    admins = select(User.id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "admin")
    db.session.execute(admins.where(User.active.is_(True)).with_for_update(of=User)).all()
    others = db.session.scalar(
        select(func.count()).select_from(admins.where(User.active.is_(True), User.id != user.id).subquery())
    )
    if not others:
        raise AccountError(
            {"roles": _("There must always be an active system admin: appoint another one before this change.")}
        )


def update_account(user: User, data: dict) -> User:
    """Change a person's name, roles, dinas and education."""
    errors: dict[str, str] = {}
    name = _name(data, errors)
    profile = _profile(data, errors)
    if errors:
        raise AccountError(errors)
    _keep_an_admin(user, losing=user.active and user.has_role("admin") and "admin" not in profile["roles"])
    user.name = name
    user.set_roles(profile["roles"])
    user.dinas = profile["dinas"]
    user.education_field = profile["education_field"]
    db.session.flush()
    return user


def set_account_active(actor: User, user: User, active: Any) -> None:
    """Reactivate or deactivate an account (a deactivated person cannot log in or use the API)."""
    active = bool(active)
    if not active and user.id == actor.id:
        raise AccountError({"active": _("You cannot deactivate your own account.")})
    _keep_an_admin(user, losing=user.active and not active and user.has_role("admin"))
    user.active = active
    db.session.flush()


def dinas_admins(dinas_ids: list[int]) -> dict[int, list[User]]:
    """The dinas admins of each of these dinas (one query)."""
    found: dict[int, list[User]] = {i: [] for i in dinas_ids}
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "dinas_admin", User.dinas_id.in_(dinas_ids))
        .order_by(User.name)
    )
    for user in db.session.scalars(stmt):
        found[user.dinas_id].append(user)
    return found


def appoint_dinas_admin(dinas: Dinas, email: Any) -> User:
    """Make the person with this e-mail an admin of ``dinas`` (their dinas becomes ``dinas``)."""
    email = email.strip().lower() if isinstance(email, str) else ""
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        raise AccountError({"email": _("No account has this e-mail address; create the account first.")})
    if not user.active:
        raise AccountError({"email": _("This account is deactivated; reactivate it first.")})
    user.set_roles(user.roles | {"dinas_admin"})
    user.dinas = dinas
    db.session.flush()
    return user


def dismiss_dinas_admin(dinas: Dinas, user: User) -> None:
    """Take the dinas-admin role from an admin of ``dinas`` (they keep their account and other roles)."""
    if user.dinas_id != dinas.id or not user.has_role("dinas_admin"):
        raise AccountError({"email": _("This person is not an admin of this dinas.")})
    if user.roles == {"dinas_admin"}:
        raise AccountError(
            {"email": _("This is the person’s only role: give them another role, or deactivate the account.")}
        )
    user.set_roles(user.roles - {"dinas_admin"})
    db.session.flush()
