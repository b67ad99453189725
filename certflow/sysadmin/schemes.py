"""Scheme pages: the list, a new scheme, and one scheme's settings and standard.

What may change while a scheme is in use is decided by ``certflow.schemes.operations``
(see its docstring); these views load, call it, and commit once. A refused change
re-renders the page with 422, what was typed kept and each fault next to its field.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from certflow.assessment import instruments
from certflow.core.converters import as_id
from certflow.core.errors import StaleVersion
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Scheme
from certflow.models.people import EDUCATION_FIELDS
from certflow.models.schemes import DOCUMENT_KINDS
from certflow.schemes import operations as service
from certflow.schemes import standard
from certflow.schemes.routes import scheme_routes
from certflow.sysadmin.forms import SchemeForm, VersionForm
from certflow.sysadmin.routes import bp
from certflow.web.refusals import REFUSALS, as_refusal, field_messages
from certflow.web.util import whole_number_text
from workflows.eligibility import EDUCATION_LEVELS, ROUTES

TEXT_FIELDS = ("name", "level", "description", "validity_years", "min_team_size", "max_load")
LISTS = ("accepted_education", "required_documents")


@bp.get("/schemes")
def schemes():
    """Every scheme, active first, with how much it is used."""
    rows = db.session.scalars(select(Scheme).order_by(Scheme.active.desc(), Scheme.code)).all()
    return render_template("sysadmin/schemes.html", schemes=rows, usage=service.usage())


def _settings_data(form, *, new: bool) -> dict:
    """The settings posted; on an in-use scheme the frozen inputs are not drawn, so not sent."""
    data = {name: form.get(name, "") for name in TEXT_FIELDS}
    data["allow_same_dinas"] = "allow_same_dinas" in form
    for name in ("code", "min_practice_hours"):
        if new or name in form:
            data[name] = whole_number_text(form.get(name, ""))
    if new or form.get("rules") == "1":  # the rules' check boxes are on the page
        for name in LISTS:
            data[name] = form.getlist(name)
    return data


def _checked(scheme: Scheme | None, posted: bool) -> dict[str, list[str]]:
    """The ticked boxes: what was posted, else the scheme's lists (a new scheme: the usual ones)."""
    if posted:
        return {name: request.form.getlist(name) for name in LISTS}
    if scheme is None:
        return {"accepted_education": ["peksos", "kesos"], "required_documents": list(DOCUMENT_KINDS[:4])}
    return {name: list(getattr(scheme, name)) for name in LISTS}


def _show_errors(form, errors: dict[str, str]) -> dict[str, str]:
    """Put each message on its form field; return those that belong to no field (e.g. a check-box group)."""
    rest = {}
    for name, message in errors.items():
        if form is not None and name in form._fields:
            form[name].errors = [message]
        else:
            rest[name] = message
    return rest


@bp.route("/schemes/new", methods=["GET", "POST"])
def new_scheme():
    """Create a scheme: its settings first, then its standard on its own page."""
    form = SchemeForm()
    errors = {}
    if request.method == "POST":
        try:
            with unit_of_work():
                scheme = service.create_scheme(_settings_data(request.form, new=True))
        except REFUSALS as exc:
            errors = _show_errors(form, _errors(exc))
        else:
            flash(_("Scheme %(code)s created. Now add its units, elements and criteria.", code=scheme.code), "success")
            return redirect(url_for("sysadmin.scheme", scheme_id=scheme.id), 303)
    elif not form.validity_years.data:
        form.validity_years.data, form.min_team_size.data, form.max_load.data = "5", "2", "5"
        form.min_practice_hours.data = "1344"
    return (
        render_template(
            "sysadmin/scheme_new.html",
            form=form,
            errors=errors,
            checked=_checked(None, request.method == "POST"),
            education_fields=EDUCATION_FIELDS,
            document_kinds=DOCUMENT_KINDS,
        ),
        422 if errors or form.errors else 200,
    )


def _load(scheme_id: int) -> Scheme:
    scheme = service.load_scheme(scheme_id)
    if scheme is None:
        abort(404)
    return scheme


def _page(scheme: Scheme, *, form=None, version_form=None, failed=None, errors=None, status=200):
    """The scheme's page; after a refusal, ``failed`` names the form that failed and keeps its input."""
    if form is None:
        form = SchemeForm(obj=scheme, formdata=None)
        for name in ("validity_years", "min_team_size", "max_load", "min_practice_hours"):
            form[name].data = str(getattr(scheme, name))
    if version_form is None:
        version_form = VersionForm(formdata=None, code=service.suggest_version_code(scheme.code), name=scheme.name)
    counts = service.usage().get(scheme.id, {"draft": 0, "submitted": 0})
    return (
        render_template(
            "sysadmin/scheme.html",
            scheme=scheme,
            form=form,
            version_form=version_form,
            in_use=service.in_use(scheme),
            counts=counts,
            checked=_checked(scheme, failed == "settings" and request.form.get("rules") == "1"),
            education_fields=EDUCATION_FIELDS,
            document_kinds=DOCUMENT_KINDS,
            failed=failed,
            errors=errors or {},
            values=request.form if request.method == "POST" else {},
            routes=_routes_shown(scheme, failed == "routes"),
            education_levels=EDUCATION_LEVELS,
        ),
        status,
    )


def _routes_posted(form) -> list[dict]:
    """The routes as the route form posts them (``<route>-<rule>`` inputs)."""
    return [
        {
            "route": name,
            "enabled": f"{name}-enabled" in form,
            "education_fields": form.getlist(f"{name}-education_fields"),
            "min_education_level": form.get(f"{name}-min_education_level", ""),
            "min_practice_hours": whole_number_text(form.get(f"{name}-min_practice_hours", "")),
            "training_required": f"{name}-training_required" in form,
            "documents": form.getlist(f"{name}-documents"),
        }
        for name in ROUTES
    ]


def _routes_shown(scheme: Scheme, posted: bool) -> list[dict]:
    """The route form's values: what was posted after a refusal, else the scheme's routes (every route)."""
    if posted:
        return _routes_posted(request.form)
    have = {r.route: r.as_data() for r in scheme_routes(scheme)}
    blank = {"enabled": False, "education_fields": [], "min_education_level": None, "min_practice_hours": 0}
    return [have.get(n, {"route": n, **blank, "training_required": False, "documents": []}) for n in ROUTES]


@bp.post("/schemes/<int:scheme_id>/routes")
def update_routes(scheme_id: int):
    """Save the scheme's eligibility routes (each checked; every fault shown at once)."""
    scheme = _load(scheme_id)
    try:
        with unit_of_work():
            service.set_routes(scheme, _routes_posted(request.form))
    except REFUSALS as exc:
        return _page(_load(scheme_id), failed="routes", errors=_errors(exc), status=as_refusal(exc).status)
    flash(_("The routes of %(code)s are saved.", code=scheme.code), "success")
    return redirect(url_for("sysadmin.scheme", scheme_id=scheme_id, _anchor="routes"), 303)


@bp.get("/schemes/<int:scheme_id>")
def scheme(scheme_id: int):
    """One scheme: its settings, its standard (units → elements → criteria), its versions."""
    return _page(_load(scheme_id))


@bp.post("/schemes/<int:scheme_id>")
def update_scheme(scheme_id: int):
    """Save the scheme's settings (in use: the frozen ones cannot change)."""
    scheme = _load(scheme_id)
    form = SchemeForm()
    try:
        with unit_of_work():
            service.update_scheme(scheme, _settings_data(request.form, new=False))
    except REFUSALS as exc:
        rest = _show_errors(form, _errors(exc))
        return _page(_load(scheme_id), form=form, failed="settings", errors=rest, status=as_refusal(exc).status)
    flash(_("The settings of %(code)s are saved.", code=scheme.code), "success")
    return redirect(url_for("sysadmin.scheme", scheme_id=scheme_id), 303)


@bp.post("/schemes/<int:scheme_id>/active")
def set_active(scheme_id: int):
    """Open or close the scheme to new applications."""
    scheme = _load(scheme_id)
    with unit_of_work():
        service.set_active(scheme, request.form.get("active") == "1")
    if scheme.active:
        flash(_("%(code)s is open to new applications.", code=scheme.code), "success")
    else:
        flash(_("%(code)s takes no new applications; running applications go on.", code=scheme.code), "success")
    return redirect(url_for("sysadmin.scheme", scheme_id=scheme_id), 303)


@bp.post("/schemes/<int:scheme_id>/version")
def new_version(scheme_id: int):
    """Copy the scheme as a new version, to change what the in-use rule freezes."""
    scheme = _load(scheme_id)
    form = VersionForm()
    data = {"code": form.code.data, "name": form.name.data, "deactivate_old": "deactivate_old" in request.form}
    try:
        with unit_of_work():
            copy = service.new_version(scheme, data)
            instruments.copy_instruments(scheme, copy)
    except REFUSALS as exc:
        _show_errors(form, _errors(exc))
        return _page(_load(scheme_id), version_form=form, failed="version", status=as_refusal(exc).status)
    flash(_("Version %(code)s created from %(old)s; edit it freely until it is used.", code=copy.code, old=scheme.code))
    return redirect(url_for("sysadmin.scheme", scheme_id=copy.id), 303)


def _item_or_404(scheme: Scheme, kind: str, item_id: int):
    item = standard.get_item(scheme, kind, item_id)
    if item is None:
        abort(404)
    return item


def _errors(exc: BaseException) -> dict[str, str]:
    """The message per field of a refusal; a code taken by a concurrent change (``StaleVersion``) is the code's."""
    if isinstance(exc, StaleVersion):
        return {"code": _("This code was just taken.")}
    return field_messages(exc)


def _refused(scheme_id: int, failed: str, exc: BaseException):
    return _page(_load(scheme_id), failed=failed, errors=_errors(exc), status=as_refusal(exc).status)


@bp.post("/schemes/<int:scheme_id>/add/<kind>")
def add_item(scheme_id: int, kind: str):
    """Add a unit, or an element to a unit (``parent``), or a criterion to an element (``parent``)."""
    scheme = _load(scheme_id)
    if kind not in standard.KINDS:
        abort(404)
    parent, failed = None, "add-unit"
    if kind != "unit":
        parent_kind = "unit" if kind == "element" else "element"
        parent_id = request.form.get("parent", "")
        parent = _item_or_404(scheme, parent_kind, as_id(parent_id) or 0)
        failed = f"add-{kind}-{parent.id}"
    try:
        with unit_of_work():
            item = standard.add_item(scheme, kind, parent, request.form)
    except REFUSALS as exc:
        return _refused(scheme_id, failed, exc)
    flash(_("%(code)s added.", code=item.code), "success")
    return redirect(url_for("sysadmin.scheme", scheme_id=scheme_id, _anchor=f"{kind}-{item.id}"), 303)


@bp.post("/schemes/<int:scheme_id>/<kind>/<int:item_id>/<action>")
def change_item(scheme_id: int, kind: str, item_id: int, action: str):
    """Edit, move (up/down) or remove a unit, element or criterion."""
    scheme = _load(scheme_id)
    if kind not in standard.KINDS or action not in ("edit", "move", "remove"):
        abort(404)
    item = _item_or_404(scheme, kind, item_id)
    code, anchor = item.code, f"{kind}-{item.id}"
    try:
        with unit_of_work():
            if action == "edit":
                standard.edit_item(scheme, kind, item, request.form)
                message = _("%(code)s saved.", code=item.code)
            elif action == "move":
                standard.move_item(kind, item, request.form.get("direction", ""))
                message = _("%(code)s moved.", code=code)
            else:
                standard.remove_item(scheme, kind, item)
                message, anchor = _("%(code)s removed, with everything under it.", code=code), "standard"
    except REFUSALS as exc:
        return _refused(scheme_id, f"{action}-{kind}-{item_id}", exc)
    flash(message, "success")
    return redirect(url_for("sysadmin.scheme", scheme_id=scheme_id, _anchor=anchor), 303)
