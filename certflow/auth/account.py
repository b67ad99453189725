"""The account page: change the password, sign out everywhere, download your data."""

from __future__ import annotations

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from certflow import clock
from certflow.auth.forms import ChangePasswordForm, SignOutEverywhereForm, WhatsAppForm
from certflow.auth.routes import _forms_limit, bp
from certflow.core.transaction import unit_of_work
from certflow.extensions import limiter
from certflow.notifications import whatsapp
from certflow.people.passwords import set_password
from certflow.people.sessions import end_every_session
from certflow.privacy.export import export_name, export_zip
from certflow.security import check_password


def _whatsapp_form(formdata=None) -> WhatsAppForm:
    if formdata is None:
        return WhatsAppForm(
            formdata=None, number=current_user.whatsapp_number, consent=current_user.whatsapp_consent_at is not None
        )
    return WhatsAppForm()


def _account_page(password_form: ChangePasswordForm, status: int = 200, whatsapp_form: WhatsAppForm | None = None):
    page = render_template(
        "auth/account.html",
        password_form=password_form,
        everywhere_form=SignOutEverywhereForm(formdata=None),
        whatsapp_form=whatsapp_form or _whatsapp_form(),
        whatsapp_on=whatsapp.enabled(),
    )
    return page, status


@bp.get("/account")
@login_required
def account():
    """The signed-in person's account: their password and their sessions."""
    return _account_page(ChangePasswordForm(formdata=None, owner=current_user))


@bp.post("/account/password")
@login_required
@limiter.limit(_forms_limit)
def change_password():
    """Change the password (the current one first); every other session and API token ends."""
    form = ChangePasswordForm(owner=current_user)
    if form.validate_on_submit():
        if not check_password(current_user, form.current.data):
            form.current.errors = [_("The current password is not right.")]
        else:
            user = current_user._get_current_object()
            with unit_of_work():
                set_password(user, form.password.data)
            login_user(user)  # this session stays, under the new epoch
            flash(_("Your password is changed. Every other session and API token has ended."), "success")
            return redirect(url_for("auth.account"), 303)
    return _account_page(form, 422)


@bp.post("/account/whatsapp")
@login_required
@limiter.limit(_forms_limit)
def set_whatsapp():
    """Set or withdraw the WhatsApp number and the consent to receive notifications there."""
    form = _whatsapp_form(formdata=True)
    if not form.validate_on_submit():
        return _account_page(ChangePasswordForm(formdata=None, owner=current_user), 422, whatsapp_form=form)
    user = current_user._get_current_object()
    with unit_of_work():
        user.whatsapp_number = form.number.data or None
        if form.consent.data and user.whatsapp_number:
            if user.whatsapp_consent_at is None:
                user.whatsapp_consent_at = clock.now()
        else:
            user.whatsapp_consent_at = None
    if user.whatsapp_consent_at is not None:
        flash(
            _("You will receive notifications on WhatsApp at %(number)s too.", number=user.whatsapp_number), "success"
        )
    else:
        flash(
            _("You will not receive notifications on WhatsApp; e-mail and certflow itself still tell you."), "success"
        )
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session (this one too) and every API token of the signed-in person."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():  # only the CSRF token; Flask-WTF refuses a missing one before this
        return redirect(url_for("auth.account"), 303)
    with unit_of_work():
        end_every_session(current_user._get_current_object())
    logout_user()
    flash(_("You are signed out everywhere: every session and API token has ended."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/account/my-data")
@login_required
def my_data():
    """Everything certflow holds about the signed-in person: a zip of JSON and their uploaded files."""
    user = current_user._get_current_object()
    response = send_file(
        export_zip(user), mimetype="application/zip", as_attachment=True, download_name=export_name(user)
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
