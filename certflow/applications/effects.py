"""What events do to their record beyond its state, each registered under the name its definition gives.

A definition names its event's effect (``EventDef.effect``, e.g. ``"assign_team"``);
``@effect("assign_team")`` registers the function that does it. Every effect is called as
``fn(record, fired, user, reason, data, now)`` inside the event's transaction, before the state
change is flushed; it may return a follow-up (a callable taking nothing) to run once that change
is flushed — issuing a certificate needs the certified application's row. Effects flush at most
and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from certflow import clock
from certflow.applications.facts import ApplicationFacts, active_loads
from certflow.applications.transition_log import flush, log_transition
from certflow.certificates.operations import issue_certificate
from certflow.core.errors import StaleVersion
from certflow.core.transaction import lock_row
from certflow.extensions import db
from certflow.models import (
    Appeal,
    Application,
    Assessor,
    Certificate,
    ConflictDeclaration,
    Criterion,
    Score,
    Team,
    TeamMember,
    Unit,
    User,
)
from certflow.notifications.transitions import notify_transition
from certflow.people.policy import application_actor
from workflows import Actor, engine_for
from workflows.engine import Fired
from workflows.guards import GuardContext, parse_date

Effect = Callable[[Any, Fired, "User | None", "str | None", dict, datetime], "Callable[[], None] | None"]

EFFECTS: dict[str, Effect] = {}
"""Every effect, by the name the definitions use."""


def effect(name: str) -> Callable[[Effect], Effect]:
    """Register the decorated function as the effect called ``name``."""

    def register(fn: Effect) -> Effect:
        if name in EFFECTS:
            raise ValueError(f"effect {name!r} is registered twice")
        EFFECTS[name] = fn
        return fn

    return register


def run_effect(record, fired: Fired, user: User | None, reason, data: dict, now) -> Callable[[], None] | None:
    """Run the effect the fired event names (if any); its follow-up, if it has one."""
    if fired.effect is None:
        return None
    return EFFECTS[fired.effect](record, fired, user, reason, data, now)


# -- the application -------------------------------------------------------------------------


@effect("record_revision_request")
def record_revision_request(app: Application, fired, user, reason, data, now):
    """The reason and the deadline of the revision asked."""
    app.revision_reason = reason
    app.revision_deadline = parse_date(data.get("deadline"))


@effect("clear_revision_deadline")
def clear_revision_deadline(app: Application, fired, user, reason, data, now):
    """A resubmitted application has no revision deadline any more."""
    app.revision_deadline = None


@effect("record_decision")
def record_decision(app: Application, fired, user, reason, data, now):
    """Who decided, and when (the appeal window counts from it)."""
    app.decided_at = now
    app.decided_by_id = user.id if user else None


@effect("assign_team")
def assign_team(app: Application, fired, user, reason, data, now):
    """The team chosen (the guards checked it) assesses the application.

    The guards read the team's members and their loads; two assignments at once — of this team, or of
    teams sharing a member — could both pass on the same reading (READ COMMITTED). So the team's row,
    then its members' rows (in id order), are locked here and read again: a team changed meanwhile, or
    a member the other assignment took to full capacity, is a stale version (409), never a member over
    capacity.
    """
    team_id = int(data["team"])
    _recheck_team(app, team_id)
    app.team_id = team_id


def _recheck_team(app: Application, team_id: int) -> None:
    """Lock the team and its members, and refuse (``StaleVersion``) what changed since the guards read it."""
    seen = db.session.get(Team, team_id)  # the team as the guards read it, in this session
    with db.session.no_autoflush:  # the application's new state waits for its own UPDATE
        seen_ids = seen.member_ids if seen is not None else set()
        lock_row(Team.id, team_id)
        ids = sorted(db.session.scalars(select(TeamMember.assessor_id).where(TeamMember.team_id == team_id)))
        if set(ids) != seen_ids:
            raise StaleVersion()
        limits = dict(
            db.session.execute(
                select(Assessor.id, Assessor.max_load)
                .where(Assessor.id.in_(ids))
                .order_by(Assessor.id)
                .with_for_update(key_share=True)  # NO KEY UPDATE: see lock_row
            ).all()
        )
        loads = active_loads(ids)
        most = app.scheme.max_load
        if any(loads.get(i, 0) >= min(limits.get(i, most), most) for i in ids):
            raise StaleVersion()


@effect("release_team")
def release_team(app: Application, fired, user, reason, data, now):
    """The team is cleared, with the members' declarations of no conflict for this application.

    A new assignment then starts clean. A declared conflict is kept: it is a fact about the
    assessor and the candidate, and goes on blocking that assessor's assignment (rule 5).
    """
    if app.team_id is not None:
        members = select(TeamMember.assessor_id).where(TeamMember.team_id == app.team_id)
        db.session.execute(
            delete(ConflictDeclaration)
            .where(
                ConflictDeclaration.application_id == app.id,
                ConflictDeclaration.assessor_id.in_(members),
                ConflictDeclaration.conflict.is_(False),
            )
            .execution_options(synchronize_session=False)
        )
    app.team_id = None
    app.schedule_id = None  # released from its schedule too (certflow.schedules places with the team)


@effect("record_recommendation")
def record_recommendation(app: Application, fired, user, reason, data, now):
    """The team's K or BK, and the lead's notes with it (if any)."""
    app.recommendation = data["recommendation"]
    app.recommendation_notes = (data.get("recommendation_notes") or "").strip() or None


@effect("clear_recommendation")
def clear_recommendation(app: Application, fired, user, reason, data, now):
    """An assessment returned to the team has no recommendation until the lead recommends again."""
    app.recommendation = None
    app.recommendation_notes = None


@effect("certify")
def certify(app: Application, fired, user, reason, data, now):
    """The decision recorded; once the state is written, the certificate issued (and the old one superseded)."""
    record_decision(app, fired, user, reason, data, now)

    def issue() -> None:
        cert = issue_certificate(app)
        if app.previous_certificate is not None and app.previous_certificate.status in ("active", "suspended"):
            supersede_certificate(app.previous_certificate, cert)

    return issue


@effect("open_reassessment")
def open_reassessment(app: Application, fired, user, reason, data, now):
    """The BK units asked for (default: all) are assessed again: their scores go, the K units' stay."""
    units = data.get("units") or ApplicationFacts(app, data, user).bk_units
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


@effect("open_appeal")
def open_appeal(app: Application, fired, user, reason, data, now):
    """An appeal record against the decision, remembering the state appealed from."""
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


@effect("uphold_appeal")
def uphold_appeal(app: Application, fired, user, reason, data, now):
    """The appeal upheld; the application starts over from its destination: a whole new assessment."""
    _resolve_appeal(app, "uphold", user, reason, now)
    app.recommendation = None
    app.team_id = None
    app.decided_at = None
    app.reassessment_units = None
    app.appealed_from = None


@effect("dismiss_appeal")
def dismiss_appeal(app: Application, fired, user, reason, data, now):
    """The appeal dismissed; the decision appealed stands."""
    _resolve_appeal(app, "dismiss", user, reason, now)
    app.appealed_from = None


def _resolve_appeal(app: Application, event: str, user: User | None, reason, now) -> None:
    """Fire ``event`` on the application's open appeal, with its own effect and log row."""
    appeal = db.session.scalar(
        select(Appeal).where(Appeal.application_id == app.id, Appeal.state == "open").order_by(Appeal.id.desc())
    )
    if appeal is None:  # READ COMMITTED: another transaction resolved it after this one read the application
        raise StaleVersion()
    actor = application_actor(user, app)
    fired = engine_for("appeal").fire(appeal, event, actor, GuardContext(reason=reason, now=now))
    run_effect(appeal, fired, user, reason, {}, now)
    log_transition(fired, appeal.id, app.id, actor, reason, None, now)


# -- the appeal ------------------------------------------------------------------------------


@effect("resolve_appeal")
def resolve_appeal(appeal: Appeal, fired, user, reason, data, now):
    """Who handled the appeal, when, and why."""
    appeal.handled_by_id = user.id
    appeal.resolution = reason
    appeal.resolved_at = now


# -- the certificate -------------------------------------------------------------------------


@effect("suspend_certificate")
def suspend_certificate(cert: Certificate, fired, user, reason, data, now):
    """The reason and the end of the suspension."""
    cert.status_reason = reason
    cert.suspended_until = parse_date(data.get("until"))


@effect("record_status_reason")
def record_status_reason(cert: Certificate, fired, user, reason, data, now):
    """The reason of the new status; no suspension any more."""
    cert.status_reason = reason
    cert.suspended_until = None


@effect("supersede_certificate")
def record_superseding(cert: Certificate, fired, user, reason, data, now):
    """The certificate that replaces this one (``data``: its ``by`` number and ``by_id``)."""
    cert.superseded_by_id = data["by_id"]
    cert.status_reason = data["by"]


def supersede_certificate(old: Certificate, new: Certificate) -> None:
    """Recertification: the old certificate is superseded the moment the new one is issued."""
    now = clock.now()
    fired = engine_for("certificate").fire(old, "supersede", Actor.system(), GuardContext(now=now))
    run_effect(old, fired, None, None, {"by": new.number, "by_id": new.id}, now)
    flush()
    log = log_transition(fired, old.id, old.application_id, Actor.system(), None, {"by": new.number}, now)
    db.session.flush()
    notify_transition(log, fired.notify, certificate=old)
