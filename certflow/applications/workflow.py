"""Firing workflow events on records: the one way a state ever changes.

``fire_application_event`` and ``fire_certificate_event`` check the event
with the shared engine, run the effect its definition names (registered in
``certflow.applications.effects``), and write — in the caller's
transaction — the new state, the version bump (the session's one flush), the
transition-log row and the notifications (statements built once). They flush
and never commit: the request (or task) commits once, and a concurrent
change makes that flush fail with ``StaleVersion``.
"""

from __future__ import annotations

from typing import Any

from certflow import clock
from certflow.applications.effects import run_effect
from certflow.applications.facts import ApplicationFacts, CertificateFacts
from certflow.applications.transition_log import StaleVersion, check_version, flush, write_changes, write_transition
from certflow.extensions import db
from certflow.models import Application, Certificate, User
from certflow.notifications.transitions import notify_transition
from certflow.people.policy import application_actor, certificate_actor
from workflows import Actor, engine_for
from workflows.engine import Fired
from workflows.guards import GuardContext

__all__ = ["StaleVersion", "allowed_application_events", "fire_application_event", "fire_certificate_event"]

# Guards that read only the application's own form (no event input, no query): ``allowed_events`` leaves
# out an event they refuse, so an API client is not offered ``submit`` before the form names its route.
STANDING_GUARDS = ("apl01_complete",)


def allowed_application_events(app: Application, user: User, actor: Actor) -> list[str]:
    """The events ``user`` (as ``actor``) may fire on ``app`` now, the ``STANDING_GUARDS`` checked."""
    ctx = GuardContext(facts=ApplicationFacts(app, {}, user))
    return engine_for("application").allowed_events(app.state, actor, ctx, STANDING_GUARDS)


def _cleaned(reason: Any, data: Any) -> tuple[str | None, dict]:
    """The reason (trimmed; None unless text) and the data (an empty dict unless a dict) of an event."""
    return (reason.strip() if isinstance(reason, str) else None), (data if isinstance(data, dict) else {})


def _fire(workflow: str, record, event: str, actor: Actor, facts, reason, data: dict, version: Any):
    """``(fired, now)``: the version checked, then ``event`` fired on ``record`` by the shared engine."""
    check_version(record, version)
    now = clock.now()
    ctx = GuardContext(reason=reason, data=data, now=now, day=clock.today(), facts=facts)
    return engine_for(workflow).fire(record, event, actor, ctx), now


def _logged_data(workflow: str, event: str, data: dict) -> dict:
    """The part of ``data`` the log keeps: the values of the event's own inputs."""
    names = set(engine_for(workflow).definition.event(event).input_names)
    return {k: v for k, v in data.items() if k in names}


def fire_application_event(
    app: Application,
    event: str,
    user: User | None,
    *,
    reason: str | None = None,
    data: dict | None = None,
    version: Any = None,
    notify: bool = True,
) -> Fired:
    """Fire ``event`` on ``app`` as ``user`` (None: the system); raise a ``WorkflowError`` if it may not happen.

    ``notify=False``: nobody is told of this transition (the caller tells them once for many, as a
    cancelled schedule does for the candidates it releases).
    """
    reason, data = _cleaned(reason, data)
    actor = Actor.system() if user is None else application_actor(user, app)
    fired, now = _fire("application", app, event, actor, ApplicationFacts(app, data, user), reason, data, version)
    team_before = app.team_id  # a team released or replaced still hears of it
    with db.session.no_autoflush:  # the effects' queries must not flush the application early: one UPDATE, one version
        follow_up = run_effect(app, fired, user, reason, data, now)
    app.state_changed_at = now
    write_changes(app)  # one Core UPDATE under the version check (a concurrent change: StaleVersion)
    logged = _logged_data("application", event, data)
    if follow_up is None:  # the log row and its notifications together (one statement on PostgreSQL)
        write_transition(
            fired,
            app.id,
            app.id,
            actor,
            reason,
            logged,
            now,
            notify=fired.notify if notify else None,
            application=app,
            team_ids=_teams(team_before, app),
        )
    else:  # the follow-up's rows (a certificate issued, one superseded) come after the log row
        log = write_transition(fired, app.id, app.id, actor, reason, logged, now)
        follow_up()
        db.session.flush()
        if notify:
            notify_transition(log, fired.notify, application=app, team_ids=_teams(team_before, app))
    flush()
    return fired


def _teams(team_before: int | None, app: Application) -> tuple[int, ...]:
    """The teams that hear of an event: the one it released or replaced, and the application's now."""
    return tuple(dict.fromkeys(t for t in (team_before, app.team_id) if t is not None))


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
    run_effect(cert, fired, user, reason, data, now)
    write_changes(cert)
    write_transition(
        fired,
        cert.id,
        cert.application_id,
        actor,
        reason,
        _logged_data("certificate", event, data),
        now,
        notify=fired.notify,
        certificate=cert,
    )
    flush()
    return fired
