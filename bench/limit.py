"""The limit: an endpoint doing only the minimal SQL of a transition, in the same application.

``POST /bench/limit/<id>`` with ``{"event", "reason"}`` moves the application from the event's
source state to its destination, as the real ``POST /api/v1/applications/<id>/events`` does:
one UPDATE of state and version (checked against the state, as the optimistic lock would),
one INSERT of the transition-log row, one INSERT of the outbox row, one COMMIT. No token, no
access check, no guard, no response body beyond the new state: what no implementation of a
transition can do without. Registered only by ``bench.app`` when ``BENCH_LIMIT_ENDPOINT`` is on.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import insert, text

from certflow import clock
from certflow.extensions import csrf, db
from certflow.models import OutboxMessage, TransitionLog
from workflows import APPLICATION

bp = Blueprint("bench_limit", __name__, url_prefix="/bench")

_UPDATE = text(
    "UPDATE applications SET state = :dest, version = version + 1, state_changed_at = :now, updated_at = :now "
    "WHERE id = :id AND state = :source RETURNING candidate_id"
)


@bp.post("/limit/<int:app_id>")
def limit(app_id: int):
    """Fire ``event`` on the application with nothing but the SQL a transition must write."""
    data = request.get_json(silent=True) or {}
    ev = APPLICATION.event(str(data.get("event")))
    if ev is None:
        return jsonify({"error": "unknown event"}), 400
    route = ev.routes[0]
    now = clock.now()
    candidate_id = db.session.execute(
        _UPDATE, {"dest": route.dest, "now": now, "id": app_id, "source": route.source}
    ).scalar()
    if candidate_id is None:
        db.session.rollback()
        return jsonify({"error": "invalid transition"}), 409
    log_id = db.session.execute(
        insert(TransitionLog)
        .values(
            workflow=APPLICATION.name,
            workflow_version=APPLICATION.version,
            subject_id=app_id,
            application_id=app_id,
            actor_id=None,
            event=ev.name,
            from_state=route.source,
            to_state=route.dest,
            reason=data.get("reason"),
            at=now,
        )
        .returning(TransitionLog.id)
    ).scalar()
    db.session.execute(
        insert(OutboxMessage).values(
            key=f"transition:{log_id}:{candidate_id}",
            recipient_id=candidate_id,
            event=ev.name,
            workflow=APPLICATION.name,
            application_id=app_id,
            payload={"from": route.source, "to": route.dest, "reason": data.get("reason")},
            status="pending",
            attempts=0,
            created_at=now,
        )
    )
    db.session.commit()
    return jsonify({"id": app_id, "state": route.dest})


def register(app: Flask) -> None:
    """Add the limit endpoint to ``app`` (the benchmark's servers only)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
