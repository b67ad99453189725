"""The assessor pool: registering people of the scope as assessors, their licences, schemes and load."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from certflow import clock
from certflow.admin.common import (
    active_schemes,
    dinas_admin_required,
    form_status,
    list_filters,
    scope_dinas,
    service_message,
)
from certflow.admin.routes import bp
from certflow.applications.facts import active_loads
from certflow.assessment import assessors as pool
from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Assessor, User

FORM_FIELDS = ("user", "dinas", "licence_number", "licence_expires", "max_load")


def _assessor_or_404(assessor_id: int) -> Assessor:
    try:
        return pool.get_visible_assessor(current_user, assessor_id)
    except AppError:
        abort(404)


@bp.get("/assessors")
@dinas_admin_required
def assessors():
    """The pool: every assessor whose home dinas the admin administers, with licence state and load."""
    chosen = list_filters()
    found = pool.list_assessors(current_user, chosen["scheme"], chosen["dinas_id"])
    return render_template(
        "admin/assessors.html",
        assessors=found,
        loads=active_loads([a.id for a in found]),
        today=clock.today(),
        **chosen,
    )


def _form_data(form, *, new: bool) -> dict:
    """What the service needs from the posted form (the service checks every value)."""
    data = {name: form.get(name, "").strip() for name in FORM_FIELDS if name != "user"}
    data["schemes"] = [code for code in form.getlist("schemes") if code]
    if new:
        data["user"] = form.get("user", "").strip()
    return data


def _render_form(assessor: Assessor | None, values: dict, errors: dict, status: int = 200):
    return (
        render_template(
            "admin/assessor_form.html",
            assessor=assessor,
            values=values,
            errors=errors,
            dinas_choices=[(d.id, d.name) for d in scope_dinas()],
            schemes=active_schemes(),
            load=active_loads([assessor.id]).get(assessor.id, 0) if assessor is not None else 0,
            today=clock.today(),
        ),
        status,
    )


def _errors_of(exc: AppError) -> dict:
    return {exc.field or "form": service_message(exc)}


@bp.route("/assessors/new", methods=["GET", "POST"])
@dinas_admin_required
def new_assessor():
    """Register a person of the admin's scope as an assessor, found by their e-mail address."""
    if request.method == "GET":
        values = {"dinas": current_user.dinas_id, "max_load": "5", "schemes": []}
        return _render_form(None, values, {})
    data = _form_data(request.form, new=True)
    values = {**data}
    email = data.pop("user").lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    errors, status = {}, 422
    if user is None:
        errors["user"] = _("There is no account with this e-mail address in a dinas you administer.")
    else:
        try:
            with unit_of_work():
                assessor = pool.register_assessor(current_user, {**data, "user": user.id})
        except AppError as exc:
            status = form_status(exc)
            if exc.status == 404 and exc.field is None and exc.params.get("what") == "User":
                errors["user"] = _("There is no account with this e-mail address in a dinas you administer.")
            elif exc.status == 404:
                errors["dinas"] = _("Choose a dinas from the list.")
            else:
                errors = _errors_of(exc)
    if errors:
        return _render_form(None, values, errors, status)
    flash(_("%(name)s is registered as an assessor.", name=assessor.user.name), "success")
    return redirect(url_for("admin.assessors"), 303)


@bp.route("/assessors/<int:assessor_id>", methods=["GET", "POST"])
@dinas_admin_required
def edit_assessor(assessor_id: int):
    """Change an assessor's licence, schemes, home dinas or maximum load."""
    assessor = _assessor_or_404(assessor_id)
    if request.method == "GET":
        values = {
            "dinas": assessor.dinas_id,
            "licence_number": assessor.licence_number,
            "licence_expires": assessor.licence_expires.isoformat(),
            "max_load": assessor.max_load,
            "schemes": sorted(r.scheme.code for r in assessor.scheme_rows),
        }
        return _render_form(assessor, values, {})
    data = _form_data(request.form, new=False)
    try:
        with unit_of_work():
            pool.update_assessor(current_user, assessor, data)
    except AppError as exc:
        errors = {"dinas": _("Choose a dinas from the list.")} if exc.status == 404 else _errors_of(exc)
        return _render_form(_assessor_or_404(assessor_id), data, errors, form_status(exc))
    flash(_("The assessor %(name)s is saved.", name=assessor.user.name), "success")
    return redirect(url_for("admin.assessors"), 303)


@bp.post("/assessors/<int:assessor_id>/active")
@dinas_admin_required
def set_assessor_active(assessor_id: int):
    """Deactivate an assessor (no new teams or assignments), or activate them again."""
    assessor = _assessor_or_404(assessor_id)
    active = request.form.get("active") == "1"
    with unit_of_work():
        pool.update_assessor(current_user, assessor, {"active": active})
    if active:
        flash(_("%(name)s is active again.", name=assessor.user.name), "success")
    else:
        flash(_("%(name)s is deactivated.", name=assessor.user.name), "success")
    return redirect(url_for("admin.assessors"), 303)
