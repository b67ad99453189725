"""API: applications, their form, self-assessment, documents, events, history and assessment.

Each view loads the record through ``access`` (a record the caller may not
see is a 404), calls one service, and commits once; the services decide who
may change what and validate input.
"""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import defaultload, joinedload

from certflow.api import bp
from certflow.api.auth import current_api_user, json_body, paginate, require_role
from certflow.api.errors import ApiError
from certflow.api.serialize import application_detail, application_summary, document_json, history_json, iso
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, Document, Scheme, TransitionLog, User
from certflow.people import policy
from certflow.services import applications as apps
from certflow.services import documents as docs
from certflow.services import scoring
from certflow.services.access import CANDIDATE_ROLES_ON_DEMAND, get_visible_application, visible_applications
from certflow.services.workflow import fire_application_event
from workflows import APPLICATION

REASON_MAX = 2000


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", f"{field}: {message}", fields=[field])


def _load(app_id: int) -> Application:
    # The certificate and the documents are part of every application the API returns: loaded with it.
    # The candidate's own dinas is not (the application's dinas is): read only if ever needed.
    app = get_visible_application(
        current_api_user(),
        app_id,
        joinedload(Application.certificate),
        joinedload(Application.documents),
        defaultload(Application.candidate).lazyload(User.dinas),
    )
    if app is None:
        raise ApiError(404, "not_found", _("Not found."))
    return app


def _load_document(doc_id: int) -> Document:
    doc = db.session.get(Document, doc_id)
    if doc is None or get_visible_application(current_api_user(), doc.application_id) is None:
        raise ApiError(404, "not_found", _("Not found."))
    return doc


def _detail(app: Application):
    return jsonify(application_detail(app, current_api_user()))


# -- applications ------------------------------------------------------------------------------


@bp.post("/applications")
def create_application():
    """A candidate opens a draft application for a scheme (``renews``: recertification)."""
    require_role("candidate")
    data = json_body()
    apps.reject_unknown(data, ("scheme", "renews"))
    with unit_of_work():
        app = apps.create_application(current_api_user(), data.get("scheme"), data.get("renews"))
    response = _detail(app)
    response.headers["Location"] = url_for("api.get_application", app_id=app.id)
    return response, 201


@bp.get("/applications")
def list_applications():
    """The applications the caller may see, newest first, filtered and paged."""
    stmt = visible_applications(current_api_user())
    args = request.args
    if args.get("state"):
        if args["state"] not in APPLICATION.states:
            raise _invalid("state", _("must be one of %(states)s", states=", ".join(APPLICATION.states)))
        stmt = stmt.where(Application.state == args["state"])
    if args.get("scheme"):
        stmt = stmt.where(Application.scheme_id.in_(select(Scheme.id).where(Scheme.code == args["scheme"])))
    if args.get("dinas"):
        if not args["dinas"].isdigit():
            raise _invalid("dinas", _("must be a dinas id"))
        stmt = stmt.where(Application.dinas_id == int(args["dinas"]))
    items, total, page, per_page = paginate(
        stmt, order=(Application.created_at.desc(), Application.id.desc()), options=(CANDIDATE_ROLES_ON_DEMAND,)
    )
    return jsonify(
        {"items": [application_summary(a) for a in items], "total": total, "page": page, "per_page": per_page}
    )


@bp.get("/applications/<int:app_id>")
def get_application(app_id: int):
    """One application, with the events the caller may fire now."""
    return _detail(_load(app_id))


@bp.put("/applications/<int:app_id>/apl01")
def put_apl01(app_id: int):
    """The owner saves APL-01 fields (draft or revision_requested)."""
    app = _load(app_id)
    data = json_body()
    with unit_of_work():
        apps.update_apl01(app, current_api_user(), data)
    return _detail(app)


@bp.get("/applications/<int:app_id>/self-assessment")
def get_self_assessment(app_id: int):
    """The APL-02 claims saved so far."""
    return jsonify(apps.self_assessment(_load(app_id)))


@bp.put("/applications/<int:app_id>/self-assessment")
def put_self_assessment(app_id: int):
    """The owner saves APL-02 claims, all or part of them."""
    app = _load(app_id)
    data = json_body()
    apps.reject_unknown(data, ("answers",))
    with unit_of_work():
        result = apps.save_self_assessment(app, current_api_user(), data.get("answers"))
    result["version"] = app.version
    return jsonify(result)


@bp.post("/applications/<int:app_id>/events")
def fire_event(app_id: int):
    """Fire a workflow event; the engine decides (403 / 409 / 422 ``guard_failed``)."""
    app = _load(app_id)
    data = json_body()
    apps.reject_unknown(data, ("event", "reason", "data", "version"))
    event, reason, payload, version = data.get("event"), data.get("reason"), data.get("data"), data.get("version")
    if not isinstance(event, str) or not event.strip():
        raise _invalid("event", _("give the name of an event"))
    if reason is not None and (not isinstance(reason, str) or len(reason) > REASON_MAX):
        raise _invalid("reason", _("must be text of at most %(n)s characters", n=REASON_MAX))
    if payload is not None and not isinstance(payload, dict):
        raise _invalid("data", _("must be an object"))
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise _invalid("version", _("must be a whole number"))
    with unit_of_work():
        fired = fire_application_event(
            app, event.strip(), current_api_user(), reason=reason, data=payload, version=version
        )
        # The application after the transition, read before the commit would expire it all: only what
        # can have changed behind a relationship already loaded is read again — the team (the effects
        # set its id) and, once certified, the certificate just issued.
        db.session.expire(app, ["team", "certificate"] if fired.dest == "certified" else ["team"])
        body = application_detail(app, current_api_user())
    return jsonify(body)


@bp.get("/applications/<int:app_id>/history")
def get_history(app_id: int):
    """Every transition of the application (and of its appeals and certificate), oldest first."""
    app = _load(app_id)
    logs = db.session.scalars(
        select(TransitionLog).where(TransitionLog.application_id == app.id).order_by(TransitionLog.id)
    )
    return jsonify([history_json(log) for log in logs])


# -- documents -----------------------------------------------------------------------------------


@bp.post("/applications/<int:app_id>/documents")
def upload_document(app_id: int):
    """The owner uploads a document (multipart ``kind``, ``file``)."""
    app = _load(app_id)
    if request.mimetype != "multipart/form-data":
        raise ApiError(400, "bad_request", _("Send the document as multipart/form-data with fields kind and file."))
    doc = None
    try:
        with unit_of_work():
            doc = docs.upload_document(app, current_api_user(), request.form.get("kind"), request.files.get("file"))
    except Exception:
        if doc is not None:
            docs.remove_stored_file(doc.stored_name)
        raise
    return jsonify(document_json(doc)), 201


@bp.get("/documents/<int:doc_id>/file")
def download_document(doc_id: int):
    """The file, as an attachment, for the owner, its dinas admins, its team and certifiers."""
    doc = _load_document(doc_id)
    response = docs.file_response(doc) if policy.may_read_documents(current_api_user(), doc.application) else None
    if response is None:
        raise ApiError(404, "not_found", _("Not found."))
    return response


@bp.patch("/documents/<int:doc_id>")
def review_document(doc_id: int):
    """A dinas admin marks a document valid or invalid (with a note) while the application is submitted."""
    doc = _load_document(doc_id)
    data = json_body()
    apps.reject_unknown(data, ("status", "note"))
    with unit_of_work():
        docs.review_document(doc, current_api_user(), data.get("status"), data.get("note"))
    return jsonify(document_json(doc))


@bp.delete("/documents/<int:doc_id>")
def delete_document(doc_id: int):
    """The owner removes a document while editing the application."""
    doc = _load_document(doc_id)
    with unit_of_work():
        stored_name = docs.delete_document(doc, current_api_user())
    docs.remove_stored_file(stored_name)
    return "", 204


# -- the assessment ------------------------------------------------------------------------------


@bp.post("/applications/<int:app_id>/conflict-declaration")
def declare_conflict(app_id: int):
    """A member of the assigned team declares (no) conflict of interest, while team_assigned."""
    app = _load(app_id)
    data = json_body()
    with unit_of_work():
        row = scoring.declare_conflict(app, current_api_user(), data)
    return jsonify(
        {"assessor": row.assessor_id, "conflict": row.conflict, "note": row.note, "declared_at": iso(row.declared_at)}
    )


@bp.put("/applications/<int:app_id>/scores")
def put_scores(app_id: int):
    """A member of the assigned team records their scores, while in_assessment."""
    app = _load(app_id)
    data = json_body()
    apps.reject_unknown(data, ("scores",))
    with unit_of_work():
        result = scoring.save_scores(app, current_api_user(), data.get("scores"))
    return jsonify({"items": result, "version": app.version})


@bp.get("/applications/<int:app_id>/scores")
def get_scores(app_id: int):
    """Every member's scores, grouped by assessor: for the team and certifiers only (rule 6)."""
    app = _load(app_id)
    if not policy.may_see_scores(current_api_user(), app):
        raise ApiError(403, "forbidden", _("Only the assessor team and certifiers may see scores."))
    return jsonify({"items": scoring.scores_by_assessor(app)})
