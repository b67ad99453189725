"""Login, logout and a candidate's self-registration."""

from __future__ import annotations

import time
from contextlib import contextmanager

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from certflow.auth.forms import LoginForm, RegisterForm, education_field_choices, education_level_choices
from certflow.core.errors import StaleVersion
from certflow.core.transaction import unit_of_work
from certflow.extensions import db, limiter, login_manager
from certflow.models import Dinas, Province
from certflow.people.registration import register_candidate
from certflow.people.signin import sign_in
from certflow.people.users import UserError
from certflow.schemes.selfcheck import registration_prefill
from certflow.web.util import home_endpoint, safe_next

bp = Blueprint("auth", __name__)

login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"


def _forms_limit() -> str:
    return current_app.config["RATELIMIT_FORMS"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page; one message for a wrong e-mail and a wrong password (failed attempts limited: ``sign_in``)."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = sign_in(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next"), home_endpoint(user)))
        failed = True
    elif request.method == "POST":
        failed = True
    status = 422 if failed else 200
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (POST, with the CSRF token)."""
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("web.index"))


def dinas_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every dinas, grouped by province (the province's own dinas first), for a select."""
    rows = db.session.execute(
        select(Dinas.id, Dinas.name, Province.name)
        .join(Province, Province.id == Dinas.province_id)
        .order_by(Province.name, Dinas.kind != "provinsi", Dinas.name)
    ).all()
    groups: dict[str, list[tuple[str, str]]] = {}
    for dinas_id, name, province in rows:
        groups.setdefault(province, []).append((str(dinas_id), name))
    return list(groups.items())


# UserError messages are written for the command line; the form shows its own words.
_USER_ERRORS = (
    ("invalid e-mail", "email", _l("Enter a valid e-mail address, e.g. name@example.id.")),
    ("a name is required", "name", _l("Enter your full name.")),
    ("unknown dinas", "dinas", _l("Choose a Dinas Sosial from the list.")),
)


def _show_user_error(form: RegisterForm, exc: UserError) -> None:
    text = str(exc)
    for prefix, field, message in _USER_ERRORS:
        if text.startswith(prefix):
            getattr(form, field).errors = [*getattr(form, field).errors, str(message)]
            return
    form.form_errors.append(_("The account could not be created: %(reason)s", reason=text))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_forms_limit, methods=["POST"])
def register():
    """A candidate creates their own account; an e-mailed link confirms the address and sets the password.

    The answer is the same whether or not the e-mail is already registered (its owner is told by e-mail).
    """
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    groups = dinas_groups()
    dinas_ids = {dinas_id for _province, options in groups for dinas_id, _name in options}
    # A link from the self-check carries its answers (?education_field=&…): the form starts from them.
    prefill = registration_prefill(request.args) if request.method == "GET" else {}
    form = RegisterForm(dinas_ids=dinas_ids, data=prefill)
    if request.method == "POST":
        if form.validate():
            try:
                with steady_answer(), unit_of_work():
                    register_candidate(
                        form.email.data,
                        form.name.data,
                        db.session.get(Dinas, int(form.dinas.data)),
                        education_field=form.education_field.data,
                        education_level=form.education_level.data,
                        practice_hours=int(form.practice_hours.data),
                        training=bool(form.training.data),
                        position=form.position.data or None,
                    )
            except StaleVersion:  # the same e-mail registered at the same moment: answered alike
                pass
            except UserError as exc:
                _show_user_error(form, exc)
                return _register_page(form, groups), 422
            flash(
                _(
                    "Almost done: we sent an e-mail to %(email)s. Open its link to confirm the address and "
                    "choose your password.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
        return _register_page(form, groups), 422
    return _register_page(form, groups)


@contextmanager
def steady_answer():
    """Let the block's answer take at least ``ACCOUNT_ANSWER_SECONDS``, so its timing tells nothing.

    A registration or reset for a known e-mail writes (and queues) other things than one for an
    unknown e-mail; the floor hides the difference.
    """
    started = time.monotonic()
    try:
        yield
    finally:
        rest = current_app.config.get("ACCOUNT_ANSWER_SECONDS", 0) - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)


def _register_page(form: RegisterForm, groups) -> str:
    return render_template(
        "auth/register.html",
        form=form,
        dinas_groups=groups,
        education_fields=education_field_choices(),
        education_levels=education_level_choices(),
    )


from certflow.auth import account, passwords  # noqa: E402,F401  (register the account and set-password pages)
