"""What the certifier's pages show: the whole record of an application, and the queues' facts in batches.

The engine decides whether this certifier may decide (``independent``) or handle an appeal
(``appeal_handler``); ``involvement`` only says *why not* for a whole page of a queue at once,
with the same rules as ``policy.application_actor`` (``policy.took_part``), so that the queue can say it up front.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from certflow.assessment.scoring import declarations
from certflow.assessor.sheet import build_sheet
from certflow.extensions import db
from certflow.models import Appeal, Application, Assessor, TransitionLog, User
from certflow.people.policy import application_actor, took_part
from workflows import APPLICATION, engine_for


def _events_for(relation: str) -> tuple[str, ...]:
    """The application events a certifier fires with ``relation`` to the record, from the definition."""
    return tuple(ev.name for ev in APPLICATION.events if any(p.relation == relation for p in ev.who))


DECISION_EVENTS = _events_for("independent")  # certify, decline, return the assessment
APPEAL_EVENTS = _events_for("appeal_handler")  # uphold or dismiss an appeal
CERTIFIER_EVENTS = DECISION_EVENTS + APPEAL_EVENTS
# The events whose decision can be appealed (DOMAIN.md): a rejection or a BK decision.
APPEALABLE_DECISIONS = ("reject", "decline")


def involvement(user: User, apps: list[Application]) -> dict[int, str | None]:
    """Per application, why ``user`` may not decide on it — ``own``, ``team``, ``scored`` (scored or declared)
    — or None (two queries)."""
    assessor_id = db.session.scalar(select(Assessor.id).where(Assessor.user_id == user.id))
    scored = took_part(assessor_id, [a.id for a in apps])  # the rule of ``application_actor``
    result = {}
    for a in apps:
        if a.candidate_id == user.id:
            result[a.id] = "own"
        elif assessor_id is not None and a.team is not None and assessor_id in a.team.member_ids:
            result[a.id] = "team"
        elif a.id in scored:
            result[a.id] = "scored"
        else:
            result[a.id] = None
    return result


def open_appeals(apps: list[Application]) -> dict[int, dict]:
    """Per application under appeal: its open appeal, who took the decision appealed and why (three queries)."""
    ids = [a.id for a in apps]
    if not ids:
        return {}
    appeals = {
        a.application_id: a
        for a in db.session.scalars(
            select(Appeal).where(Appeal.application_id.in_(ids), Appeal.state == "open").order_by(Appeal.id)
        )
    }
    decisions: dict[int, TransitionLog] = {}
    for log in db.session.scalars(
        select(TransitionLog)
        .where(
            TransitionLog.application_id.in_(ids),
            TransitionLog.workflow == "application",
            TransitionLog.event.in_(APPEALABLE_DECISIONS),
        )
        .order_by(TransitionLog.id)
    ):
        decisions[log.application_id] = log  # the last one wins
    deciders = {a.decision_by_id for a in appeals.values() if a.decision_by_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(deciders))).all()) if deciders else {}
    return {
        app_id: {
            "appeal": appeal,
            "decision": decisions.get(app_id),
            "decided_by": names.get(appeal.decision_by_id),
        }
        for app_id, appeal in appeals.items()
    }


def blocked_reason(app: Application, user: User, relations: frozenset[str]) -> str | None:
    """Why the certifier sees no decision buttons on a record waiting for one (None: nothing blocks them)."""
    if app.state == "assessed" and "independent" not in relations:
        return "own" if app.candidate_id == user.id else "involved"
    if app.state == "under_appeal" and "appeal_handler" not in relations:
        return "decider" if app.decided_by_id == user.id else ("own" if app.candidate_id == user.id else "involved")
    return None


def record_context(app: Application, user: User) -> dict:
    """The whole record on one page: form, documents, team, scores, recommendation, appeals, history."""
    actor = application_actor(user, app)
    events = [e for e in engine_for("application").allowed_events(app.state, actor) if e in CERTIFIER_EVENTS]
    history = db.session.scalars(
        select(TransitionLog)
        .options(joinedload(TransitionLog.actor).lazyload(User.role_rows))
        .where(TransitionLog.application_id == app.id)
        .order_by(TransitionLog.at, TransitionLog.id)
    ).all()
    members = []
    if app.team is not None:
        declared = declarations(app)
        members = [
            {
                "name": row.assessor.user.name,
                "dinas": row.assessor.dinas.name,
                "lead": row.assessor_id == app.team.lead_id,
                "declared": declared.get(row.assessor_id),
            }
            for row in sorted(app.team.member_rows, key=lambda r: (r.assessor_id != app.team.lead_id, r.assessor_id))
        ]
    appeals = open_appeals([app]) if app.state == "under_appeal" else {}
    return {
        "app": app,
        "events": events,
        "blocked": blocked_reason(app, user, actor.relations),
        "history": history,
        "documents": app.documents,
        "members": members,
        "sheet": build_sheet(app, app.team.lead_id if app.team else None, side_by_side=True),
        "appeal": appeals.get(app.id),
        "certificate": app.certificate,
    }
