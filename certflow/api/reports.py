"""API: the summary report of the caller's scope (see ../shared/API.md)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.errors import ApiError
from certflow.services.reports import OutOfScope, resolve_scope, summary


def _id_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(
            422, "validation_error", gettext("%(field)s must be a whole number (an id).", field=name)
        ) from None


def _not_found() -> ApiError:
    return ApiError(404, "not_found", gettext("Not found."))


@bp.get("/reports/summary")
def report_summary():
    """The figures of the caller's scope, optionally narrowed to one dinas or province.

    System admins and certifiers see everything; a dinas admin sees its scope
    (a province's admin, the whole province); a dinas or province outside it is a 404.
    """
    user = current_api_user()
    require_role("admin", "certifier", "dinas_admin")
    dinas_id, province_id = _id_arg("dinas"), _id_arg("province")
    try:
        scope = resolve_scope(user, dinas_id, province_id)
    except OutOfScope:
        raise _not_found() from None
    ids = scope.dinas_ids
    body = summary(ids)
    body["scope"] = {"dinas": dinas_id, "province": province_id, "dinas_count": None if ids is None else len(ids)}
    return jsonify(body)
