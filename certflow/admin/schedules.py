"""Venues (TUK) and schedules of the dinas admin: the venue list, form and verification; the schedule
list with a month calendar, the schedule form, the schedule page (candidates, team, what is missing,
the events), placing eligible candidates."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from certflow import clock
from certflow.admin.common import active_schemes, dinas_admin_required, int_arg, scope_dinas
from certflow.admin.routes import bp
from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Schedule, Team, Venue
from certflow.models.schedules import VENUE_KINDS
from certflow.people.policy import dinas_scope, get_visible_schedule, visible_schedules, visible_venues
from certflow.schedules import calendar
from certflow.schedules import operations as ops
from certflow.schedules import venues as venue_ops
from certflow.web.events import form_payload
from certflow.web.labels import event_label, state_label
from certflow.web.refusals import REFUSALS, field_messages, refusal
from workflows import SCHEDULE
from workflows.schedule import PERSON_EVENTS

KIND_LABELS = {
    "sewaktu": _l("Temporary (set up for the event)"),
    "tempat_kerja": _l("At a workplace"),
    "mandiri": _l("Standing centre"),
}
FACILITY_LABELS = {
    "room": _l("Assessment room"),
    "furniture": _l("Tables and chairs"),
    "equipment": _l("Equipment for the scheme's tasks"),
    "toilets": _l("Toilets"),
    "accessibility": _l("Access for people with disabilities"),
    "safety": _l("Fire safety and first aid"),
}
# Where the admin fixes what is missing for the next step.
FIXES = {
    "quota_reached": ("#place", _l("Place candidates")),
    "agreements_signed": (None, _l("The lead assessor and each candidate sign the agreement")),
    "team_licensed": ("admin.teams", _l("Change the team")),
    "registration_open": (None, _l("Plan a new schedule with a later deadline")),
    "attendance_recorded": (None, _l("The lead assessor records the attendance")),
}


# -- venues -----------------------------------------------------------------------------------


@bp.get("/venues")
@dinas_admin_required
def venues():
    """The venues of the admin's scope, each with its latest verification."""
    found = list(db.session.scalars(visible_venues(current_user).order_by(Venue.name, Venue.id).limit(500)))
    return render_template(
        "admin/venues.html",
        venues=found,
        verifications=venue_ops.latest_verifications([v.id for v in found]),
        kind_labels=KIND_LABELS,
    )


def _venue_or_404(venue_id: int) -> Venue:
    try:
        return venue_ops.get_visible_venue(current_user, venue_id)
    except AppError:
        abort(404)


def _venue_form(venue: Venue | None, values: dict, errors: dict, status: int = 200):
    latest = venue_ops.latest_verifications([venue.id]).get(venue.id) if venue is not None else None
    return (
        render_template(
            "admin/venue_form.html",
            venue=venue,
            values=values,
            errors=errors,
            latest=latest,
            kind_choices=[(k, str(KIND_LABELS[k])) for k in VENUE_KINDS],
            dinas_choices=[(d.id, d.name) for d in scope_dinas()],
            facilities=[(k, str(FACILITY_LABELS[k])) for k in venue_ops.FACILITIES],
        ),
        status,
    )


def _venue_values() -> dict:
    values = {k: request.form.get(k, "").strip() for k in ("name", "kind", "address", "capacity", "dinas")}
    return values


def _venue_data(values: dict) -> dict:
    capacity = values["capacity"]
    return {
        "name": values["name"],
        "kind": values["kind"] or None,
        "address": values["address"],
        "capacity": int(capacity) if capacity.isascii() and capacity.isdigit() and len(capacity) < 7 else capacity,
        "dinas": int_arg(values["dinas"]) or -1,
    }


@bp.route("/venues/new", methods=["GET", "POST"])
@dinas_admin_required
def new_venue():
    """Add a venue (TUK) of a dinas of the admin's scope."""
    if request.method == "GET":
        return _venue_form(None, {"dinas": current_user.dinas_id}, {})
    values = _venue_values()
    try:
        with unit_of_work():
            venue = venue_ops.create_venue(current_user, _venue_data(values))
    except REFUSALS as exc:
        return _venue_form(None, values, field_messages(exc), 422)
    flash(_("Venue %(venue)s is saved.", venue=venue.name), "success")
    return redirect(url_for("admin.edit_venue", venue_id=venue.id), 303)


@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@dinas_admin_required
def edit_venue(venue_id: int):
    """Change a venue; its verification against the facilities checklist is below."""
    venue = _venue_or_404(venue_id)
    if request.method == "GET":
        values = {"name": venue.name, "kind": venue.kind, "address": venue.address, "capacity": venue.capacity}
        return _venue_form(venue, {**values, "dinas": venue.dinas_id}, {})
    values = _venue_values()
    try:
        with unit_of_work():
            venue_ops.update_venue(current_user, venue, _venue_data(values))
    except REFUSALS as exc:
        return _venue_form(_venue_or_404(venue_id), values, field_messages(exc), 422)
    flash(_("Venue %(venue)s is saved.", venue=venue.name), "success")
    return redirect(url_for("admin.edit_venue", venue_id=venue.id), 303)


@bp.post("/venues/<int:venue_id>/verification")
@dinas_admin_required
def verify_venue(venue_id: int):
    """Record a check of the venue: each facility of the checklist, the verdict, a note."""
    venue = _venue_or_404(venue_id)
    checklist = {k: request.form.get(f"facility-{k}") == "1" for k in venue_ops.FACILITIES}
    verdict = request.form.get("facilities_ok") == "1"
    note = request.form.get("note", "")[:2000]
    try:
        with unit_of_work():
            venue_ops.verify_venue(current_user, venue, verdict, note, checklist)
    except REFUSALS as exc:
        values = {"name": venue.name, "kind": venue.kind, "address": venue.address, "capacity": venue.capacity}
        return _venue_form(venue, {**values, "dinas": venue.dinas_id, "note": note}, field_messages(exc), 422)
    flash(_("The verification of %(venue)s is recorded.", venue=venue.name), "success")
    return redirect(url_for("admin.edit_venue", venue_id=venue.id), 303)


# -- schedules --------------------------------------------------------------------------------


@bp.get("/schedules")
@dinas_admin_required
def schedules():
    """The schedules of the admin's scope in one month: a calendar (a list on a phone)."""
    first = calendar.parse_month(request.args.get("month"), clock.today())
    start, end = calendar.month_bounds(first)
    lo = datetime.combine(start, time(0), tzinfo=clock.LOCAL_TZ)
    hi = datetime.combine(end, time(0), tzinfo=clock.LOCAL_TZ)
    found = list(
        db.session.scalars(
            visible_schedules(current_user)
            .where(Schedule.starts_at >= lo, Schedule.starts_at < hi)
            .order_by(Schedule.starts_at, Schedule.id)
            .limit(500)
        )
    )
    return render_template(
        "admin/schedules.html",
        schedules=found,
        month=first,
        weeks=calendar.month_weeks(first, found),
        previous=calendar.previous_month(first),
        next=end,
    )


def _schedule_form(values: dict, errors: dict, status: int = 200, editing: Schedule | None = None):
    scope = dinas_scope(current_user)
    teams = db.session.scalars(
        select(Team).where(Team.active.is_(True), Team.dinas_id.in_(scope)).order_by(Team.name, Team.id)
    ).all()
    places = db.session.scalars(
        visible_venues(current_user).where(Venue.active.is_(True)).order_by(Venue.name, Venue.id)
    ).all()
    return (
        render_template(
            "admin/schedule_form.html",
            editing=editing,
            values=values,
            errors=errors,
            scheme_choices=[(s.code, f"{s.code} — {s.name}") for s in active_schemes()],
            venue_choices=[(v.id, f"{v.name} — {v.dinas.name} ({v.capacity})") for v in places],
            team_choices=[(t.id, f"{t.name} — {t.scheme.code} · {t.dinas.name}") for t in teams],
        ),
        status,
    )


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value.strip()[:5])
    except ValueError:
        return None


def _number(value: str):
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else None


@bp.route("/schedules/new", methods=["GET", "POST"])
@dinas_admin_required
def new_schedule():
    """Plan a schedule: a scheme, a venue, a date and time, a quota, a registration deadline, a team."""
    names = ("scheme", "venue", "day", "time", "quota_min", "quota_max", "registration_closes", "team")
    if request.method == "GET":
        return _schedule_form({"time": "09:00"}, {})
    values = {k: request.form.get(k, "").strip()[:64] for k in names}
    day, at = _date(values["day"]), _time(values["time"])
    errors = {}
    if day is None:
        errors["day"] = _("must be a date (YYYY-MM-DD)")
    if at is None:
        errors["time"] = _("must be a time (HH:MM)")
    data = {
        "scheme": values["scheme"],
        "venue": int_arg(values["venue"]),
        "starts_at": datetime.combine(day, at, tzinfo=clock.LOCAL_TZ) if day and at else None,
        "quota_min": _number(values["quota_min"]),
        "quota_max": _number(values["quota_max"]),
        "registration_closes": _date(values["registration_closes"]),
        "team": int_arg(values["team"]),
    }
    try:
        with unit_of_work():
            schedule = ops.create_schedule(current_user, data)
    except REFUSALS as exc:
        found = field_messages(exc)
        found.pop("starts_at", None) if errors else None
        if "starts_at" in found:
            found["day"] = found.pop("starts_at")
        return _schedule_form(values, {**found, **errors}, 422)
    if errors:  # pragma: no cover - the service refuses a missing date first
        return _schedule_form(values, errors, 422)
    flash(_("The schedule is planned."), "success")
    return redirect(url_for("admin.schedule", schedule_id=schedule.id), 303)


@bp.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@dinas_admin_required
def edit_schedule(schedule_id: int):
    """Change a planned or open schedule: venue, date and time, quota, registration deadline, team."""
    schedule = _schedule_or_404(schedule_id)
    names = ("venue", "day", "time", "quota_min", "quota_max", "registration_closes", "team")
    if request.method == "GET":
        local = schedule.starts_at.astimezone(clock.LOCAL_TZ)
        values = {
            "venue": str(schedule.venue_id),
            "day": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "quota_min": str(schedule.quota_min),
            "quota_max": str(schedule.quota_max),
            "registration_closes": schedule.registration_closes.isoformat(),
            "team": str(schedule.team_id),
        }
        return _schedule_form(values, {}, editing=schedule)
    values = {k: request.form.get(k, "").strip()[:64] for k in names}
    day, at = _date(values["day"]), _time(values["time"])
    errors = {}
    if day is None:
        errors["day"] = _("must be a date (YYYY-MM-DD)")
    if at is None:
        errors["time"] = _("must be a time (HH:MM)")
    data = {
        "venue": int_arg(values["venue"]) or -1,
        "starts_at": datetime.combine(day, at, tzinfo=clock.LOCAL_TZ) if day and at else None,
        "quota_min": _number(values["quota_min"]) or -1,
        "quota_max": _number(values["quota_max"]) or -1,
        "registration_closes": _date(values["registration_closes"]) or "",
        "team": int_arg(values["team"]) or -1,
    }
    if errors:
        return _schedule_form(values, errors, 422, editing=schedule)
    try:
        with unit_of_work():
            ops.change_schedule(schedule, current_user, data)
    except REFUSALS as exc:
        db.session.rollback()
        found = field_messages(exc)
        if "starts_at" in found:
            found["day"] = found.pop("starts_at")
        if not found:
            found = {"form": refusal(exc)[0]}
        return _schedule_form(values, found, 422, editing=_schedule_or_404(schedule_id))
    flash(_("The schedule is changed; the placed candidates and the team are told."), "success")
    return redirect(url_for("admin.schedule", schedule_id=schedule.id), 303)


def _schedule_or_404(schedule_id: int) -> Schedule:
    schedule = get_visible_schedule(current_user, schedule_id)
    if schedule is None:
        abort(404)
    return schedule


def eligible_candidates(schedule: Schedule) -> list[Application]:
    """The eligible applications of the schedule's scheme in the admin's scope, not placed anywhere."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.state == "eligible",
                Application.scheme_id == schedule.scheme_id,
                Application.dinas_id.in_(dinas_scope(current_user)),
            )
            .order_by(Application.id)
            .limit(200)
        )
    )


def schedule_page(schedule: Schedule, template: str, *, error=None, failed=None, status=200, **extra):
    """The schedule page: state, venue, team, the placed candidates, what is missing, the events."""
    context = ops.page_context(schedule, current_user)
    extra.setdefault("may_form_team", schedule.state == "open" and not context["placed"])
    return render_template(template, fixes=FIXES, error=error, failed=failed, **context, **extra), status


@bp.get("/schedules/<int:schedule_id>")
@dinas_admin_required
def schedule(schedule_id: int):
    """One schedule of the admin's scope."""
    sch = _schedule_or_404(schedule_id)
    return schedule_page(sch, "admin/schedule.html", eligible=eligible_candidates(sch) if sch.state == "open" else [])


@bp.post("/schedules/<int:schedule_id>/events/<event>")
@dinas_admin_required
def schedule_event(schedule_id: int, event: str):
    """Fire a schedule event from its button (with its reason, or a second click to confirm)."""
    sch = _schedule_or_404(schedule_id)
    if event not in PERSON_EVENTS:
        abort(404)
    reason, data = form_payload(SCHEDULE.event(event).inputs, request.form)
    try:
        with unit_of_work():
            ops.fire_schedule_event(
                sch, event, current_user, reason=reason, data=data, version=request.form.get("version", "")
            )
    except REFUSALS as exc:
        message, status = refusal(exc)
        sch = _schedule_or_404(schedule_id)
        return schedule_page(
            sch,
            "admin/schedule.html",
            error=message,
            failed=event,
            status=status,
            eligible=eligible_candidates(sch) if sch.state == "open" else [],
        )
    flash(
        _("%(event)s: done. The schedule is now “%(state)s”.", event=event_label(event), state=state_label(sch.state)),
        "success",
    )
    return redirect(url_for("admin.schedule", schedule_id=sch.id), 303)


@bp.post("/schedules/<int:schedule_id>/candidates")
@dinas_admin_required
def place(schedule_id: int):
    """Place the chosen eligible candidates (each on its own; every refusal named on the page)."""
    sch = _schedule_or_404(schedule_id)
    ids = [i for i in (int_arg(v) for v in request.form.getlist("application")[:200]) if i is not None]
    if not ids:
        return schedule_page(
            sch,
            "admin/schedule.html",
            place_error=_("Choose at least one candidate."),
            status=422,
            eligible=eligible_candidates(sch) if sch.state == "open" else [],
        )
    try:
        result = ops.place_candidates(sch, current_user, ids)
    except REFUSALS as exc:
        message, status = refusal(exc)
        return schedule_page(
            _schedule_or_404(schedule_id), "admin/schedule.html", place_error=message, status=status, eligible=[]
        )
    sch = _schedule_or_404(schedule_id)
    if result.placed:
        flash(_("%(count)s candidates are placed.", count=len(result.placed)), "success")
    return schedule_page(
        sch,
        "admin/schedule.html",
        refused=result.refused,
        status=200 if not result.refused else 422,
        eligible=eligible_candidates(sch) if sch.state == "open" else [],
    )
