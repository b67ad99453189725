"""The assessor's schedules: the events of their teams; the lead records attendance, holds and reports.

A schedule of a team the assessor is not on is a 404, whatever else the user may see.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from certflow.assessor.routes import bp
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Schedule, TeamMember
from certflow.people.policy import assessor_of
from certflow.schedules import operations as ops
from certflow.web.events import form_payload
from certflow.web.labels import event_label, state_label
from certflow.web.refusals import REFUSALS, refusal
from workflows import SCHEDULE

LEAD_EVENTS = ("hold", "report")


def _my_schedules():
    assessor = assessor_of(current_user)
    if assessor is None:
        return select(Schedule).where(Schedule.id.is_(None)), None
    teams = select(TeamMember.team_id).where(TeamMember.assessor_id == assessor.id)
    return select(Schedule).where(Schedule.team_id.in_(teams)), assessor


def _schedule_or_404(schedule_id: int) -> Schedule:
    stmt, _assessor = _my_schedules()
    schedule = db.session.scalar(stmt.where(Schedule.id == schedule_id))
    if schedule is None:
        abort(404)
    return schedule


@bp.get("/schedules")
def schedules():
    """The schedules of the assessor's teams, soonest first."""
    stmt, assessor = _my_schedules()
    found = list(db.session.scalars(stmt.order_by(Schedule.starts_at.desc(), Schedule.id).limit(200)))
    return render_template("assessor/schedules.html", schedules=found, assessor=assessor)


def _page(schedule: Schedule, *, error=None, failed=None, status=200):
    context = ops.page_context(schedule, current_user)
    is_lead = assessor_of(current_user).id == schedule.team.lead_id
    return (
        render_template(
            "assessor/schedule.html",
            is_lead=is_lead,
            may_record=is_lead and schedule.state in ("ready", "held"),
            error=error,
            failed=failed,
            **context,
        ),
        status,
    )


@bp.get("/schedules/<int:schedule_id>")
def schedule(schedule_id: int):
    """One schedule of the assessor's team: when, where, who; the lead's forms."""
    return _page(_schedule_or_404(schedule_id))


@bp.post("/schedules/<int:schedule_id>/attendance")
def attendance(schedule_id: int):
    """The lead records who attended (every placed candidate not ticked is absent)."""
    sch = _schedule_or_404(schedule_id)
    if assessor_of(current_user).id != sch.team.lead_id:
        abort(403)
    present = [int(v) for v in request.form.getlist("present")[:500] if v.isascii() and v.isdigit() and len(v) < 10]
    try:
        with unit_of_work():
            ops.record_attendance(sch, current_user, present, request.form.get("version") or None)
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _page(_schedule_or_404(schedule_id), error=message, failed="attendance", status=status)
    flash(_("The attendance is recorded."), "success")
    return redirect(url_for("assessor.schedule", schedule_id=schedule_id), 303)


@bp.post("/schedules/<int:schedule_id>/events/<event>")
def schedule_event(schedule_id: int, event: str):
    """The lead marks the event held, or submits the report (FR.AK.05 notes)."""
    if event not in LEAD_EVENTS:
        abort(404)
    sch = _schedule_or_404(schedule_id)
    reason, data = form_payload(SCHEDULE.event(event).inputs, request.form)
    try:
        with unit_of_work():
            ops.fire_schedule_event(
                sch, event, current_user, reason=reason, data=data, version=request.form.get("version", "")
            )
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _page(_schedule_or_404(schedule_id), error=message, failed=event, status=status)
    flash(
        _("%(event)s: done. The schedule is now “%(state)s”.", event=event_label(event), state=state_label(sch.state)),
        "success",
    )
    return redirect(url_for("assessor.schedule", schedule_id=schedule_id), 303)
