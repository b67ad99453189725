"""Tokens, the current caller, and the request helpers every API module uses."""

from __future__ import annotations

from flask import g, request, send_file
from flask_babel import gettext
from sqlalchemy import func, select

from certflow.api import bp
from certflow.api.errors import ApiError
from certflow.api.schemas.common import PageQuery
from certflow.api.schemas.reference import Credentials, MeOut, TokenOut
from certflow.api.spec import answer, body, operation
from certflow.core.paging import page_rows
from certflow.core.schemas import json_object
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.people.sessions import revoke_token
from certflow.people.signin import sign_in
from certflow.security import issue_token, user_for_token
from workflows.guards import N_

PUBLIC_ENDPOINTS = {
    "api.create_token",
    "api.public_certificate",
    "api.openapi_document",
    "api.certificate_credential",
    "api.status_list",
    "api.issuer",
    "api.eligibility_check",
}


@bp.before_request
def _authenticate():
    """Every API call but the public ones needs ``Authorization: Bearer <token>``."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS" or request.endpoint is None:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and "\x00" not in token else None
    if user is None:
        raise ApiError(401, "unauthorized", N_("A valid bearer token is required."))
    g.api_user = user
    g.api_token = token.strip()
    return None


def current_api_user():
    """The authenticated caller of this API request."""
    return g.api_user


def json_body() -> dict:
    """The request's JSON object, or a 400 ``bad_request`` (a NUL in any text: 422)."""
    return json_object()


def require_role(*roles: str) -> None:
    """403 unless the caller holds one of ``roles``."""
    if not (current_api_user().roles & set(roles)):
        raise ApiError(403, "forbidden", gettext("Your role may not do this."))


def paginate(stmt, paging: PageQuery, *, order=None, options=()):
    """Run ``stmt`` for one page: ``(items, total, page, per_page)`` from the validated ``?page=&per_page=``.

    With ``order`` (and ``options``, the rows' loader options), the page is chosen on the
    statement's table alone before its rows are loaded with their joins (``page_rows``).
    """
    page, per_page = paging.page, paging.per_page
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    if order is None:
        items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    else:
        items = page_rows(stmt, order, per_page, (page - 1) * per_page, *options)
    return items, total, page, per_page


@bp.post("/auth/tokens")
@operation(json=Credentials, resp=TokenOut, ok=201, errors=(401, 429), public=True, tag="Authentication")
def create_token():
    """Exchange an e-mail and password for a bearer token (failed attempts limited as the login page's)."""
    data = body()
    user = sign_in(data.email, data.password)
    if user is None:
        raise ApiError(401, "invalid_credentials", N_("Wrong e-mail or password."))
    token, row = issue_token(user)
    db.session.commit()
    return answer(TokenOut(token=token, expires_at=row.expires_at), 201)


@bp.delete("/auth/tokens/current")
@operation(ok=204, tag="Authentication")
def revoke_current_token():
    """Revoke the calling token: it stops working at once."""
    with unit_of_work():
        revoke_token(g.api_token)
    return "", 204


@bp.get("/me")
@operation(resp=MeOut, tag="Authentication")
def me():
    """The caller: id, e-mail, name, roles and dinas."""
    user = current_api_user()
    dinas = {"id": user.dinas.id, "name": user.dinas.name} if user.dinas else None
    return answer(
        MeOut(id=user.id, email=user.email, name=user.name, roles=sorted(user.roles), locale=user.locale, dinas=dinas)
    )


@bp.get("/me/export")
@operation(content="application/zip", tag="Authentication")
def export_me():
    """Everything certflow holds about the caller (DOMAIN.md rule 8): a zip of JSON files and their uploads."""
    from certflow.privacy.export import export_name, export_zip

    user = current_api_user()
    response = send_file(
        export_zip(user), mimetype="application/zip", as_attachment=True, download_name=export_name(user)
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
