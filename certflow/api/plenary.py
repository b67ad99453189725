"""API: the plenary decision of a schedule and the schedule's printed forms (../shared/API.md)."""

from __future__ import annotations

from flask import send_file

from certflow.api import bp
from certflow.api.auth import current_api_user
from certflow.api.errors import ApiError
from certflow.api.schemas import plenary as s
from certflow.api.spec import answer, body, operation
from certflow.core.transaction import unit_of_work
from certflow.printing.schedule_forms import FORMS, schedule_form
from certflow.schedules.plenary import record_plenary
from certflow.schedules.plenary_access import get_visible_schedule
from workflows.guards import N_

TAG = "Schedules"


def decision_out(record) -> s.PlenaryOut:
    return s.PlenaryOut(
        id=record.id,
        schedule=record.schedule_id,
        number=record.number,
        date=record.decided_on,
        members=[m.user_id for m in record.member_rows],
        lines=[
            s.PlenaryLineOut(application=ln.application_id, decision=ln.decision, reason=ln.reason)
            for ln in record.lines
        ],
    )


@bp.post("/schedules/<int:schedule_id>/decision")
@operation(json=s.PlenaryIn, resp=s.PlenaryOut, ok=201, errors=(403, 404, 409), tag=TAG)
def plenary_decision(schedule_id: int):
    """Record the plenary decision of a reported schedule (certifier): certify or decline each line, all or nothing."""
    user = current_api_user()
    data = body()
    with unit_of_work():
        schedule = get_visible_schedule(user, schedule_id)
        if schedule is None:
            raise ApiError(404, "not_found", N_("Not found."))
        record = record_plenary(
            schedule,
            user,
            data.number,
            data.date,
            list(data.members),
            [line.model_dump() for line in data.lines],
        )
        out = decision_out(record)
    return answer(out, 201)


@bp.get("/schedules/<int:schedule_id>/forms/<form>")
@operation(content="application/pdf", errors=(404, 409), tag=TAG)
def schedule_form_pdf(schedule_id: int, form: str):
    """A form of the schedule as a PDF in Indonesian: attendance, berita-acara, ak-05 or decision.

    For those who may see the schedule; 409 ``form_not_ready`` while the record it prints does not exist yet.
    """
    schedule = get_visible_schedule(current_api_user(), schedule_id)
    if schedule is None or form not in FORMS:
        raise ApiError(404, "not_found", N_("Not found."))
    pdf = schedule_form(schedule, form)
    return send_file(
        pdf, mimetype="application/pdf", as_attachment=True, download_name=f"jadwal-{schedule.id}-{form}.pdf"
    )
