"""The pages every user shares: home, the application page and its actions, the workflow diagrams."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from certflow.core.paging import page_rows
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application, TransitionLog, User
from certflow.people.policy import (
    CANDIDATE_ROLES_ON_DEMAND,
    application_actor,
    get_visible_application,
    may_see_form,
    visible_applications,
)
from certflow.printing.application_forms import FORM_TITLES, FORMS, FormNotReady, render_form
from certflow.web.diagram import draw
from certflow.web.events import actions, fire_from_form
from certflow.web.labels import workflow_label
from certflow.web.util import LANGUAGES, home_endpoint, page_number, safe_next
from workflows import APPLICATION, DEFINITIONS, engine_for

bp = Blueprint("web", __name__)

from certflow.web import context, errors, nav  # noqa: E402,F401  (filters, error pages, headers, navigation)

PER_PAGE = 20


@bp.get("/")
def index():
    """Home: a short landing page for visitors; the applications the user may see otherwise."""
    if not current_user.is_authenticated:
        return render_template("web/landing.html")
    if home_endpoint(current_user) != "web.index":
        get_locale()  # a ?lang= asked for on the way is kept for the page it lands on
        return redirect(url_for(home_endpoint(current_user)))
    state = request.args.get("state") or None
    if state not in APPLICATION.states:
        state = None
    stmt = visible_applications(current_user)
    if state:
        stmt = stmt.where(Application.state == state)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_number(), pages)
    order = (Application.created_at.desc(), Application.id.desc())
    items = page_rows(stmt, order, PER_PAGE, (page - 1) * PER_PAGE, CANDIDATE_ROLES_ON_DEMAND)
    return render_template(
        "web/index.html",
        applications=items,
        total=total,
        page=page,
        pages=pages,
        state=state,
        states=APPLICATION.states,
    )


def _visible_or_404(application_id: int) -> Application:
    app = get_visible_application(current_user, application_id)
    if app is None:
        abort(404)
    return app


def _render_application(app: Application, *, error=None, failed=None, values=None, status=200):
    """The application page; after a refused event, its message and what the user typed."""
    actor = application_actor(current_user, app)
    engine = engine_for("application")
    history = db.session.scalars(
        select(TransitionLog)
        .options(joinedload(TransitionLog.actor).lazyload(User.role_rows))
        .where(TransitionLog.application_id == app.id)
        .order_by(TransitionLog.at, TransitionLog.id)
    ).all()
    return (
        render_template(
            "web/application.html",
            app=app,
            history=history,
            documents=app.documents,
            certificate=app.certificate,
            actions=actions(engine.definition, app, current_user, engine.allowed_events(app.state, actor)),
            diagram=draw(engine.definition, app.state, title=_("Where this application is in its workflow")),
            actor=actor,
            forms=[(key, label) for key, label in FORM_TITLES.items() if may_see_form(current_user, app, key, actor)],
            error=error,
            failed=failed,
            values=values or {},
        ),
        status,
    )


@bp.get("/applications/<int:application_id>/forms/<form>")
@login_required
def application_form(application_id: int, form: str):
    """A printed form of the application (PDF, in Indonesian) for those who may see it; before its
    record exists, back to the application page with a message."""
    app = _visible_or_404(application_id)
    if form not in FORMS:
        abort(404)
    if not may_see_form(current_user, app, form):
        abort(403)
    try:
        pdf, filename = render_form(app, form, current_user)
    except FormNotReady as exc:
        flash(exc.text(), "error")
        return redirect(url_for(".application", application_id=app.id), 303)
    response = send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    """One application: its details, history, documents, the workflow, and the user's actions."""
    return _render_application(_visible_or_404(application_id))


@bp.post("/applications/<int:application_id>/events/<event>")
@login_required
def fire_event(application_id: int, event: str):
    """Fire ``event`` from a button of the application page (the engine decides who may)."""
    app = _visible_or_404(application_id)

    def rerender(**page):
        return _render_application(_visible_or_404(application_id), **page)

    return fire_from_form(app, event, current_user, "web.application", rerender)


@bp.get("/workflows")
def workflows():
    """Every workflow, drawn (public)."""
    return render_template("web/workflows.html", definitions=list(DEFINITIONS.values()))


@bp.get("/workflows/<name>")
def workflow(name: str):
    """One workflow drawn from its definition, with a table of its events (public)."""
    definition = DEFINITIONS.get(name)
    if definition is None:
        abort(404)
    current = request.args.get("state")
    current = current if current in definition.states else None
    return render_template(
        "web/workflow.html",
        definition=definition,
        diagram=draw(definition, current, title=workflow_label(definition.name)),
    )


@bp.post("/language")
def set_language():
    """Switch the language; a logged-in user's choice is kept in their profile."""
    lang = request.form.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated:
            with unit_of_work():
                current_user.locale = lang
    return redirect(safe_next(request.form.get("next")), 303)
