"""API: the summary report of the caller's scope (see ../shared/API.md)."""

from __future__ import annotations

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.errors import ApiError
from certflow.api.schemas.activity import ReportOut, ReportQuery
from certflow.api.spec import answer, operation, query
from certflow.reports.figures import OutOfScope, resolve_scope, summary
from workflows.guards import N_


def _not_found() -> ApiError:
    return ApiError(404, "not_found", N_("Not found."))


@bp.get("/reports/summary")
@operation(query=ReportQuery, resp=ReportOut, errors=(403, 404), tag="Reports")
def report_summary():
    """The figures of the caller's scope, optionally narrowed to one dinas or province.

    System admins and certifiers see everything; a dinas admin sees its scope
    (a province's admin, the whole province); a dinas or province outside it is a 404.
    """
    user = current_api_user()
    require_role("admin", "certifier", "dinas_admin")
    args = query()
    dinas_id, province_id = args.dinas, args.province
    try:
        scope = resolve_scope(user, dinas_id, province_id)
    except OutOfScope:
        raise _not_found() from None
    ids = scope.dinas_ids
    scope = {"dinas": dinas_id, "province": province_id, "dinas_count": None if ids is None else len(ids)}
    return answer(ReportOut(**summary(ids), scope=scope))
