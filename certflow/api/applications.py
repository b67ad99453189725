"""API: applications, their form, self-assessment, documents, events, history and assessment.

Each view loads the record through ``access`` (a record the caller may not
see is a 404), calls one service, and commits once; the services decide who
may change what and validate input.
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defaultload, joinedload

from certflow.api import bp
from certflow.api.auth import current_api_user, paginate, require_role
from certflow.api.errors import ApiError
from certflow.api.schemas import applications as s
from certflow.api.serialize import application_detail, application_summary, document_out, history_entry
from certflow.api.spec import answer, body, operation, query
from certflow.applications import documents as docs
from certflow.applications import operations as apps
from certflow.applications.workflow import fire_application_event
from certflow.assessment import scoring
from certflow.core.schemas import invalid
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Dinas, Document, Scheme, TransitionLog, User
from certflow.people import policy
from certflow.people.policy import CANDIDATE_ROLES_ON_DEMAND, get_visible_application, visible_applications
from workflows import APPLICATION
from workflows.guards import N_

TAG = "Applications"
NOT_FOUND = N_("Not found.")


# The certificate and the documents are part of every application the API returns: loaded with it.
# The candidate's own dinas is not (the application's dinas is): read only if ever needed.
ANSWER_LOADS = (
    joinedload(Application.certificate),
    joinedload(Application.documents),
    defaultload(Application.candidate).lazyload(User.dinas),
    defaultload(Application.dinas).lazyload(Dinas.province),  # the answer names the dinas, not its province
)


def _load(app_id: int) -> Application:
    app = get_visible_application(current_api_user(), app_id, *ANSWER_LOADS)
    if app is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return app


def _load_document(doc_id: int) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None or get_visible_application(current_api_user(), doc.application_id) is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return doc


def _detail(app: Application, status: int = 200):
    return answer(application_detail(app, current_api_user()), status, exclude_unset=True)


# -- applications ------------------------------------------------------------------------------


@bp.post("/applications")
@operation(json=s.ApplicationNew, resp=s.ApplicationOut, ok=201, errors=(403, 409), tag=TAG)
def create_application():
    """A candidate opens a draft application for a scheme (``renews``: recertification)."""
    require_role("candidate")
    data = body()
    with unit_of_work():
        app = apps.create_application(current_api_user(), data.scheme, data.renews)
    response, status = _detail(app, 201)
    response.headers["Location"] = url_for("api.get_application", app_id=app.id)
    return response, status


@bp.get("/applications")
@operation(query=s.ApplicationQuery, resp=s.ApplicationPage, tag=TAG)
def list_applications():
    """The applications the caller may see, newest first, filtered and paged."""
    args = query()
    stmt = visible_applications(current_api_user())
    if args.state:
        if args.state not in APPLICATION.states:
            raise invalid({"state": _("must be one of %(states)s", states=", ".join(APPLICATION.states))})
        stmt = stmt.where(Application.state == args.state)
    if args.scheme:
        stmt = stmt.where(Application.scheme_id.in_(select(Scheme.id).where(Scheme.code == args.scheme)))
    if args.dinas:
        stmt = stmt.where(Application.dinas_id == args.dinas)
    items, total, page, per_page = paginate(
        stmt, args, order=(Application.created_at.desc(), Application.id.desc()), options=(CANDIDATE_ROLES_ON_DEMAND,)
    )
    items = [application_summary(a) for a in items]
    return answer(s.ApplicationPage(items=items, total=total, page=page, per_page=per_page))


@bp.get("/applications/<int:app_id>")
@operation(resp=s.ApplicationOut, errors=(404,), tag=TAG)
def get_application(app_id: int):
    """One application, with the events the caller may fire now."""
    return _detail(_load(app_id))


@bp.put("/applications/<int:app_id>/apl01")
@operation(json=s.Apl01, resp=s.ApplicationOut, errors=(403, 404, 409), tag=TAG)
def put_apl01(app_id: int):
    """The owner saves APL-01 fields (draft or revision_requested)."""
    app = _load(app_id)
    data = body()
    with unit_of_work():
        apps.update_apl01(app, current_api_user(), data.model_dump(mode="json", exclude_unset=True))
    return _detail(app)


@bp.get("/applications/<int:app_id>/self-assessment")
@operation(resp=s.SelfAssessmentOut, errors=(403, 404), tag=TAG)
def get_self_assessment(app_id: int):
    """The APL-02 claims saved so far."""
    return answer(s.SelfAssessmentOut(**apps.self_assessment(_load(app_id))))


@bp.put("/applications/<int:app_id>/self-assessment")
@operation(json=s.SelfAssessmentIn, resp=s.SelfAssessmentOut, errors=(403, 404, 409), tag=TAG)
def put_self_assessment(app_id: int):
    """The owner saves APL-02 claims, all or part of them."""
    app = _load(app_id)
    answers = body().model_dump(mode="json", exclude_unset=True)["answers"]
    with unit_of_work():
        result = apps.save_self_assessment(app, current_api_user(), answers)
    return answer(s.SelfAssessmentOut(**result, version=app.version))


@bp.post("/applications/<int:app_id>/events")
@operation(json=s.EventIn, resp=s.ApplicationOut, errors=(403, 404, 409), tag=TAG)
def fire_event(app_id: int):
    """Fire a workflow event; the engine decides (403 / 409 / 422 ``guard_failed``)."""
    app = _load(app_id)
    data = body()
    event, reason, payload, version = data.event, data.reason, data.data, data.version
    if not event.strip():
        raise invalid({"event": _("give the name of an event")})
    with unit_of_work():
        fired = fire_application_event(
            app, event.strip(), current_api_user(), reason=reason, data=payload, version=version
        )
        # The application after the transition, read before the commit would expire it all: only what
        # can have changed behind a relationship already loaded is read again — the team (the effects
        # set its id) and, once certified, the certificate just issued.
        db.session.expire(app, ["team", "certificate"] if fired.dest == "certified" else ["team"])
        detail = application_detail(app, current_api_user())
    return answer(detail, exclude_unset=True)


@bp.get("/applications/<int:app_id>/history")
@operation(resp=list[s.HistoryEntry], errors=(404,), tag=TAG)
def get_history(app_id: int):
    """Every transition of the application (and of its appeals and certificate), oldest first."""
    app = _load(app_id)
    logs = db.session.scalars(
        select(TransitionLog).where(TransitionLog.application_id == app.id).order_by(TransitionLog.id)
    )
    return answer([history_entry(log) for log in logs])


# -- documents -----------------------------------------------------------------------------------


@bp.post("/applications/<int:app_id>/documents")
@operation(multipart=s.DocumentUpload, resp=s.DocumentOut, ok=201, errors=(400, 403, 404, 409, 413), tag=TAG)
def upload_document(app_id: int):
    """The owner uploads a document (multipart ``kind``, ``file``; ``unit`` for a portfolio)."""
    app = _load(app_id)
    if request.mimetype != "multipart/form-data":
        raise ApiError(400, "bad_request", N_("Send the document as multipart/form-data with fields kind and file."))
    doc = None
    try:
        with unit_of_work():
            doc = docs.upload_document(
                app, current_api_user(), request.form.get("kind"), request.files.get("file"), request.form.get("unit")
            )
    except Exception:
        if doc is not None:
            docs.remove_stored_file(doc.stored_name)
        raise
    return answer(document_out(doc), 201)


@bp.get("/documents/<int:doc_id>/file")
@operation(content=tuple(docs.EXTENSIONS), errors=(404,), tag=TAG)
def download_document(doc_id: int):
    """The file, as an attachment, for the owner, its dinas admins, its team and certifiers."""
    doc = _load_document(doc_id)
    response = docs.file_response(doc) if policy.may_read_documents(current_api_user(), doc.application) else None
    if response is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return response


@bp.patch("/documents/<int:doc_id>")
@operation(json=s.DocumentReview, resp=s.DocumentOut, errors=(403, 404, 409), tag=TAG)
def review_document(doc_id: int):
    """A dinas admin marks a document valid or invalid (with a note) while the application is submitted."""
    doc = _load_document(doc_id)
    data = body()
    with unit_of_work():
        docs.review_document(doc, current_api_user(), data.status, data.note)
    return answer(document_out(doc))


@bp.delete("/documents/<int:doc_id>")
@operation(ok=204, errors=(403, 404, 409), tag=TAG)
def delete_document(doc_id: int):
    """The owner removes a document while editing the application."""
    doc = _load_document(doc_id)
    with unit_of_work():
        stored_name = docs.delete_document(doc, current_api_user())
    docs.remove_stored_file(stored_name)
    return "", 204


# -- the assessment ------------------------------------------------------------------------------


@bp.post("/applications/<int:app_id>/conflict-declaration")
@operation(json=s.ConflictIn, resp=s.ConflictOut, errors=(403, 404, 409), tag=TAG)
def declare_conflict(app_id: int):
    """A member of the assigned team declares (no) conflict of interest, while team_assigned."""
    app = _load(app_id)
    data = body().model_dump(mode="json", exclude_unset=True)
    with unit_of_work():
        row = scoring.declare_conflict(app, current_api_user(), data)
    return answer(
        s.ConflictOut(assessor=row.assessor_id, conflict=row.conflict, note=row.note, declared_at=row.declared_at)
    )


@bp.put("/applications/<int:app_id>/scores")
@operation(json=s.ScoresIn, resp=s.ScoresOut, errors=(403, 404, 409), tag=TAG)
def put_scores(app_id: int):
    """A member of the assigned team records their scores, while in_assessment."""
    app = _load(app_id)
    scores = body().model_dump(mode="json", exclude_unset=True)["scores"]
    with unit_of_work():
        result = scoring.save_scores(app, current_api_user(), scores)
    return answer(s.ScoresOut(items=result, version=app.version))


@bp.get("/applications/<int:app_id>/scores")
@operation(resp=s.ScoresOut, errors=(403, 404), tag=TAG)
def get_scores(app_id: int):
    """Every member's scores, grouped by assessor: for the team and certifiers only (rule 6)."""
    app = _load(app_id)
    if not policy.may_see_scores(current_api_user(), app):
        raise ApiError(403, "forbidden", N_("Only the assessor team and certifiers may see scores."))
    return answer(s.ScoresOut(items=scoring.scores_by_assessor(app)))
