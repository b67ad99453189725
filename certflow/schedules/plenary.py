"""The plenary decision (*rapat pleno*): the certifiers decide a reported schedule in one sitting.

``record_plenary`` writes one ``PlenaryDecision`` (number, date, members, a line per candidate) and
fires, in the caller's transaction, ``certify`` (K) or ``decline`` (BK) on each line's application
through the application workflow (its guards, its effects: a certificate issued by ``certify``,
the notifications of each). All or nothing: every refused line is named in one ``AppError``
(its ``lines``) and the caller's unit of work rolls everything back. Then the schedule's own
``decide`` event moves it to ``decided``. It only flushes: the request commits once.

What is read is read once for all lines (the applications, the members, the number taken);
per line only the transition itself writes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from certflow import clock
from certflow.applications.workflow import fire_application_event
from certflow.core.converters import as_id
from certflow.core.errors import AppError, Forbidden, InvalidInput, translate
from certflow.extensions import db
from certflow.models import Application, PlenaryDecision, PlenaryLine, Schedule, ScheduleLog, User, UserRole
from certflow.models.plenary import PlenaryMember
from certflow.people.policy import may_decide_plenary
from workflows import Actor, WorkflowError, engine_for
from workflows.engine import Msg
from workflows.guards import GuardContext

EVENT_OF = {"K": "certify", "BK": "decline"}
MAX_LINES = 500


def _record_id(value: Any) -> int | None:
    return as_id(value)


def _check_header(number: Any, on: Any, members: Any, lines: Any) -> tuple[str, date, list[int], list]:
    """The number, date, member ids and lines, or ``InvalidInput`` naming every bad field."""
    errors: dict[str, str] = {}
    if not isinstance(number, str) or not number.strip() or "\x00" in number:
        errors["number"] = Msg("The decision number is required.")
    elif len(number.strip()) > 80:
        errors["number"] = Msg("The decision number is at most 80 characters.")
    decided_on = on
    if isinstance(on, str):
        try:
            decided_on = date.fromisoformat(on)
        except ValueError:
            decided_on = None
    if not isinstance(decided_on, date):
        errors["date"] = Msg("The date of the decision is required (YYYY-MM-DD).")
    ids = [_record_id(m) for m in members] if isinstance(members, list) and len(members) <= 50 else None
    if not ids or None in ids:
        errors["members"] = Msg("The members are required: a list of the certifiers who sat in the plenary.")
    if not isinstance(lines, list) or not lines or len(lines) > MAX_LINES:
        errors["lines"] = Msg("The lines are required: one per candidate of the schedule.")
    if errors:
        detail = "; ".join(f"{k}: {translate(v)}" for k, v in errors.items())
        raise InvalidInput(Msg("Invalid input — %(detail)s"), {"detail": detail}, fields=list(errors))
    return number.strip(), decided_on, list(dict.fromkeys(ids)), lines


def _refusal(application: Any, code: str, message: str, params: dict | None = None) -> dict:
    return {"application": application, "code": code, "message": translate(message, params)}


def record_plenary(schedule: Schedule, user: User, number: Any, on: Any, members: Any, lines: Any) -> PlenaryDecision:
    """Decide ``schedule`` in one sitting; raise ``AppError`` (its ``lines``: every refused line) if any is refused."""
    if not may_decide_plenary(user, schedule):
        raise Forbidden(Msg("Only a certifier may record the plenary decision."))
    number, decided_on, member_ids, lines = _check_header(number, on, members, lines)
    if schedule.state != "reported":
        raise AppError(
            Msg("Only a reported schedule can be decided; this one is %(state)s."),
            {"state": engine_for("schedule").definition.state_label(schedule.state) or schedule.state},
            code="invalid_transition",
        )
    certifiers = set(
        db.session.scalars(
            select(UserRole.user_id).where(UserRole.user_id.in_(member_ids), UserRole.role == "certifier")
        )
    )
    if set(member_ids) - certifiers:
        raise InvalidInput(Msg("Every member of the plenary must be a certifier."), fields=["members"])
    if db.session.scalar(select(PlenaryDecision.id).where(PlenaryDecision.number == number)) is not None:
        raise InvalidInput(
            Msg("The decision number %(number)s is already used."), {"number": number}, fields=["number"]
        )

    wanted = {_record_id(line.get("application")) for line in lines if isinstance(line, dict)} - {None}
    apps = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where((Application.schedule_id == schedule.id) | Application.id.in_(wanted or [0]))
        )
    }
    refused: list[dict] = []
    seen: set[int] = set()
    checked: list[tuple[Application, str, str | None]] = []
    for n, line in enumerate(lines):
        raw = line.get("application") if isinstance(line, dict) else None
        app_id = _record_id(raw)
        if not isinstance(line, dict) or app_id is None:
            refused.append(
                _refusal(None, "invalid_line", Msg("Line %(n)s does not name an application."), {"n": n + 1})
            )
            continue
        decision = line.get("decision")
        reason = line.get("reason")
        if decision not in EVENT_OF:
            refused.append(_refusal(app_id, "invalid_line", Msg("The decision must be K or BK.")))
            continue
        if reason is not None and (not isinstance(reason, str) or len(reason) > 2000 or "\x00" in reason):
            refused.append(
                _refusal(app_id, "invalid_line", Msg("The reason must be a text of at most 2000 characters."))
            )
            continue
        if app_id in seen:
            refused.append(_refusal(app_id, "duplicate_line", Msg("This candidate has more than one line.")))
            continue
        seen.add(app_id)
        app = apps.get(app_id)
        if app is None or app.schedule_id != schedule.id:
            refused.append(_refusal(app_id, "not_on_schedule", Msg("This application is not on the schedule.")))
            continue
        checked.append((app, decision, reason))
    for app in apps.values():
        if app.schedule_id == schedule.id and app.state == "assessed" and app.id not in seen:
            refused.append(
                _refusal(app.id, "missing_line", Msg("This assessed candidate has no line in the decision."))
            )

    if refused:  # nothing fired yet: the lines that could not even be read
        raise _refused(refused)
    for app, decision, reason in checked:
        try:
            fire_application_event(app, EVENT_OF[decision], user, reason=reason)
        except WorkflowError as exc:
            refused.append(_refusal(app.id, exc.code, exc.message, exc.params))
    if refused:
        raise _refused(refused)

    record = PlenaryDecision(
        schedule_id=schedule.id, number=number, decided_on=decided_on, recorded_by_id=user.id, recorded_at=clock.now()
    )
    record.member_rows = [PlenaryMember(user_id=m) for m in member_ids]
    record.lines = [PlenaryLine(application_id=a.id, decision=d, reason=r) for a, d, r in checked]
    db.session.add(record)
    _decide(schedule, user, number)
    db.session.flush()
    return record


def _refused(refused: list[dict]) -> AppError:
    return AppError(
        Msg("The plenary decision was not recorded: %(count)s lines are refused."),
        {"count": len(refused)},
        code="lines_refused",
        attach={"lines": refused},
    )


def _decide(schedule: Schedule, user: User, number: str) -> None:
    """The schedule's ``decide`` event, with its log row."""
    now = clock.now()
    actor = Actor(id=user.id, roles=user.roles, relations=frozenset({"plenary"}))
    ctx = GuardContext(reason=None, data={}, now=now, day=clock.today(), facts=None)
    fired = engine_for("schedule").fire(schedule, "decide", actor, ctx)
    schedule.state_changed_at = now
    db.session.add(
        ScheduleLog(
            schedule_id=schedule.id,
            workflow_version=fired.version,
            actor_id=user.id,
            event="decide",
            from_state=fired.source,
            to_state=schedule.state,
            data={"number": number},
            at=now,
        )
    )
