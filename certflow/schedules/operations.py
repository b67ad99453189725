"""Schedules: creating one, firing its workflow's events, placing candidates, recording attendance.

Every function checks who may do what and validates completely before writing, then flushes;
the request commits once (``core.transaction.unit_of_work``) — except placement, where each
candidate is placed in a transaction of its own (API.md), so one refusal keeps the others.

- An event is fired by the shared engine (``engine_for("schedule")``) on the schedule's facts
  (``certflow.schedules.facts``); the version the caller saw is checked (409 ``stale_version``);
  every transition is written to the append-only schedule log and tells the groups its
  definition names (``notify``) once each.
- Placing a candidate is the application's ``assign_team`` with the schedule's team, after the
  schedule's own placement rules (registration deadline, maximum quota); every refusal is named
  (code, message, rule).
- Cancelling releases every placed candidate (the application's ``release``, as the system, with
  the reason) and tells the candidates and the team once — not once per release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import lazyload

from certflow import clock
from certflow.applications.operations import raise_if_errors
from certflow.applications.transition_log import check_version, flush
from certflow.applications.workflow import fire_application_event
from certflow.core.errors import AppError, Forbidden, NotEditable, NotFound, as_app_error, translate
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Attendance, Schedule, ScheduleLog, Scheme, Team, User, Venue
from certflow.notifications.recipients import recipients
from certflow.notifications.reminders import add_reminders
from certflow.ops.metrics import count_transition
from certflow.people.policy import (
    get_visible_application,
    is_schedule_lead,
    may_administer,
    may_manage_schedule,
    schedule_actor,
    visible_venues,
)
from certflow.schedules.facts import ScheduleFacts, event_date, placed_filter
from certflow.schedules.venues import latest_verifications
from workflows import SCHEDULE, Actor, GuardFailed, WorkflowError, engine_for
from workflows.engine import Fired
from workflows.guards import N_, GuardContext
from workflows.schedule import PERSON_EVENTS, placement_failure

MAX_QUOTA = 500
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PLACEMENTS = 200
# The next step of each state, and the event that takes it (what ``missing`` explains).
NEXT_EVENT = {"planned": "open", "open": "confirm", "ready": "hold", "held": "report"}
# Guards that judge the event's own input (asked when it is fired, so never "missing" beforehand).
INPUT_GUARDS = {"notes_given", "reason_given"}


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


# -- creating a schedule ---------------------------------------------------------------------


def create_schedule(user: User, data: dict) -> Schedule:
    """A planned schedule: a scheme, a venue the user keeps, a date, a quota, a deadline, one team.

    ``data``: ``scheme`` (code), ``venue`` (id), ``starts_at`` (aware datetime), ``quota_min``,
    ``quota_max``, ``registration_closes`` (date), ``team`` (id).
    """
    scheme, venue, team, starts_at, quota_min, quota_max, closes = _checked(user, data)
    schedule = Schedule(
        dinas_id=venue.dinas_id,
        scheme_id=scheme.id,
        venue_id=venue.id,
        team_id=team.id,
        starts_at=starts_at,
        quota_min=quota_min,
        quota_max=quota_max,
        registration_closes=closes,
        state=SCHEDULE.initial,
        created_by_id=user.id,
        reminders_sent=[],
    )
    db.session.add(schedule)
    db.session.flush()
    return schedule


def _checked(user: User, data: dict, extra: dict | None = None, kept: Schedule | None = None) -> tuple:
    """The schedule's terms checked together (every problem named at once), as records and values.

    ``kept``: the schedule being changed — its own venue and team, left as they are, stay accepted.
    """
    errors: dict[str, str] = dict(extra or {})
    scheme = None
    code = data.get("scheme")
    if isinstance(code, str) and code.strip():
        scheme = db.session.scalar(select(Scheme).where(Scheme.code == code.strip(), Scheme.active.is_(True)))
    if scheme is None:
        errors["scheme"] = _("give the code of an active scheme")
    venue_id = _id(data.get("venue"))
    if kept is not None and venue_id == kept.venue_id:
        venue = kept.venue
    else:
        venue = db.session.scalar(visible_venues(user).where(Venue.id == venue_id)) if venue_id is not None else None
    if venue is None or (not venue.active and venue is not getattr(kept, "venue", None)):
        errors["venue"] = _("not an active venue you keep")
    starts_at = data.get("starts_at")
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        errors["starts_at"] = _("must be a date and time with its offset")
        starts_at = None
    elif not MIN_YEAR <= starts_at.year <= MAX_YEAR:
        errors["starts_at"] = _("must be between the years %(low)s and %(high)s", low=MIN_YEAR, high=MAX_YEAR)
        starts_at = None
    quota_min, quota_max = data.get("quota_min"), data.get("quota_max")
    if _id(quota_min) is None or quota_min > MAX_QUOTA:
        errors["quota_min"] = _("must be a whole number from 1 to %(n)s", n=MAX_QUOTA)
    if _id(quota_max) is None or quota_max > MAX_QUOTA:
        errors["quota_max"] = _("must be a whole number from 1 to %(n)s", n=MAX_QUOTA)
    elif _id(quota_min) is not None and quota_max < quota_min:
        errors["quota_max"] = _("must not be below the minimum quota")
    elif venue is not None and quota_max > venue.capacity:
        errors["quota_max"] = _("must not exceed the venue's capacity of %(n)s", n=venue.capacity)
    closes = data.get("registration_closes")
    if not hasattr(closes, "isoformat") or isinstance(closes, datetime):
        errors["registration_closes"] = _("must be a date (YYYY-MM-DD)")
        closes = None
    elif starts_at is not None and closes > starts_at.astimezone(clock.LOCAL_TZ).date():
        errors["registration_closes"] = _("must not be after the event's date")
    team_id = _id(data.get("team"))
    team = db.session.get(Team, team_id) if team_id is not None else None
    if team is not None and kept is not None and team.id == kept.team_id:
        pass  # the schedule's own team, unchanged
    elif team is None or not team.active or not may_administer(user, team.dinas):
        errors["team"] = _("not an active team you manage")
    elif scheme is not None and team.scheme_id != scheme.id:
        errors["team"] = _("the team is formed for scheme %(code)s", code=team.scheme.code)
    raise_if_errors(errors)
    return scheme, venue, team, starts_at, quota_min, quota_max, closes


# -- changing a schedule ----------------------------------------------------------------------

EDITABLE_STATES = ("planned", "open")
CHANGE_FIELDS = ("venue", "starts_at", "quota_min", "quota_max", "registration_closes", "team")


def change_schedule(schedule: Schedule, user: User, data: dict, version: Any = None) -> bool:
    """Change the date, venue, quota, registration deadline or team while planned or open.

    Only the fields given change; all are checked together as when planning. With candidates placed
    the team stays (they were assigned it) and the maximum quota may not fall below them. If anything
    changed, the placed candidates and the team are told once. Returns whether anything changed.
    """
    if not may_manage_schedule(user, schedule):
        raise Forbidden(_("Only the schedule's dinas admins may change it."))
    if schedule.state not in EDITABLE_STATES:
        raise NotEditable(_("A schedule can be changed only while it is planned or open."))
    check_version(schedule, version)
    placed = placed_applications(schedule)
    current = {
        "scheme": schedule.scheme.code,
        "venue": schedule.venue_id,
        "starts_at": schedule.starts_at,
        "quota_min": schedule.quota_min,
        "quota_max": schedule.quota_max,
        "registration_closes": schedule.registration_closes,
        "team": schedule.team_id,
    }
    given = {k: v for k, v in data.items() if k in CHANGE_FIELDS and v is not None}
    merged = {**current, **given}
    extra: dict[str, str] = {}
    if placed and _id(merged["team"]) != schedule.team_id:
        extra["team"] = _("%(n)s candidates are placed with this team; it can no longer be changed", n=len(placed))
    if placed and isinstance(merged["quota_max"], int) and merged["quota_max"] < len(placed):
        extra["quota_max"] = _("must not be below the %(n)s candidates placed", n=len(placed))
    _scheme, venue, team, starts_at, quota_min, quota_max, closes = _checked(user, merged, extra, kept=schedule)
    new = (venue.id, starts_at, quota_min, quota_max, closes, team.id)
    old = (
        schedule.venue_id,
        schedule.starts_at,
        schedule.quota_min,
        schedule.quota_max,
        schedule.registration_closes,
        schedule.team_id,
    )
    if new == old:
        return False
    (
        schedule.venue_id,
        schedule.starts_at,
        schedule.quota_min,
        schedule.quota_max,
        schedule.registration_closes,
        schedule.team_id,
    ) = new
    schedule.venue, schedule.team = venue, team
    flush()
    stamp = clock.now().strftime("%Y%m%d%H%M%S%f")
    notify_schedule(
        schedule,
        "schedule_changed",
        ["candidates", "team"],
        f"schedule_changed:{schedule.id}:{schedule.version}:{stamp}",
        [a.candidate_id for a in placed],
    )
    return True


# -- what the schedule shows ------------------------------------------------------------------


def placed_applications(schedule: Schedule) -> list[Application]:
    """The applications placed on the schedule (one query), in the order they were opened."""
    return list(db.session.scalars(select(Application).where(placed_filter(schedule.id)).order_by(Application.id)))


def attendance_of(schedule: Schedule) -> dict[int, bool]:
    """Application id → present, as recorded (one query)."""
    rows = db.session.execute(
        select(Attendance.application_id, Attendance.present).where(Attendance.schedule_id == schedule.id)
    )
    return dict(rows.all())


def allowed_events(schedule: Schedule, user: User) -> list[str]:
    """The events ``user`` may fire on the schedule now (the plenary's ``decide`` is not one of them)."""
    actor = schedule_actor(user, schedule)
    return [e for e in engine_for("schedule").allowed_events(schedule.state, actor) if e in PERSON_EVENTS]


@dataclass(frozen=True)
class Missing:
    """One thing missing for the schedule's next step: the rule, its message id and parameters."""

    rule: str
    message: str
    params: dict = field(default_factory=dict)


def missing_for_next_step(schedule: Schedule) -> tuple[str | None, list[Missing]]:
    """The schedule's next event and every rule of it that does not hold yet (empty: it may be fired)."""
    event = NEXT_EVENT.get(schedule.state)
    if event is None:
        return None, []
    engine = engine_for("schedule")
    ctx = GuardContext(now=clock.now(), day=clock.today(), facts=ScheduleFacts(schedule))
    found = []
    for name in SCHEDULE.event(event).guards:
        if name in INPUT_GUARDS:
            continue
        failure = engine.guards[name](ctx)
        if failure is not None:
            found.append(Missing(failure.rule, failure.message, failure.params))
    return event, found


def history(schedule: Schedule) -> list[ScheduleLog]:
    """Every transition of the schedule, oldest first."""
    return list(
        db.session.scalars(select(ScheduleLog).where(ScheduleLog.schedule_id == schedule.id).order_by(ScheduleLog.id))
    )


def venue_verified(schedule: Schedule) -> bool:
    """Whether the schedule's venue's latest verification found its facilities fit."""
    latest = latest_verifications([schedule.venue_id]).get(schedule.venue_id)
    return latest is not None and latest.facilities_ok


# -- firing an event --------------------------------------------------------------------------


def _cleaned(reason: Any, data: Any) -> tuple[str | None, dict]:
    return (reason.strip() if isinstance(reason, str) else None), (data if isinstance(data, dict) else {})


def fire_schedule_event(
    schedule: Schedule,
    event: str,
    user: User | None,
    *,
    reason: Any = None,
    data: Any = None,
    version: Any = None,
    plenary: bool = False,
) -> Fired:
    """Fire ``event`` on ``schedule`` as ``user`` (None: the system); raise a ``WorkflowError`` if it may not.

    ``plenary=True``: the certifier decides in the plenary (the only way to ``decide``, with the system).
    """
    reason, data = _cleaned(reason, data)
    if user is None:
        actor = Actor.system()
    else:
        actor = schedule_actor(user, schedule)
        if plenary:
            actor = Actor(id=actor.id, roles=actor.roles, relations=actor.relations | {"plenary"})
    check_version(schedule, version)
    now = clock.now()
    facts = ScheduleFacts(schedule)
    ctx = GuardContext(reason=reason, data=data, now=now, day=clock.today(), facts=facts)
    released = placed_applications(schedule) if event == "cancel" else []
    candidate_ids = [a.candidate_id for a in (released or placed_applications(schedule))]
    fired = engine_for("schedule").fire(schedule, event, actor, ctx)
    if fired.event == "cancel":
        started = [a for a in released if a.state != "team_assigned"]
        if started:
            raise AppError(
                N_("The assessment has started for %(names)s: the schedule can no longer be cancelled."),
                {"names": ", ".join(a.candidate.name for a in started)},
                code="guard_failed",
                rule="assessment_not_started",
            )
        schedule.cancel_reason = reason
    if fired.event == "report":
        schedule.report_notes = data["notes"].strip()
    schedule.state_changed_at = now
    flush()
    logged = {"notes": schedule.report_notes} if fired.event == "report" else None
    log = ScheduleLog(
        schedule_id=schedule.id,
        workflow_version=fired.version,
        actor_id=actor.id,
        event=fired.event,
        from_state=fired.source,
        to_state=fired.dest,
        reason=reason or None,
        data=logged,
        at=now,
    )
    db.session.add(log)
    count_transition(db.session, fired.workflow, fired.event)
    for app in released:
        fire_application_event(app, "release", None, reason=reason, notify=False)
    db.session.flush()
    notify_schedule(schedule, fired.event, fired.notify, f"schedule:{log.id}", candidate_ids, {"reason": reason})
    return fired


def schedule_params(schedule: Schedule) -> dict:
    """What every notification of a schedule says: which one, when and where."""
    return {
        "schedule": schedule.id,
        "date": event_date(schedule).isoformat(),
        "time": schedule.starts_at.astimezone(clock.LOCAL_TZ).strftime("%H:%M"),
        "venue": schedule.venue.name,
        "address": schedule.venue.address,
        "scheme": schedule.scheme.code,
    }


def notify_schedule(
    schedule: Schedule, event: str, groups, key: str, candidate_ids=(), params: dict | None = None
) -> int:
    """Tell the groups of a schedule's event, each person once (the outbox key ``<key>:<user>``)."""
    user_ids = recipients(groups, dinas_id=schedule.dinas_id, team_ids=[schedule.team_id], candidate_ids=candidate_ids)
    payload = {**schedule_params(schedule), **{k: v for k, v in (params or {}).items() if v is not None}}
    return add_reminders(
        [
            {
                "key": f"{key}:{uid}",
                "user": uid,
                "event": event,
                "workflow": "schedule",
                "application": None,
                "certificate": None,
                "params": payload,
            }
            for uid in user_ids
        ]
    )


# -- placing candidates -----------------------------------------------------------------------


@dataclass
class Placement:
    """The outcome of placing candidates: the applications placed, and each refusal named."""

    placed: list[int] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)


def _locked(schedule_id: int) -> Schedule:
    """The schedule, its row locked until the transaction ends (PostgreSQL): placements one at a time."""
    db.session.execute(select(Schedule.id).where(Schedule.id == schedule_id).with_for_update())
    # The team's members are not read here (the application's guards read the team): not loaded.
    return db.session.scalar(
        select(Schedule)
        .options(lazyload(Schedule.team))
        .where(Schedule.id == schedule_id)
        .execution_options(populate_existing=True)
    )


def _place_one(schedule_id: int, user: User, app_id: int, override_reason: str = "") -> None:
    schedule = _locked(schedule_id)
    if schedule.state != "open":
        raise NotEditable(N_("Candidates can be placed only while the schedule is open."))
    app = get_visible_application(user, app_id) if _id(app_id) is not None else None
    if app is None:
        raise NotFound()
    if app.schedule_id is not None and app.schedule_id != schedule.id and app.state == "team_assigned":
        raise AppError(
            N_("The candidate is already placed on another schedule."), code="guard_failed", rule="not_placed_elsewhere"
        )
    ctx = GuardContext(now=clock.now(), day=clock.today(), facts=ScheduleFacts(schedule))
    failure = placement_failure(ctx)
    if failure is not None:
        raise GuardFailed(failure)
    # The schedule's id goes in the assignment's own UPDATE (one statement, one version).
    with db.session.no_autoflush:
        app.schedule_id = schedule.id
        data = {"team": schedule.team_id, **({"override_reason": override_reason} if override_reason else {})}
        fire_application_event(app, "assign_team", user, data=data, notify=False)
    add_reminders(
        [
            {
                "key": f"placed:{schedule.id}:{app.id}:{app.candidate_id}",
                "user": app.candidate_id,
                "event": "schedule_placed",
                "workflow": "schedule",
                "application": app.id,
                "certificate": None,
                "params": schedule_params(schedule),
            }
        ]
    )


def place_candidates(schedule: Schedule, user: User, application_ids: list) -> Placement:
    """Place each application on the schedule in its own transaction; the others go on if one is refused.

    The whole request is refused (nothing placed) if the user does not manage the schedule or it is
    not open. The team hears once, after the placements, how many were placed.
    """
    if not may_manage_schedule(user, schedule):
        raise Forbidden(N_("Only a dinas admin of the schedule's dinas may place candidates."))
    if schedule.state != "open":
        raise NotEditable(N_("Candidates can be placed only while the schedule is open."))
    ids = list(dict.fromkeys(application_ids))
    if len(ids) > MAX_PLACEMENTS:
        raise_if_errors({"applications": _("at most %(n)s at once", n=MAX_PLACEMENTS)})
    schedule_id, result = schedule.id, Placement()
    for app_id in ids:
        try:
            with unit_of_work():
                _place_one(schedule_id, user, app_id)
        except (AppError, WorkflowError) as exc:
            err = as_app_error(exc)
            result.refused.append({"application": app_id, "code": err.code, "message": err.text(), "rule": err.rule})
        else:
            result.placed.append(app_id)
    if result.placed:
        with unit_of_work():
            schedule = db.session.get(Schedule, schedule_id)
            first = result.placed[0]
            notify_schedule(
                schedule,
                "schedule_team_placed",
                ("team",),
                f"team-placed:{schedule_id}:{first}",
                params={"count": len(result.placed)},
            )
    return result


# -- attendance -------------------------------------------------------------------------------


def record_attendance(schedule: Schedule, user: User, present: list, version: Any = None) -> dict[int, bool]:
    """The lead assessor records who attended: ``present`` lists application ids, every other placed one is absent.

    From the event's day, while the schedule is ``ready`` or ``held`` (before the report).
    """
    if not is_schedule_lead(user, schedule):
        raise Forbidden(N_("Only the lead assessor of the schedule's team may record the attendance."))
    if schedule.state not in ("ready", "held"):
        raise NotEditable(N_("The attendance can be recorded once the schedule is ready, until the report."))
    if clock.today() < event_date(schedule):
        raise NotEditable(N_("The attendance can be recorded from the day of the event."))
    check_version(schedule, version)
    placed = {a.id for a in placed_applications(schedule)}
    unknown = [i for i in present if i not in placed]
    if unknown:
        raise_if_errors({"present": _("not placed on this schedule: %(ids)s", ids=", ".join(str(i) for i in unknown))})
    now = clock.now()
    db.session.execute(
        delete(Attendance).where(Attendance.schedule_id == schedule.id).execution_options(synchronize_session=False)
    )
    chosen = set(present)
    if placed:
        db.session.execute(
            Attendance.__table__.insert(),
            [
                {
                    "schedule_id": schedule.id,
                    "application_id": app_id,
                    "present": app_id in chosen,
                    "recorded_by_id": user.id,
                    "recorded_at": now,
                }
                for app_id in sorted(placed)
            ],
        )
    schedule.attendance_recorded_at = now
    flush()
    return {app_id: app_id in chosen for app_id in sorted(placed)}


__all__ = [
    "Placement",
    "create_schedule",
    "fire_schedule_event",
    "missing_for_next_step",
    "place_candidates",
    "record_attendance",
]


def page_context(schedule: Schedule, user: User) -> dict:
    """What a schedule page shows, for any page that shows one (admin, lead assessor)."""
    next_event, missing = missing_for_next_step(schedule)
    return {
        "schedule": schedule,
        "placed": placed_applications(schedule),
        "attendance": attendance_of(schedule),
        "next_event": next_event,
        "missing": [{"rule": m.rule, "text": translate(m.message, m.params)} for m in missing],
        "events": [{"name": e, "def": SCHEDULE.event(e)} for e in allowed_events(schedule, user)],
        "history": history(schedule),
        "venue_verified": venue_verified(schedule),
    }
