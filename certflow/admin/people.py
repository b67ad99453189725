"""People in a form: a dinas admin adds a person of its scope as candidate, assessor or both."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certflow import clock
from certflow.admin.common import FIELD_LABELS, active_schemes, dinas_admin_required, scope_dinas
from certflow.admin.routes import bp
from certflow.core.transaction import unit_of_work
from certflow.people.enrol import EnrolRefused, enrol
from certflow.web.refusals import REFUSALS, refusal_message

LABELS = {**FIELD_LABELS, "email": _l("E-mail address"), "name": _l("Full name"), "roles": _l("Add as")}
EDUCATION = (("peksos", _l("Social work (peksos)")), ("kesos", _l("Social welfare (kesos)")), ("other", _l("Other")))
TEXT_FIELDS = ("email", "name", "dinas", "licence_number", "licence_expires", "max_load", "education_field")


def _render(values: dict, errors: dict, status: int = 200):
    return (
        render_template(
            "admin/person_form.html",
            values=values,
            errors=errors,
            labels=LABELS,
            dinas_choices=[(d.id, d.name) for d in scope_dinas()],
            schemes=active_schemes(),
            education=EDUCATION,
            today=clock.today(),
        ),
        status,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@dinas_admin_required
def new_person():
    """The form: who the person is, and as what they are added; they get the set-password e-mail."""
    if request.method == "GET":
        values = {"dinas": current_user.dinas_id, "max_load": "5", "schemes": [], "candidate": "", "assessor": ""}
        values.update({k: request.args[k] for k in ("assessor", "candidate") if k in request.args})
        if request.args.get("scheme"):
            values["schemes"] = [request.args["scheme"]]
        return _render(values, {})
    values = {name: request.form.get(name, "").strip() for name in TEXT_FIELDS}
    values["schemes"] = [c for c in request.form.getlist("schemes") if c]
    values["candidate"] = "1" if request.form.get("candidate") else ""
    values["assessor"] = "1" if request.form.get("assessor") else ""
    try:
        with unit_of_work():
            user = enrol(
                current_user, {**values, "candidate": bool(values["candidate"]), "assessor": bool(values["assessor"])}
            )
    except EnrolRefused as exc:
        errors = {field: refusal_message(err, LABELS) for field, err in exc.problems.items()}
        return _render(values, errors, 422)
    except REFUSALS as exc:
        return _render(values, {"form": refusal_message(exc, LABELS)}, 422)
    flash(_("%(name)s is added; an e-mail invites them to set a password.", name=user.name), "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/admin/") and "//" not in back else url_for("admin.assessors"), 303)
