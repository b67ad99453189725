"""Answers built from the records through the schemas (``certflow.api.schemas``): applications, documents, history."""

from __future__ import annotations

from certflow.api.schemas.applications import (
    ApplicationOut,
    ApplicationSummary,
    ApplicationTeam,
    CertificateBrief,
    DocumentOut,
    HistoryEntry,
    SchemeRef,
    TeamMemberOut,
)
from certflow.api.schemas.common import Ref
from certflow.applications.workflow import allowed_application_events
from certflow.assessment.scoring import declarations
from certflow.models import Application, Document, TransitionLog, User
from certflow.people.policy import application_actor, may_see_recommendation, shown_apl01


def _ref(obj) -> Ref | None:
    return Ref(id=obj.id, name=obj.name) if obj is not None else None


def _summary_fields(app: Application) -> dict:
    return {
        "id": app.id,
        "state": app.state,
        "version": app.version,
        "scheme": SchemeRef(code=app.scheme.code, name=app.scheme.name),
        "candidate": _ref(app.candidate),
        "dinas": _ref(app.dinas),
        "created_at": app.created_at,
        "updated_at": app.updated_at,
        "state_changed_at": app.state_changed_at,
    }


def application_summary(app: Application) -> ApplicationSummary:
    """An application in a list: no query beyond the eager-loaded scheme, candidate and dinas."""
    return ApplicationSummary(**_summary_fields(app))


def document_out(doc: Document) -> DocumentOut:
    """A document's metadata (the file itself is at ``/documents/<id>/file``)."""
    return DocumentOut(
        id=doc.id,
        kind=doc.kind,
        unit=doc.unit.code if doc.unit is not None else None,
        filename=doc.filename,
        content_type=doc.content_type,
        size=doc.size,
        status=doc.status,
        note=doc.note,
        uploaded_at=doc.uploaded_at,
        reviewed_at=doc.reviewed_at,
    )


def _team(app: Application) -> ApplicationTeam | None:
    team = app.team
    if team is None:
        return None
    declared = declarations(app)
    members = []
    for row in sorted(team.member_rows, key=lambda r: (r.assessor_id != team.lead_id, r.assessor_id)):
        decl = declared.get(row.assessor_id)
        members.append(
            TeamMemberOut(
                id=row.assessor_id,
                name=row.assessor.user.name,
                lead=row.assessor_id == team.lead_id,
                conflict_declared=None if decl is None else decl.conflict,
            )
        )
    lead = next((m for m in members if m.lead), None)
    return ApplicationTeam(
        id=team.id, name=team.name, lead=Ref(id=lead.id, name=lead.name) if lead else None, members=members
    )


def application_detail(app: Application, user: User) -> ApplicationOut:
    """One application as ``user`` may see it: the recommendation is left out for dinas admins (rule 6).

    Every field is given, but the recommendation only to those who may see it: answer it with
    ``exclude_unset`` so that the key is absent, not null, for the others.
    """
    actor = application_actor(user, app)
    cert = app.certificate
    seen = {"recommendation": app.recommendation} if may_see_recommendation(user, app, actor) else {}
    return ApplicationOut(
        **_summary_fields(app),
        **seen,
        allowed_events=allowed_application_events(app, user, actor),
        certificate=None
        if cert is None
        else CertificateBrief(
            number=cert.number, status=cert.status, issued_on=cert.issued_on, expires_on=cert.expires_on
        ),
        renews=app.previous_certificate.number if app.previous_certificate_id else None,
        apl01=shown_apl01(user, app),
        revision_reason=app.revision_reason,
        revision_deadline=app.revision_deadline,
        team=_team(app),
        documents=[document_out(d) for d in app.documents],
    )


def history_entry(log: TransitionLog) -> HistoryEntry:
    """One transition: event, from, to, actor (None: the system), when, reason, workflow."""
    return HistoryEntry.model_validate(
        {
            "event": log.event,
            "from": log.from_state,
            "to": log.to_state,
            "actor": _ref(log.actor),
            "at": log.at,
            "reason": log.reason,
            "workflow": log.workflow,
            "workflow_version": log.workflow_version,
        }
    )
