"""The whole certification journey through the services, on a real database."""

from sqlalchemy import func, select

from certflow.models import Certificate, Notification, OutboxMessage, TransitionLog
from workflows import APPLICATION


def test_main_path_reaches_certified_with_log_and_notifications(world, db):
    app = world.new_application()
    world.advance(app, "certified")

    logs = db.session.scalars(
        select(TransitionLog).where(TransitionLog.application_id == app.id).order_by(TransitionLog.id)
    ).all()
    assert [log.event for log in logs] == [
        "submit",
        "approve",
        "assign_team",
        "start_assessment",
        "recommend",
        "certify",
    ]
    assert logs[0].from_state == "draft" and logs[-1].to_state == "certified"
    assert all(log.workflow_version == APPLICATION.version for log in logs)
    assert app.version == 10  # created at 1, six transitions, the agreement written and signed twice

    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))
    assert cert.status == "active"
    assert cert.holder_name == "Siti Candidate"
    assert cert.expires_on.year == cert.issued_on.year + 5
    assert [u["code"] for u in cert.units] == ["PSG.U1", "PSG.U2"]

    # the candidate heard of every transition, and of the agreement to sign; the e-mails wait in the outbox
    n = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == world.candidate.id)
    )
    assert n == 7
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 6


def test_transition_log_is_append_only(world, db):
    import pytest

    app = world.new_application()
    world.advance(app, "submitted")
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.application_id == app.id))
    log.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.application_id == app.id))
    db.session.delete(log)
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
