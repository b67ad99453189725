"""API: bulk import of assessors and candidates from CSV or .xlsx, and the files' templates."""

from __future__ import annotations

from flask import Response, request
from flask_babel import get_locale

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.errors import ApiError, translate
from certflow.api.schemas.activity import CsvUpload, ImportResult, TemplateQuery
from certflow.api.spec import answer, operation, query
from certflow.core.transaction import unit_of_work
from certflow.people import imports as service
from workflows.guards import N_

ADMIN_ROLES = ("dinas_admin", "admin")
KINDS = {
    "assessors": (service.ASSESSOR_COLUMNS, service.import_assessors),
    "candidates": (service.CANDIDATE_COLUMNS, service.import_candidates),
}


def _upload() -> bytes:
    """The bytes of the multipart ``file``, read no further than the size cap."""
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(
            422, "validation_error", N_("Send the CSV or .xlsx file as the multipart field 'file'."), fields=["file"]
        )
    return upload.stream.read(service.MAX_BYTES + 1)


@bp.post("/imports/assessors", defaults={"kind": "assessors"})
@bp.post("/imports/candidates", defaults={"kind": "candidates"})
@operation(multipart=CsvUpload, resp=ImportResult, errors=(403, 413), tag="Imports")
def import_people(kind: str):
    """Import a CSV of people: every row is checked first; one bad row and nothing is imported."""
    require_role(*ADMIN_ROLES)
    importer = KINDS[kind][1]
    try:
        with unit_of_work():
            imported, unchanged = importer(current_api_user(), _upload())
    except service.ImportRejected as exc:
        rows = [
            {
                "line": line,
                "reason": "; ".join(f"{column}: {text}" if column else text for column, text in problems),
                "problems": [{"column": column, "message": text} for column, text in problems],
            }
            for line, problems in exc.described()
        ]
        raise ApiError(422, "validation_error", translate(exc.message, exc.params), rows=rows) from None
    return answer(ImportResult(imported=imported, unchanged=unchanged))


@bp.get("/imports/assessors/template", defaults={"kind": "assessors"})
@bp.get("/imports/candidates/template", defaults={"kind": "candidates"})
@operation(query=TemplateQuery, content=tuple(service.FORMATS.values()), errors=(403,), tag="Imports")
def import_template(kind: str):
    """The header and an example row, as a download: ``format`` csv or xlsx, ``language`` en or id (default: yours)."""
    require_role(*ADMIN_ROLES)
    args = query()
    language = args.language or (str(get_locale()) if str(get_locale()) in service.LANGUAGES else "en")
    data = service.template(KINDS[kind][0], current_api_user(), language, args.format)
    return Response(
        data,
        mimetype=service.FORMATS[args.format],
        headers={"Content-Disposition": f"attachment; filename={kind}-template-{language}.{args.format}"},
    )
