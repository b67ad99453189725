"""What the dinas admin's pages share: who may use them, their scope, and refusals in the reader's words."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from certflow.core.errors import translate
from certflow.extensions import db
from certflow.models import Application, Dinas, Scheme
from certflow.services.access import dinas_scope
from certflow.services.assessors import ServiceError
from certflow.web.labels import event_label, guard_label, state_label
from workflows import WorkflowError

# The inputs the services name in their messages, as the forms label them.
FIELD_LABELS = {
    "user": _l("Account (e-mail)"),
    "dinas": _l("Home dinas"),
    "licence_number": _l("Licence number"),
    "licence_expires": _l("Licence valid until"),
    "schemes": _l("Schemes covered"),
    "max_load": _l("Maximum load"),
    "active": _l("Active"),
    "name": _l("Team name"),
    "scheme": _l("Scheme"),
    "lead": _l("Lead assessor"),
    "members": _l("Members"),
    "file": _l("CSV file"),
}

# Rules the services check beyond the workflow's guards.
RULE_LABELS = {
    "member_in_scope": _l("every member is an assessor of a dinas you administer in the team's province"),
}


def dinas_admin_required(view):
    """The view is for dinas admins with a dinas (anyone else: 403; not logged in: the login page)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.has_role("dinas_admin") or current_user.dinas_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def page_number() -> int:
    """The ``?page=`` asked for (1 if absent or not a small positive number)."""
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1


def int_arg(value: str | None) -> int | None:
    """A record id from a query or form value, or None."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 10 else None


def scope_dinas() -> list[Dinas]:
    """The dinas the current admin administers: the province's own first, then by name."""
    return list(
        db.session.scalars(
            select(Dinas).where(Dinas.id.in_(dinas_scope(current_user))).order_by(Dinas.kind != "provinsi", Dinas.name)
        )
    )


def active_schemes() -> list[Scheme]:
    """The schemes in use, by code."""
    return list(db.session.scalars(select(Scheme).where(Scheme.active.is_(True)).order_by(Scheme.code)))


def list_filters() -> dict:
    """The ``?dinas=&scheme=`` filters of a list, checked against what the admin may choose.

    ``{"dinas_list", "schemes", "dinas_id", "scheme_id", "scheme"}``: the choices, and the ones
    chosen (None where absent or not the admin's to choose).
    """
    dinas = scope_dinas()
    schemes = active_schemes()
    dinas_id = int_arg(request.args.get("dinas"))
    scheme_id = int_arg(request.args.get("scheme"))
    scheme = next((s for s in schemes if s.id == scheme_id), None)
    return {
        "dinas_list": dinas,
        "schemes": schemes,
        "dinas_id": dinas_id if dinas_id in {d.id for d in dinas} else None,
        "scheme_id": scheme.id if scheme is not None else None,
        "scheme": scheme,
    }


def scoped_application(application_id: int) -> Application:
    """The application if its candidate's dinas is in the admin's scope, else 404."""
    app = db.session.scalar(
        select(Application).where(Application.id == application_id, Application.dinas_id.in_(dinas_scope(current_user)))
    )
    if app is None:
        abort(404)
    return app


def service_message(exc: ServiceError) -> str:
    """A service's refusal, translated, the input it names given its label, with the rule it broke."""
    params = dict(exc.params)
    if params.get("field") in FIELD_LABELS:
        params["field"] = str(FIELD_LABELS[params["field"]])
    text = translate(exc.message, params)
    rule = rule_label(exc.rule)
    return f"{text} ({rule})" if rule else text


def rule_label(rule: str | None) -> str:
    """What a rule requires, in the reader's words ('' if unnamed)."""
    if not rule:
        return ""
    label = RULE_LABELS.get(rule)
    return str(label) if label is not None else guard_label(rule)


# The API asks for ``data.override_reason``; a page asks for the form's reason field.
_OVERRIDE_HINT = "the assessor works in the candidate's own dinas; give data.override_reason to override."
_PAGE_OVERRIDE_HINT = _l(
    "the assessor works in the candidate's own dinas; the scheme allows it only with an override reason."
)

_PAGE_TEAM_CHOSEN = _l("Choose an active assessor team of a dinas you administer.")


def refusal_message(exc: WorkflowError) -> str:
    """A refused event in the reader's words: labels for ids, the page's wording where the API's names inputs."""
    if getattr(exc, "rule", None) == "team_chosen":
        return str(_PAGE_TEAM_CHOSEN)
    params = dict(exc.params)
    if isinstance(params.get("event"), str):
        params["event"] = event_label(params["event"])
    if isinstance(params.get("state"), str):
        params["state"] = state_label(params["state"])
    if params.get("rule") == _OVERRIDE_HINT:
        params["rule"] = str(_PAGE_OVERRIDE_HINT)
    return translate(exc.message, params)


def is_conflict(exc: Exception) -> bool:
    """Whether a database error means someone else changed the record at the same time."""
    if isinstance(exc, StaleDataError | IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)
