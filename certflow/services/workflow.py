"""Firing workflow events on records: the one way a state ever changes.

``fire_application_event`` and ``fire_certificate_event`` check the event
with the shared engine, apply its effects, and write — in the caller's
transaction — the new state, the version bump, the transition-log row and the
notifications. They flush and never commit: the request (or task) commits
once, and a concurrent change makes that flush fail with ``StaleVersion``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm.exc import StaleDataError

from certflow import clock
from certflow.extensions import db
from certflow.models import Appeal, Application, Certificate, Criterion, Score, TransitionLog, Unit, User
from certflow.services.access import application_actor, certificate_actor
from certflow.services.certificates import issue_certificate
from certflow.services.facts import ApplicationFacts, CertificateFacts
from certflow.services.notify import notify_transition
from workflows import Actor, WorkflowError, engine_for
from workflows.engine import Fired
from workflows.guards import GuardContext, Msg, parse_date


class StaleVersion(WorkflowError):
    """The record changed since the caller read it."""

    code = "stale_version"

    def __init__(self):
        super().__init__(Msg("The record was changed by someone else; reload it and try again."))


def _check_version(record, version: Any) -> None:
    if version is None:
        return
    try:
        expected = int(version)
    except (TypeError, ValueError, OverflowError):
        raise StaleVersion() from None
    if expected != record.version:
        raise StaleVersion()


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleVersion() from None


def _cleaned(reason: Any, data: Any) -> tuple[str | None, dict]:
    """The reason (trimmed; None unless text) and the data (an empty dict unless a dict) of an event."""
    return (reason.strip() if isinstance(reason, str) else None), (data if isinstance(data, dict) else {})


def _fire(workflow: str, record, event: str, actor: Actor, facts, reason, data: dict, version: Any):
    """``(fired, now)``: the version checked, then ``event`` fired on ``record`` by the shared engine."""
    _check_version(record, version)
    now = clock.now()
    ctx = GuardContext(reason=reason, data=data, now=now, day=clock.today(), facts=facts)
    return engine_for(workflow).fire(record, event, actor, ctx), now


def _log(fired: Fired, subject_id: int, application_id: int | None, actor: Actor, reason, data, at) -> TransitionLog:
    log = TransitionLog(
        workflow=fired.workflow,
        workflow_version=fired.version,
        subject_id=subject_id,
        application_id=application_id,
        actor_id=actor.id,
        event=fired.event,
        from_state=fired.source,
        to_state=fired.dest,
        reason=(reason or None),
        data=data or None,
        at=at,
    )
    db.session.add(log)
    return log


def _application_effects(app: Application, fired: Fired, user: User | None, reason, data: dict, now) -> None:
    """What an event does to the application beyond its state."""
    event = fired.event
    if event == "request_revision":
        app.revision_reason = reason
        app.revision_deadline = parse_date(data.get("deadline"))
    elif event == "resubmit":
        app.revision_deadline = None
    elif event in ("reject", "decline"):
        app.decided_at = now
        app.decided_by_id = user.id if user else None
    elif event == "assign_team":
        app.team_id = int(data["team"])
    elif event == "recommend":
        app.recommendation = data["recommendation"]
    elif event == "return_assessment":
        app.recommendation = None
    elif event == "certify":
        app.decided_at = now
        app.decided_by_id = user.id if user else None
    elif event == "request_reassessment":
        facts = ApplicationFacts(app, data, user)
        units = data.get("units") or facts.bk_units
        app.reassessment_units = units
        criteria = (
            select(Criterion.id)
            .join(Unit, Unit.id == Criterion.unit_id)
            .where(Criterion.scheme_id == app.scheme_id, Unit.code.in_(units))
        )
        db.session.execute(
            delete(Score)
            .where(Score.application_id == app.id, Score.criterion_id.in_(criteria))
            .execution_options(synchronize_session=False)
        )
        app.recommendation = None
        app.team_id = None
    elif event == "appeal":
        app.appealed_from = fired.source
        db.session.add(
            Appeal(
                application_id=app.id,
                appealed_from=fired.source,
                reason=reason,
                decision_by_id=app.decided_by_id,
                created_at=now,
            )
        )
    elif event in ("uphold_appeal", "dismiss_appeal"):
        _resolve_appeal(app, "uphold" if event == "uphold_appeal" else "dismiss", user, reason, now)
        if event == "uphold_appeal":
            app.recommendation = None
            app.team_id = None
            app.decided_at = None
            app.reassessment_units = None  # an upheld appeal means a whole new assessment
        app.appealed_from = None


def _resolve_appeal(app: Application, event: str, user: User | None, reason, now) -> None:
    appeal = db.session.scalar(
        select(Appeal).where(Appeal.application_id == app.id, Appeal.state == "open").order_by(Appeal.id.desc())
    )
    actor = application_actor(user, app)
    fired = engine_for("appeal").fire(appeal, event, actor, GuardContext(reason=reason, now=now))
    appeal.handled_by_id = user.id
    appeal.resolution = reason
    appeal.resolved_at = now
    _log(fired, appeal.id, app.id, actor, reason, None, now)


def fire_application_event(
    app: Application,
    event: str,
    user: User | None,
    *,
    reason: str | None = None,
    data: dict | None = None,
    version: Any = None,
) -> Fired:
    """Fire ``event`` on ``app`` as ``user`` (None: the system); raise a ``WorkflowError`` if it may not happen."""
    reason, data = _cleaned(reason, data)
    actor = Actor.system() if user is None else application_actor(user, app)
    fired, now = _fire("application", app, event, actor, ApplicationFacts(app, data, user), reason, data, version)
    with db.session.no_autoflush:  # the effects' queries must not flush the application early: one UPDATE, one version
        _application_effects(app, fired, user, reason, data, now)
    app.state_changed_at = now
    log_data = {
        k: v for k, v in data.items() if k in ("team", "deadline", "recommendation", "units", "override_reason")
    }
    log = _log(fired, app.id, app.id, actor, reason, log_data, now)
    _flush()  # the UPDATE (a concurrent change fails it: StaleVersion), then the log row
    if event == "certify":
        cert = issue_certificate(app)
        if app.previous_certificate is not None and app.previous_certificate.status in ("active", "suspended"):
            supersede_certificate(app.previous_certificate, cert)
    db.session.flush()
    notify_transition(log, fired.notify, application=app)
    _flush()
    return fired


def supersede_certificate(old: Certificate, new: Certificate) -> None:
    """Recertification: the old certificate is superseded the moment the new one is issued."""
    now = clock.now()
    fired = engine_for("certificate").fire(old, "supersede", Actor.system(), GuardContext(now=now))
    old.superseded_by_id = new.id
    old.status_reason = new.number
    _flush()
    log = _log(fired, old.id, old.application_id, Actor.system(), None, {"by": new.number}, now)
    db.session.flush()
    notify_transition(log, fired.notify, certificate=old)


def fire_certificate_event(
    cert: Certificate,
    event: str,
    user: User | None,
    *,
    reason: str | None = None,
    data: dict | None = None,
    version: Any = None,
) -> Fired:
    """Fire a lifecycle event (suspend, reinstate, withdraw, expire) on a certificate."""
    reason, data = _cleaned(reason, data)
    actor = Actor.system() if user is None else certificate_actor(user)
    fired, now = _fire("certificate", cert, event, actor, CertificateFacts(cert), reason, data, version)
    cert.status_reason = reason
    cert.suspended_until = parse_date(data.get("until")) if event == "suspend" else None
    _flush()
    until = {"until": data.get("until")} if event == "suspend" else None
    log = _log(fired, cert.id, cert.application_id, actor, reason, until, now)
    db.session.flush()
    notify_transition(log, fired.notify, certificate=cert)
    _flush()
    return fired
