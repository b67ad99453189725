"""API: the education-gap register's figures of the caller's scope (see ../shared/API.md)."""

from __future__ import annotations

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.errors import ApiError
from certflow.api.schemas.staff import StaffFiguresOut, StaffFiguresQuery
from certflow.api.spec import answer, operation, query
from certflow.reports.figures import OutOfScope, resolve_scope
from certflow.staff import figures as register
from workflows.guards import N_


@bp.get("/staff/figures")
@operation(query=StaffFiguresQuery, resp=StaffFiguresOut, errors=(403, 404), tag="Reports")
def staff_figures():
    """The register's counts: peksos/kesos background or not, who could apply now by which route, who needs what.

    System admins and certifiers see the whole region; a dinas admin its scope (a province's admin,
    the whole province); a dinas or province outside it is a 404. Counts only: no names.
    """
    user = current_api_user()
    require_role("admin", "certifier", "dinas_admin")
    args = query()
    try:
        scope = resolve_scope(user, args.dinas, args.province)
    except OutOfScope:
        raise ApiError(404, "not_found", N_("Not found.")) from None
    counts = register.figures(register.people(scope.dinas_ids))
    for row in counts["by_dinas"]:
        row.pop("province", None)
    ids = scope.dinas_ids
    return answer(
        StaffFiguresOut(
            **counts,
            scope={"dinas": args.dinas, "province": args.province, "dinas_count": None if ids is None else len(ids)},
        )
    )
