"""The written test as the team sees it: the lead draws it, the result, the essays to score K or BK.

Only an assessor on the application's team reaches these pages (anyone else: 404). Never a key:
the team sees which answers were right and the count, not which choice is the key.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certflow.assessment import written_tests as service
from certflow.assessor.routes import bp
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Application
from certflow.people.policy import team_assessor
from certflow.web.refusals import REFUSALS, refusal


def _load(application_id: int):
    app = db.session.get(Application, application_id)
    assessor = team_assessor(current_user, app) if app is not None else None
    if assessor is None:
        abort(404)
    return app, assessor


def _page(app, assessor, *, error=None, status=200):
    test = service.tests_of([app.id]).get(app.id)
    return (
        render_template(
            "assessor/written_test.html",
            app=app,
            test=test,
            view=service.view(test, "team") if test is not None else None,
            is_lead=app.team.lead_id == assessor.id,
            error=error,
        ),
        status,
    )


@bp.get("/applications/<int:application_id>/written-test")
def written_test(application_id: int):
    """The candidate's written test: draw one (the lead), follow it, score its essays."""
    return _page(*_load(application_id))


@bp.post("/applications/<int:application_id>/written-test")
def draw_written_test(application_id: int):
    """The lead draws a test from the scheme's bank."""
    app, assessor = _load(application_id)
    try:
        with unit_of_work():
            service.draw_test(app, current_user)
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _page(*_load(application_id), error=message, status=status)
    flash(_("A written test is drawn. The candidate can take it now."), "success")
    return redirect(url_for("assessor.written_test", application_id=application_id), 303)


@bp.post("/applications/<int:application_id>/written-test/essays")
def score_written_essays(application_id: int):
    """Score the essays K or BK (``e-<question id>``)."""
    app, assessor = _load(application_id)
    test = service.tests_of([app.id]).get(app.id)
    if test is None:
        abort(404)
    scores = [
        {"question": row.question_id, "result": request.form.get(f"e-{row.question_id}")}
        for row in test.answers
        if row.question.kind == "essay" and request.form.get(f"e-{row.question_id}")
    ]
    try:
        with unit_of_work():
            service.score_essays(test, app, current_user, scores)
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _page(*_load(application_id), error=message, status=status)
    flash(_("The essay results are saved."), "success")
    return redirect(url_for("assessor.written_test", application_id=application_id), 303)
