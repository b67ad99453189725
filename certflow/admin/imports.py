"""Bulk import pages: a CSV or .xlsx file of candidates or assessors, checked row by row before anything is imported."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certflow.admin.common import dinas_admin_required, service_message
from certflow.admin.routes import bp
from certflow.core.errors import translate
from certflow.core.transaction import unit_of_work
from certflow.people import imports as service
from certflow.web.refusals import REFUSALS, as_refusal

KINDS = {
    "assessors": (service.ASSESSOR_COLUMNS, service.import_assessors, _l("Assessors")),
    "candidates": (service.CANDIDATE_COLUMNS, service.import_candidates, _l("Candidates")),
}


def _render(kind: str | None = None, *, error: str | None = None, rows=None, status: int = 200):
    return (
        render_template(
            "admin/imports.html",
            kinds=KINDS,
            failed=kind,
            error=error,
            rows=rows or [],
            indonesian={k: service.header_names(v[0], "id") for k, v in KINDS.items()},
            max_mib=service.MAX_BYTES // 2**20,
            max_rows=service.MAX_ROWS,
        ),
        status,
    )


@bp.get("/imports")
@dinas_admin_required
def imports():
    """The import page: the two kinds of file, their columns and templates."""
    return _render()


@bp.post("/imports/<kind>")
@dinas_admin_required
def import_file(kind: str):
    """Import the uploaded file: every bad row is listed (row, column, what), and then nothing is imported."""
    if kind not in KINDS:
        abort(404)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render(kind, error=_("Choose the CSV or Excel file to import."), status=422)
    data = upload.stream.read(service.MAX_BYTES + 1)
    try:
        with unit_of_work():
            imported, unchanged = KINDS[kind][1](current_user, data)
    except service.ImportRejected as exc:
        return _render(kind, error=translate(exc.message, exc.params), rows=exc.described(), status=exc.status)
    except REFUSALS as exc:
        return _render(kind, error=service_message(exc), status=as_refusal(exc).status)
    flash(
        _(
            "%(kind)s imported from %(file)s: %(imported)s new or changed, %(unchanged)s unchanged.",
            kind=KINDS[kind][2],
            file=upload.filename,
            imported=imported,
            unchanged=unchanged,
        ),
        "success",
    )
    return redirect(url_for("admin.imports"), 303)


@bp.get("/imports/<kind>/template")
@dinas_admin_required
def import_template(kind: str):
    """The header and an example row of the admin's own dinas, as a download (``format``, ``language``)."""
    fmt, language = request.args.get("format", "csv"), request.args.get("language", str(get_locale()))
    if kind not in KINDS or fmt not in service.FORMATS or language not in service.LANGUAGES:
        abort(404)
    return Response(
        service.template(KINDS[kind][0], current_user, language, fmt),
        mimetype=service.FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename={kind}-template-{language}.{fmt}"},
    )
