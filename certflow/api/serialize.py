"""JSON shapes of applications, documents and the transition history (API.md)."""

from __future__ import annotations

from datetime import date, datetime

from certflow.models import Application, Document, TransitionLog, User
from certflow.people.policy import may_see_recommendation
from certflow.services.access import application_actor
from certflow.services.scoring import declarations
from workflows import engine_for


def iso(value: date | datetime | None) -> str | None:
    """An ISO 8601 string, or None."""
    return value.isoformat() if value is not None else None


def _ref(obj) -> dict | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def application_summary(app: Application) -> dict:
    """An application in a list: no query beyond the eager-loaded scheme, candidate and dinas."""
    return {
        "id": app.id,
        "state": app.state,
        "version": app.version,
        "scheme": {"code": app.scheme.code, "name": app.scheme.name},
        "candidate": _ref(app.candidate),
        "dinas": _ref(app.dinas),
        "created_at": iso(app.created_at),
        "updated_at": iso(app.updated_at),
        "state_changed_at": iso(app.state_changed_at),
    }


def document_json(doc: Document) -> dict:
    """A document's metadata (the file itself is at ``/documents/<id>/file``)."""
    return {
        "id": doc.id,
        "kind": doc.kind,
        "filename": doc.filename,
        "content_type": doc.content_type,
        "size": doc.size,
        "status": doc.status,
        "note": doc.note,
        "uploaded_at": iso(doc.uploaded_at),
        "reviewed_at": iso(doc.reviewed_at),
    }


def _team_json(app: Application) -> dict | None:
    team = app.team
    if team is None:
        return None
    declared = declarations(app)
    members = []
    for row in sorted(team.member_rows, key=lambda r: (r.assessor_id != team.lead_id, r.assessor_id)):
        decl = declared.get(row.assessor_id)
        members.append(
            {
                "id": row.assessor_id,
                "name": row.assessor.user.name,
                "lead": row.assessor_id == team.lead_id,
                "conflict_declared": None if decl is None else decl.conflict,
            }
        )
    lead = next((m for m in members if m["lead"]), None)
    return {
        "id": team.id,
        "name": team.name,
        "lead": {"id": lead["id"], "name": lead["name"]} if lead else None,
        "members": members,
    }


def application_detail(app: Application, user: User) -> dict:
    """One application as ``user`` may see it: the recommendation is left out for dinas admins (rule 6)."""
    actor = application_actor(user, app)
    cert = app.certificate
    body = application_summary(app)
    body.update(
        {
            "allowed_events": engine_for("application").allowed_events(app.state, actor),
            "certificate": None
            if cert is None
            else {
                "number": cert.number,
                "status": cert.status,
                "issued_on": iso(cert.issued_on),
                "expires_on": iso(cert.expires_on),
            },
            "renews": app.previous_certificate.number if app.previous_certificate_id else None,
            "apl01": dict(app.apl01 or {}),
            "revision_reason": app.revision_reason,
            "revision_deadline": iso(app.revision_deadline),
            "team": _team_json(app),
            "documents": [document_json(d) for d in app.documents],
        }
    )
    if may_see_recommendation(user, app, actor):
        body["recommendation"] = app.recommendation
    return body


def history_json(log: TransitionLog) -> dict:
    """One transition: event, from, to, actor (None: the system), when, reason, workflow."""
    return {
        "event": log.event,
        "from": log.from_state,
        "to": log.to_state,
        "actor": _ref(log.actor),
        "at": iso(log.at),
        "reason": log.reason,
        "workflow": log.workflow,
        "workflow_version": log.workflow_version,
    }
