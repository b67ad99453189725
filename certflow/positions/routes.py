"""The functional positions' pages: public (``/positions``, no account) and the system admin's (``/system/positions``).

The public pages show each text in the reader's language (Indonesian first, English where given)
and a visible note on every claim about a regulation not yet confirmed by the certification body.
Each page runs a constant number of statements: the positions; or one position, its levels and
the schemes they name.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certflow.core.converters import as_id
from certflow.core.transaction import unit_of_work
from certflow.positions import operations as service
from certflow.positions.models import TRACKS, FunctionalPosition
from certflow.web.refusals import REFUSALS, as_refusal, field_messages

bp = Blueprint("positions", __name__)

TRACK_LABELS = {
    "skilled": _l("Skilled track"),
    "expert": _l("Expert track"),
    "single": _l("Levels"),
}
FIELD_LABELS = {
    "code": _l("Code (in the page address)"),
    "name_id": _l("Name (Indonesian)"),
    "name_en": _l("Name (English)"),
    "summary_id": _l("What the position does (Indonesian)"),
    "summary_en": _l("What the position does (English)"),
    "regulation_id": _l("The regulation it stands on (Indonesian)"),
    "regulation_en": _l("The regulation it stands on (English)"),
    "regulation_to_confirm": _l("To be confirmed by the certification body"),
    "position": _l("Order"),
    "track": _l("Track"),
    "asks_id": _l("What the level asks (Indonesian)"),
    "asks_en": _l("What the level asks (English)"),
    "asks_to_confirm": _l("To be confirmed by the certification body"),
    "certification_id": _l("Certification and entering or moving up to this level (Indonesian)"),
    "certification_en": _l("Certification and entering or moving up to this level (English)"),
    "certification_to_confirm": _l("To be confirmed by the certification body"),
    "scheme_codes": _l("Schemes that serve this level (codes, separated by commas)"),
}


def _lang() -> str:
    return "en" if str(get_locale()).startswith("en") else "id"


def _tracks(position: FunctionalPosition) -> list[tuple[str, list]]:
    """The position's levels grouped by track, tracks in their usual order."""
    grouped = {t: [lv for lv in position.levels if lv.track == t] for t in TRACKS}
    return [(t, levels) for t, levels in grouped.items() if levels]


# -- public -------------------------------------------------------------------------------------


@bp.get("/positions")
def index():
    """Every functional position, short: its name and what it does."""
    return render_template("positions/index.html", positions=service.list_positions(), lang=_lang())


@bp.get("/positions/<code>")
def position(code: str):
    """One position: what it does, its levels on their tracks, what each asks and which scheme serves it."""
    found = service.position_by_code(code)
    if found is None:
        abort(404)
    codes = {c for level in found.levels for c in level.codes}
    return render_template(
        "positions/position.html",
        position=found,
        tracks=_tracks(found),
        track_labels=TRACK_LABELS,
        schemes=service.open_schemes(codes),
        lang=_lang(),
        self_check="public.self_check" in current_app.view_functions,
    )


# -- the system admin ---------------------------------------------------------------------------


def _system_admin_only() -> None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.has_role("admin"):
        abort(403)
    return None


@bp.before_request
def _guard():
    """The pages under ``/system/`` are for system admins only (visitors log in, others get 403)."""
    if request.path.startswith("/system/"):
        return _system_admin_only()
    return None


def _summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    """Every fault at once, for the error summary: (field id, "label: message"), in the form's order."""
    items = []
    for key, message in errors.items():
        name = key.split("-", 2)[2] if key.startswith("level-") else key
        label = str(FIELD_LABELS.get(name, ""))
        if key.startswith("level-"):
            label = _("Level %(number)s, %(field)s", number=int(key.split("-")[1]) + 1, field=label)
        items.append((key, f"{label}: {message}"))
    return items


def _edit_page(position: FunctionalPosition | None, errors=None, status: int = 200):
    values = request.form if request.method == "POST" else None
    levels = list(position.levels) if position is not None else []
    return (
        render_template(
            "positions/edit.html",
            position=position,
            levels=levels,
            values=values,
            errors=errors or {},
            summary=_summary(errors or {}),
            labels=FIELD_LABELS,
            track_labels=TRACK_LABELS,
            tracks=TRACKS,
        ),
        status,
    )


def _refused(position, exc):
    return _edit_page(position, field_messages(exc), as_refusal(exc).status)


@bp.get("/system/positions")
def manage():
    """The system admin's list of positions, each to edit, and a new one to add."""
    return render_template("positions/manage.html", positions=service.list_positions())


@bp.route("/system/positions/new", methods=["GET", "POST"])
def new():
    """Add a position (and its first level)."""
    if request.method == "POST":
        try:
            with unit_of_work():
                created = service.save_position(request.form)
        except REFUSALS as exc:
            return _refused(None, exc)
        flash(_("The position %(name)s is saved.", name=created.name_id), "success")
        return redirect(url_for("positions.edit", position_id=created.id), 303)
    return _edit_page(None)


def _load(position_id: int) -> FunctionalPosition:
    found = service.load_position(as_id(position_id) or 0)
    if found is None:
        abort(404)
    return found


@bp.route("/system/positions/<int:position_id>", methods=["GET", "POST"])
def edit(position_id: int):
    """Edit a position and its levels in one form: change, add (the empty row), remove (ticked)."""
    found = _load(position_id)
    if request.method == "POST":
        try:
            with unit_of_work():
                service.save_position(request.form, found)
        except REFUSALS as exc:
            return _refused(_load(position_id), exc)
        flash(_("The position %(name)s is saved.", name=found.name_id), "success")
        return redirect(url_for("positions.edit", position_id=position_id), 303)
    return _edit_page(found)


@bp.post("/system/positions/<int:position_id>/delete")
def delete(position_id: int):
    """Remove a position with its levels."""
    found = _load(position_id)
    name = found.name_id
    with unit_of_work():
        service.delete_position(found)
    flash(_("The position %(name)s is removed.", name=name), "success")
    return redirect(url_for("positions.manage"), 303)
