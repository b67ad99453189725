"""Pages of certifiers: the plenary decision of reported schedules, and the schedule's printed forms.

The list shows the reported schedules to decide; a schedule's page shows a line per candidate (their
attendance and the team's recommendation), the members, number and date; every refused line is shown
beside its candidate, and nothing is decided while any is refused (``record_plenary``).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from certflow.certifier.routes import bp
from certflow.core.converters import as_id
from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Attendance, PlenaryDecision, Schedule, User, UserRole
from certflow.printing.schedule_forms import FORMS, schedule_form
from certflow.schedules.plenary import record_plenary
from certflow.schedules.plenary_access import get_visible_schedule
from certflow.web.util import page_number

PER_PAGE = 20


@bp.get("/plenary")
def plenary_list():
    """The reported schedules waiting for the plenary decision, the earliest event first."""
    stmt = select(Schedule).where(Schedule.state == "reported")
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(), pages)
    schedules = db.session.scalars(
        stmt.order_by(Schedule.starts_at, Schedule.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    counts = dict(
        db.session.execute(
            select(Application.schedule_id, func.count())
            .where(Application.schedule_id.in_([s.id for s in schedules] or [0]))
            .group_by(Application.schedule_id)
        ).all()
    )
    return render_template(
        "certifier/plenary_list.html", schedules=schedules, counts=counts, total=total, page=page, pages=pages
    )


def _schedule_or_404(schedule_id: int) -> Schedule:
    schedule = get_visible_schedule(current_user, schedule_id)
    if schedule is None:
        abort(404)
    return schedule


def _page(schedule: Schedule, *, error=None, refused=None, values=None, status=200):
    apps = db.session.scalars(
        select(Application).where(Application.schedule_id == schedule.id).order_by(Application.id)
    ).all()
    present = dict(
        db.session.execute(
            select(Attendance.application_id, Attendance.present).where(Attendance.schedule_id == schedule.id)
        ).all()
    )
    certifiers = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "certifier").order_by(User.name)
    ).all()
    decision = db.session.scalar(select(PlenaryDecision).where(PlenaryDecision.schedule_id == schedule.id))
    values = values or {"members": {str(current_user.id)}}
    return (
        render_template(
            "certifier/plenary.html",
            schedule=schedule,
            apps=apps,
            present=present,
            certifiers=certifiers,
            decision=decision,
            forms=FORMS,
            error=error,
            refused=refused or {},
            values=values,
        ),
        status,
    )


@bp.get("/plenary/<int:schedule_id>")
def plenary(schedule_id: int):
    """A schedule's plenary: the form to decide it (reported), or the decision taken (decided)."""
    return _page(_schedule_or_404(schedule_id))


@bp.post("/plenary/<int:schedule_id>")
def plenary_record(schedule_id: int):
    """Record the decision: one line per candidate, all or nothing."""
    schedule = _schedule_or_404(schedule_id)
    form = request.form
    app_ids = [v for v in form.getlist("application") if as_id(v)]
    lines = [
        {
            "application": int(a),
            "decision": form.get(f"decision-{a}", ""),
            "reason": form.get(f"reason-{a}", "").strip() or None,
        }
        for a in app_ids
    ]
    members = [as_id(m) for m in form.getlist("members") if as_id(m)]
    values = {
        "number": form.get("number", ""),
        "date": form.get("date", ""),
        "members": {str(m) for m in members},
        "lines": {str(ln["application"]): ln for ln in lines},
    }
    try:
        with unit_of_work():
            record_plenary(schedule, current_user, form.get("number", ""), form.get("date", ""), members, lines)
    except AppError as exc:
        db.session.rollback()
        g.page_path = url_for(".plenary", schedule_id=schedule_id)
        refused = {r["application"]: r["message"] for r in exc.attach.get("lines", [])}
        schedule = _schedule_or_404(schedule_id)
        return _page(schedule, error=exc.text(), refused=refused, values=values, status=exc.status)
    flash(_("The plenary decision is recorded."), "success")
    return redirect(url_for(".plenary", schedule_id=schedule_id), 303)


@bp.get("/plenary/<int:schedule_id>/forms/<form>")
def plenary_form(schedule_id: int, form: str):
    """A form of the schedule as a PDF (attendance, berita acara, FR.AK.05, the decision)."""
    schedule = _schedule_or_404(schedule_id)
    if form not in FORMS:
        abort(404)
    try:
        pdf = schedule_form(schedule, form)
    except AppError:
        abort(409)
    return send_file(
        pdf, mimetype="application/pdf", as_attachment=True, download_name=f"jadwal-{schedule.id}-{form}.pdf"
    )
