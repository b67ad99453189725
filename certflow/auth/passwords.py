"""Pages to set a password from an e-mailed link, and to ask for such a link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user

from certflow.auth.forms import ForgotPasswordForm, SetPasswordForm
from certflow.auth.routes import _forms_limit, bp, steady_answer
from certflow.core.transaction import unit_of_work
from certflow.extensions import limiter
from certflow.people.passwords import request_password_reset, set_password, user_for_password_token
from certflow.web.util import home_endpoint


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_forms_limit, methods=["POST"])
def forgot_password():
    """Ask for a link to set a new password; the answer never says whether the e-mail is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with steady_answer(), unit_of_work():
            request_password_reset(form.email.data)
        flash(_("If this e-mail address has an account, a link to set a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 422 if request.method == "POST" else 200


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(_forms_limit, methods=["POST"])
def set_password_page(token: str):
    """Set a password with a link from an invitation or a reset e-mail (single use)."""
    user = user_for_password_token(token)
    if user is None:
        return render_template("auth/set_password_invalid.html"), 404
    form = SetPasswordForm(owner=user)
    if form.validate_on_submit():
        with unit_of_work():
            set_password(user, form.password.data)
        login_user(user)
        flash(_("Your password is set. Welcome, %(name)s!", name=user.name), "success")
        return redirect(url_for(home_endpoint(user)))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, user=user), status
