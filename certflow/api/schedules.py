"""API: venues (TUK) and schedules — the assessment event (API.md "Venues, schedules and the assessment event").

A venue or schedule the caller may not see is a 404 (another dinas's schedule is not found);
the operations (``certflow.schedules``) decide who may do what. Placement commits each
candidate on its own; every other write commits once.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from certflow.api import bp
from certflow.api.auth import current_api_user, paginate, require_role
from certflow.api.errors import ApiError
from certflow.api.schemas import schedules as s
from certflow.api.schemas.applications import HistoryEntry
from certflow.api.spec import answer, body, operation, query
from certflow.core.errors import translate
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Schedule, Scheme, User, Venue, VenueVerification
from certflow.people.policy import get_visible_schedule, visible_schedules, visible_venues
from certflow.schedules import operations as ops
from certflow.schedules import venues as venue_ops
from workflows import InvalidTransition
from workflows.guards import N_
from workflows.schedule import PERSON_EVENTS

TAG = "Venues and schedules"
ADMIN_ROLES = ("dinas_admin", "admin")
NOT_FOUND = N_("Not found.")


def _ref(record, name: str | None = None) -> dict | None:
    return None if record is None else {"id": record.id, "name": name if name is not None else record.name}


# -- venues -----------------------------------------------------------------------------------


def verification_out(v: VenueVerification | None) -> s.VerificationOut | None:
    if v is None:
        return None
    return s.VerificationOut(
        id=v.id,
        facilities_ok=v.facilities_ok,
        note=v.note or "",
        checklist=v.checklist or {},
        verified_by=_ref(v.verified_by),
        verified_at=v.verified_at,
    )


def venue_out(venue: Venue, verification: VenueVerification | None) -> s.VenueOut:
    return s.VenueOut(
        id=venue.id,
        name=venue.name,
        kind=venue.kind,
        dinas=_ref(venue.dinas),
        address=venue.address,
        capacity=venue.capacity,
        active=venue.active,
        version=venue.version,
        verification=verification_out(verification),
    )


def _one_venue(venue: Venue, status: int = 200):
    latest = venue_ops.latest_verifications([venue.id]).get(venue.id)
    return answer(venue_out(venue, latest), status)


@bp.get("/venues")
@operation(query=s.VenueQuery, resp=list[s.VenueOut], errors=(403,), tag=TAG)
def list_venues():
    """The venues the caller keeps (a province admin: its province's); ``?dinas=``."""
    require_role(*ADMIN_ROLES)
    stmt = visible_venues(current_api_user())
    dinas = query().dinas
    if dinas is not None:
        stmt = stmt.where(Venue.dinas_id == dinas)
    found = list(db.session.scalars(stmt.order_by(Venue.name, Venue.id).limit(500)))
    latest = venue_ops.latest_verifications([v.id for v in found])
    return answer([venue_out(v, latest.get(v.id)) for v in found])


@bp.post("/venues")
@operation(json=s.VenueNew, resp=s.VenueOut, ok=201, errors=(403,), tag=TAG)
def create_venue():
    """A new venue of a dinas the caller administers."""
    require_role(*ADMIN_ROLES)
    with unit_of_work():
        venue = venue_ops.create_venue(current_api_user(), body().model_dump(exclude_unset=True))
    response, status = _one_venue(venue, 201)
    response.headers["Location"] = url_for("api.list_venues")
    return response, status


def _venue(venue_id: int) -> Venue:
    require_role(*ADMIN_ROLES)
    return venue_ops.get_visible_venue(current_api_user(), venue_id)


@bp.patch("/venues/<int:venue_id>")
@operation(json=s.VenueChange, resp=s.VenueOut, errors=(403, 404, 409), tag=TAG)
def update_venue(venue_id: int):
    """Change a venue of the caller's scope."""
    venue = _venue(venue_id)
    with unit_of_work():
        venue_ops.update_venue(current_api_user(), venue, body().model_dump(exclude_unset=True))
    return _one_venue(venue)


@bp.post("/venues/<int:venue_id>/verification")
@operation(json=s.VerificationIn, resp=s.VenueOut, ok=201, errors=(403, 404), tag=TAG)
def verify_venue(venue_id: int):
    """Record a check of the venue against the facilities checklist (by the caller, now)."""
    venue = _venue(venue_id)
    data = body()
    with unit_of_work():
        venue_ops.verify_venue(current_api_user(), venue, data.facilities_ok, data.note, data.checklist)
    return _one_venue(venue, 201)


# -- schedules --------------------------------------------------------------------------------


def _venue_ref(venue: Venue) -> dict:
    return {"id": venue.id, "name": venue.name, "kind": venue.kind, "address": venue.address}


def _common(sch: Schedule) -> dict:
    return {
        "id": sch.id,
        "state": sch.state,
        "version": sch.version,
        "scheme": sch.scheme.code,
        "dinas": _ref(sch.dinas),
        "venue": _venue_ref(sch.venue),
        "starts_at": sch.starts_at,
        "quota_min": sch.quota_min,
        "quota_max": sch.quota_max,
        "registration_closes": sch.registration_closes,
        "team": _ref(sch.team),
    }


def schedule_detail(sch: Schedule, user: User) -> s.ScheduleOut:
    """The schedule as the caller sees it: the placed applications, allowed events, what is missing."""
    next_event, missing = ops.missing_for_next_step(sch)
    attendance = ops.attendance_of(sch)
    return s.ScheduleOut(
        **_common(sch),
        applications=[a.id for a in ops.placed_applications(sch)],
        allowed_events=ops.allowed_events(sch, user),
        next_event=next_event,
        missing=[s.MissingOut(rule=m.rule, message=translate(m.message, m.params)) for m in missing],
        attendance=[s.AttendanceOut(application=k, present=v) for k, v in sorted(attendance.items())],
        cancel_reason=sch.cancel_reason,
        report_notes=sch.report_notes,
    )


def _load(schedule_id: int) -> Schedule:
    sch = get_visible_schedule(current_api_user(), schedule_id)
    if sch is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return sch


def _detail(sch: Schedule, status: int = 200):
    return answer(schedule_detail(sch, current_api_user()), status)


@bp.get("/schedules")
@operation(query=s.ScheduleQuery, resp=s.ScheduleList, tag=TAG)
def list_schedules():
    """The schedules the caller may see, soonest first; ``?scheme=&dinas=&state=&page=&per_page=``."""
    args = query()
    stmt = visible_schedules(current_api_user())
    if args.state:
        stmt = stmt.where(Schedule.state == args.state)
    if args.dinas is not None:
        stmt = stmt.where(Schedule.dinas_id == args.dinas)
    if args.scheme:
        stmt = stmt.where(Schedule.scheme_id.in_(select(Scheme.id).where(Scheme.code == args.scheme.strip())))
    items, total, page, per_page = paginate(stmt, args, order=(Schedule.starts_at, Schedule.id))
    return answer(
        s.ScheduleList(
            items=[s.ScheduleSummary(**_common(x)) for x in items], total=total, page=page, per_page=per_page
        )
    )


@bp.post("/schedules")
@operation(json=s.ScheduleNew, resp=s.ScheduleOut, ok=201, errors=(403,), tag=TAG)
def create_schedule():
    """A dinas admin plans a schedule at a venue they keep, with a team they manage."""
    require_role(*ADMIN_ROLES)
    data = body()
    with unit_of_work():
        sch = ops.create_schedule(current_api_user(), dict(data))
    response, status = _detail(sch, 201)
    response.headers["Location"] = url_for("api.get_schedule", schedule_id=sch.id)
    return response, status


@bp.get("/schedules/<int:schedule_id>")
@operation(resp=s.ScheduleOut, errors=(404,), tag=TAG)
def get_schedule(schedule_id: int):
    """One schedule, with ``allowed_events`` (this caller, now) and ``missing`` (for the next step)."""
    return _detail(_load(schedule_id))


@bp.patch("/schedules/<int:schedule_id>")
@operation(json=s.ScheduleChange, resp=s.ScheduleOut, errors=(403, 404, 409), tag=TAG)
def change_schedule(schedule_id: int):
    """A dinas admin changes the date, venue, quota, deadline or team while planned or open;
    the placed candidates and the team are told once."""
    sch = _load(schedule_id)
    model = body()
    data = {k: getattr(model, k) for k in model.model_fields_set}  # the values themselves (dates, instants)
    version = data.pop("version", None)
    with unit_of_work():
        ops.change_schedule(sch, current_api_user(), data, version)
    return _detail(sch)


@bp.get("/schedules/<int:schedule_id>/history")
@operation(resp=list[HistoryEntry], errors=(404,), tag=TAG)
def get_schedule_history(schedule_id: int):
    """Every transition of the schedule, oldest first."""
    sch = _load(schedule_id)
    return answer(
        [
            HistoryEntry.model_validate(
                {
                    "event": log.event,
                    "from": log.from_state,
                    "to": log.to_state,
                    "actor": _ref(log.actor),
                    "at": log.at,
                    "reason": log.reason,
                    "workflow": "schedule",
                    "workflow_version": log.workflow_version,
                }
            )
            for log in ops.history(sch)
        ]
    )


@bp.post("/schedules/<int:schedule_id>/events")
@operation(json=s.ScheduleEventIn, resp=s.ScheduleOut, errors=(403, 404, 409), tag=TAG)
def fire_schedule_event(schedule_id: int):
    """Fire ``open``, ``confirm``, ``hold``, ``report`` (``data.notes``) or ``cancel`` (``reason``)."""
    sch = _load(schedule_id)
    data = body()
    event = data.event.strip()
    if event not in PERSON_EVENTS:
        raise InvalidTransition(
            N_("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": sch.state}
        )
    with unit_of_work():
        ops.fire_schedule_event(
            sch, event, current_api_user(), reason=data.reason, data=data.data, version=data.version
        )
        detail = schedule_detail(sch, current_api_user())
    return answer(detail)


@bp.post("/schedules/<int:schedule_id>/candidates")
@operation(json=s.PlacementIn, resp=s.PlacementOut, errors=(403, 404, 409), tag=TAG)
def place_candidates(schedule_id: int):
    """Place applications on the schedule: each is ``assign_team`` with its team, in its own transaction."""
    sch = _load(schedule_id)
    result = ops.place_candidates(sch, current_api_user(), body().applications)
    return answer(s.PlacementOut(placed=result.placed, refused=result.refused))


@bp.put("/schedules/<int:schedule_id>/attendance")
@operation(json=s.AttendanceIn, resp=s.ScheduleOut, errors=(403, 404, 409), tag=TAG)
def put_attendance(schedule_id: int):
    """The lead assessor records who attended (from the event's day, until the report)."""
    sch = _load(schedule_id)
    data = body()
    with unit_of_work():
        ops.record_attendance(sch, current_api_user(), data.present, data.version)
        detail = schedule_detail(sch, current_api_user())
    return answer(detail)
