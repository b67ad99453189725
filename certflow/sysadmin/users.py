"""User pages: find people, create them with roles and a dinas, change or deactivate them,
and appoint the admins of each dinas. The checks are in ``certflow.sysadmin.accounts``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from certflow.auth.routes import dinas_groups
from certflow.core.converters import as_id
from certflow.core.errors import StaleVersion
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Dinas, Province, User
from certflow.models.people import EDUCATION_FIELDS, ROLES
from certflow.sysadmin import accounts
from certflow.sysadmin.forms import AppointForm, UserForm
from certflow.sysadmin.routes import bp
from certflow.web.refusals import REFUSALS, as_refusal, field_messages
from certflow.web.util import page_number

PER_PAGE = 25


@bp.get("/users")
def users():
    """Everyone, searchable by name or e-mail, by role and status; 25 a page."""
    q = request.args.get("q", "")[:100]
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    status = request.args.get("status") if request.args.get("status") in ("active", "inactive") else None
    stmt = accounts.search_users(q, role, status)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(), pages)
    people = db.session.scalars(stmt.order_by(User.name, User.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "sysadmin/users.html",
        people=people,
        total=total,
        page=page,
        pages=pages,
        q=q,
        role=role,
        status=status,
        roles=ROLES,
    )


def _form_data(form) -> dict:
    return {
        "name": form.get("name", ""),
        "email": form.get("email", ""),
        "roles": form.getlist("roles"),
        "dinas": form.get("dinas", ""),
        "education_field": form.get("education_field", ""),
    }


def _user_page(template: str, form, chosen: dict, errors: dict, status: int = 200, **context):
    for name, message in errors.items():
        if name in form._fields:
            form[name].errors = [message]
    return (
        render_template(
            template,
            form=form,
            chosen=chosen,
            errors=errors,
            roles=ROLES,
            groups=dinas_groups(),
            education_fields=EDUCATION_FIELDS,
            **context,
        ),
        status,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account; the person gets an e-mail to set their password."""
    form = UserForm()
    if request.method == "POST":
        data = _form_data(request.form)
        try:
            with unit_of_work():
                user = accounts.create_account(data)
        except StaleVersion as exc:  # the same e-mail created at the same moment
            errors = {"email": _("This e-mail address already has an account.")}
            return _user_page("sysadmin/user_new.html", form, data, errors, exc.status)
        except accounts.AccountError as exc:
            return _user_page("sysadmin/user_new.html", form, data, exc.errors, exc.status)
        flash(_("Account of %(name)s created; an e-mail invites them to set a password.", name=user.name), "success")
        return redirect(url_for("sysadmin.user", user_id=user.id), 303)
    chosen = {"roles": [r for r in request.args.getlist("role") if r in ROLES], "dinas": request.args.get("dinas", "")}
    return _user_page("sysadmin/user_new.html", form, chosen, {})


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """A person's name, roles, dinas and education; their account's status."""
    person = _user_or_404(user_id)
    form = UserForm(obj=person, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        data = _form_data(request.form)
        try:
            with unit_of_work():
                accounts.update_account(person, data)
        except REFUSALS as exc:
            errors = field_messages(exc)
            return _user_page(
                "sysadmin/user.html", form, data, errors, as_refusal(exc).status, person=_user_or_404(user_id)
            )
        flash(_("The account of %(name)s is saved.", name=person.name), "success")
        if not current_user.has_role("admin"):  # they gave up their own admin role
            return redirect(url_for("web.index"), 303)
        return redirect(url_for("sysadmin.user", user_id=user_id), 303)
    return _user_page("sysadmin/user.html", form, _chosen(person), {}, person=person)


def _chosen(person: User) -> dict:
    """The person's roles, dinas and education, as the form's choices."""
    return {
        "roles": sorted(person.roles),
        "dinas": str(person.dinas_id or ""),
        "education_field": person.education_field,
    }


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Deactivate or reactivate an account."""
    person = _user_or_404(user_id)
    try:
        with unit_of_work():
            accounts.set_account_active(current_user, person, request.form.get("active") == "1")
    except REFUSALS as exc:
        person = _user_or_404(user_id)
        form = UserForm(obj=person, formdata=None)
        status = as_refusal(exc).status
        return _user_page("sysadmin/user.html", form, _chosen(person), field_messages(exc), status, person=person)
    if person.active:
        flash(_("The account of %(name)s is active again.", name=person.name), "success")
    else:
        flash(_("The account of %(name)s is deactivated.", name=person.name), "success")
    return redirect(url_for("sysadmin.user", user_id=user_id), 303)


# -- dinas admins ----------------------------------------------------------------------------


@bp.get("/dinas")
def dinas_admins():
    """The provinces, each with how many of its dinas have an admin; or one province's dinas and admins."""
    province_id = request.args.get("province", "")
    if province_id:
        province = db.session.get(Province, as_id(province_id)) if as_id(province_id) else None
        if province is None:
            abort(404)
        return _province_page(province)
    provinces = db.session.scalars(select(Province).order_by(Province.name)).all()
    rows = db.session.execute(select(Dinas.id, Dinas.province_id)).all()
    admins = accounts.dinas_admins([dinas_id for dinas_id, _p in rows])
    summary = {p.id: {"dinas": 0, "without": 0} for p in provinces}
    for dinas_id, p_id in rows:
        summary[p_id]["dinas"] += 1
        summary[p_id]["without"] += 0 if any(u.active for u in admins[dinas_id]) else 1
    return render_template("sysadmin/dinas_admins.html", provinces=provinces, summary=summary, province=None)


def _province_page(province: Province, *, failed: int | None = None, errors=None, form=None, status: int = 200):
    dinas = db.session.scalars(
        select(Dinas).where(Dinas.province_id == province.id).order_by(Dinas.kind != "provinsi", Dinas.name)
    ).all()
    return (
        render_template(
            "sysadmin/dinas_admins.html",
            province=province,
            dinas=dinas,
            admins=accounts.dinas_admins([d.id for d in dinas]),
            failed=failed,
            errors=errors or {},
            form=form,
        ),
        status,
    )


def _dinas_or_404(dinas_id: int) -> Dinas:
    dinas = db.session.get(Dinas, dinas_id)
    if dinas is None:
        abort(404)
    return dinas


@bp.post("/dinas/<int:dinas_id>/admins")
def appoint(dinas_id: int):
    """Appoint an existing person, by e-mail, as an admin of this dinas."""
    dinas = _dinas_or_404(dinas_id)
    form = AppointForm()
    try:
        with unit_of_work():
            person = accounts.appoint_dinas_admin(dinas, form.email.data)
    except REFUSALS as exc:
        dinas = _dinas_or_404(dinas_id)
        errors, status = field_messages(exc), as_refusal(exc).status
        return _province_page(dinas.province, failed=dinas.id, errors=errors, form=form, status=status)
    flash(_("%(name)s is now an admin of %(dinas)s.", name=person.name, dinas=dinas.name), "success")
    return redirect(url_for("sysadmin.dinas_admins", province=dinas.province_id, _anchor=f"dinas-{dinas.id}"), 303)


@bp.post("/dinas/<int:dinas_id>/admins/<int:user_id>/dismiss")
def dismiss(dinas_id: int, user_id: int):
    """Take the dinas-admin role from one of this dinas's admins."""
    dinas = _dinas_or_404(dinas_id)
    person = _user_or_404(user_id)
    try:
        with unit_of_work():
            accounts.dismiss_dinas_admin(dinas, person)
    except REFUSALS as exc:
        dinas = _dinas_or_404(dinas_id)
        errors, status = field_messages(exc), as_refusal(exc).status
        return _province_page(dinas.province, failed=dinas.id, errors=errors, status=status)
    flash(_("%(name)s is no longer an admin of %(dinas)s.", name=person.name, dinas=dinas.name), "success")
    return redirect(url_for("sysadmin.dinas_admins", province=dinas.province_id, _anchor=f"dinas-{dinas.id}"), 303)
