"""API: the plenary decision of a schedule (see ../shared/API.md "Plenary decision")."""

from __future__ import annotations

from certflow.api import bp
from certflow.api.auth import current_api_user
from certflow.api.errors import ApiError
from certflow.api.schemas import plenary as s
from certflow.api.spec import answer, body, operation
from certflow.core.transaction import unit_of_work
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
