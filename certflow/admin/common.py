"""What the dinas admin's pages share: who may use them, their scope, and refusals in the reader's words."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Application, Dinas, Scheme
from certflow.people.policy import dinas_scope
from certflow.web.labels import guard_label
from certflow.web.refusals import as_refusal, refusal_message

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


def service_message(exc: BaseException) -> str:
    """A service's refusal, translated, the input it names given its label, with the rule it broke."""
    text = refusal_message(exc, FIELD_LABELS)
    rule = rule_label(as_refusal(exc).rule)
    return f"{text} ({rule})" if rule else text


def form_status(exc: BaseException) -> int:
    """The status of a form refused by a service: a record chosen in the form that is not the admin's
    (the service's 404) is a wrong choice, 422, as one that does not exist — a 404 would tell them apart."""
    status = as_refusal(exc).status
    return 422 if status == 404 else status


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


def event_refusal(exc: BaseException) -> tuple[str, int]:
    """A refused event in the reader's words (the page's wording where the API's names inputs), and its status."""
    error = as_refusal(exc)
    if error.rule == "team_chosen":
        return str(_PAGE_TEAM_CHOSEN), error.status
    if error.params.get("rule") == _OVERRIDE_HINT:
        error = AppError(error.message, {**error.params, "rule": str(_PAGE_OVERRIDE_HINT)}, code=error.code)
    return refusal_message(error), error.status
