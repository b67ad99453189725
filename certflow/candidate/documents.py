"""The candidate's documents: what the scheme requires, what is uploaded and its review; upload, download, delete.

Uploads go through ``certflow.applications.documents`` (content check, size limit, random name
outside the web root). Every refusal re-renders the page with what is wrong in plain words;
a file name that climbs folders (``../``) is refused here before the service sees it.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from certflow.applications import documents as docs
from certflow.applications.operations import EDITABLE_STATES
from certflow.candidate.common import bp, own_application_or_404, own_document_or_404
from certflow.candidate.records import own_applications
from certflow.core.errors import StaleVersion, TooLarge
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application
from certflow.models.schemes import DOCUMENT_KINDS, PER_UNIT_KINDS, split_requirement_key
from certflow.people.policy import may_read_documents
from certflow.schemes.routes import required_documents
from certflow.web.errors import error_page
from certflow.web.refusals import REFUSALS, as_refusal, field_messages, refusal


def size_text(n: int) -> str:
    """A file size for people: "5 MB", "512 KB"."""
    if n >= 1024 * 1024:
        return _("%(n)s MB", n=f"{n / 1024 / 1024:.3g}")
    return _("%(n)s KB", n=f"{max(n, 1) / 1024:.3g}")


def _too_large_message() -> str:
    return _(
        "The file is larger than the limit of %(size)s. Make it smaller (for example, scan it at a lower "
        "resolution) and upload it again.",
        size=size_text(docs.max_upload_bytes()),
    )


def _documents_page(app: Application, *, errors=None, kind: str = "", unit: str = "", status: int = 200):
    uploaded = list(app.documents)
    keys = required_documents(app)
    required_kinds = [split_requirement_key(k)[0] for k in keys]
    kinds = list(dict.fromkeys(required_kinds)) + [k for k in DOCUMENT_KINDS if k not in required_kinds]
    units = app.scheme.units  # in the scheme's order
    titles = {u.code: u.title for u in units}
    return (
        render_template(
            "candidate/documents.html",
            app=app,
            required=[(k, *split_requirement_key(k), [d for d in uploaded if d.key == k]) for k in keys],
            titles=titles,
            others=[d for d in uploaded if d.key not in keys],
            kinds=kinds,
            required_kinds=set(required_kinds),
            units=units,
            editable=app.state in EDITABLE_STATES,
            errors=errors or {},
            kind=kind or request.args.get("kind", "")[:32],
            unit=unit or request.args.get("unit", "")[:40],
            limit=size_text(docs.max_upload_bytes()),
        ),
        status,
    )


@bp.get("/applications/<int:application_id>/documents")
def documents(application_id: int):
    """The scheme's required documents, what is uploaded, and its review status and note."""
    return _documents_page(own_application_or_404(application_id))


@bp.post("/applications/<int:application_id>/documents")
def upload(application_id: int):
    """Upload one document (multipart: ``kind``, ``file``; ``unit``, the code of the unit a portfolio is for)."""
    app = own_application_or_404(application_id)
    g.page_path = url_for("candidate.documents", application_id=app.id)
    kind = request.form.get("kind", "").strip()[:32]
    unit = request.form.get("unit", "").strip()[:40]
    file = request.files.get("file")
    errors = {}
    if app.state not in EDITABLE_STATES:
        errors["form"] = _("This application is no longer open to changes: documents cannot be added.")
        return _documents_page(app, errors=errors, kind=kind, unit=unit, status=409)
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = _("Choose what kind of document this is.")
    elif kind in PER_UNIT_KINDS and not unit:
        errors["unit"] = _("Choose the competency unit this portfolio is for.")
    elif kind not in PER_UNIT_KINDS and unit:
        errors["unit"] = _("Only a portfolio is uploaded for a competency unit: choose no unit for this document.")
    if file is None or not file.filename:
        errors["file"] = _("Choose the file to upload.")
    elif docs.names_a_path(file.filename):
        errors["file"] = _(
            "The file name “%(name)s” points into other folders; rename the file (letters, digits, dots) "
            "and upload it again.",
            name=file.filename[:120],
        )
    if errors:
        return _documents_page(app, errors=errors, kind=kind, unit=unit, status=422)
    doc = None
    try:
        with unit_of_work():
            doc = docs.upload_document(app, current_user, kind, file, unit or None)
    except BaseException as exc:
        if doc is not None:  # stored, but the record was not kept
            docs.remove_stored_file(doc.stored_name)
        if not isinstance(exc, REFUSALS):
            raise
        if isinstance(exc, StaleVersion):
            message, status = refusal(exc)
            return _documents_page(own_application_or_404(application_id), errors={"form": message}, status=status)
        errors = {"file": _too_large_message()} if isinstance(exc, TooLarge) else field_messages(exc)
        return _documents_page(app, errors=errors, kind=kind, unit=unit, status=as_refusal(exc).status)
    flash(_("%(name)s is uploaded; the dinas will review it.", name=doc.filename), "success")
    return redirect(url_for("candidate.documents", application_id=app.id), 303)


@bp.errorhandler(413)
def _request_too_large(exc):
    """A body over the server's limit is never read: the documents page says so, as for any too-large file."""
    application_id = (request.view_args or {}).get("application_id")
    if request.endpoint != "candidate.upload" or not current_user.is_authenticated or application_id is None:
        return exc
    db.session.rollback()
    app = db.session.scalar(own_applications(current_user).where(Application.id == application_id))
    if app is None:  # (an error handler must not raise: not the candidate's, so "not found")
        return error_page(NotFound())
    g.page_path = url_for("candidate.documents", application_id=app.id)
    return _documents_page(app, errors={"file": _too_large_message()}, status=413)


@bp.get("/documents/<int:document_id>/file")
def download(document_id: int):
    """One of the candidate's own documents, as a download."""
    doc = own_document_or_404(document_id)
    response = docs.file_response(doc) if may_read_documents(current_user, doc.application) else None
    if response is None:
        abort(404)
    return response


@bp.post("/documents/<int:document_id>/delete")
def delete(document_id: int):
    """Remove a document while the application is a draft or back for revision."""
    doc = own_document_or_404(document_id)
    app = doc.application
    application_id = app.id
    try:
        with unit_of_work():
            stored_name = docs.delete_document(doc, current_user)
    except REFUSALS as exc:
        g.page_path = url_for("candidate.documents", application_id=application_id)
        message, status = refusal(exc)
        return _documents_page(own_application_or_404(application_id), errors={"form": message}, status=status)
    docs.remove_stored_file(stored_name)
    flash(_("The document is deleted."), "success")
    return redirect(url_for("candidate.documents", application_id=app.id), 303)
