"""API: the summary report of the caller's scope (see ../shared/API.md)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import false, select

from certflow.api import bp
from certflow.api.auth import current_api_user, require_role
from certflow.api.errors import ApiError
from certflow.extensions import db
from certflow.models import Dinas, Province
from certflow.services.access import dinas_scope, in_dinas_scope
from certflow.services.reports import scope_dinas_ids, summary


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
    everything = bool(user.roles & {"admin", "certifier"})
    base = None
    if not everything:
        base = dinas_scope(user)
        if base is None:  # a dinas admin attached to no dinas administers nothing
            base = select(Dinas.id).where(false())
    dinas_id, province_id = _id_arg("dinas"), _id_arg("province")
    if dinas_id is not None:
        dinas = db.session.get(Dinas, dinas_id)
        if dinas is None or not (everything or in_dinas_scope(user, dinas)):
            raise _not_found()
    if province_id is not None:
        province = db.session.get(Province, province_id)
        # A kab/kota admin may narrow to its own province: the figures stay those of its own dinas.
        if province is None or not (everything or (user.dinas is not None and user.dinas.province_id == province.id)):
            raise _not_found()
    scope = scope_dinas_ids(base=base, dinas_id=dinas_id, province_id=province_id)
    body = summary(scope)
    body["scope"] = {"dinas": dinas_id, "province": province_id, "dinas_count": None if scope is None else len(scope)}
    return jsonify(body)
