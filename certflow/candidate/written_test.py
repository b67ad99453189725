"""The written test as the candidate takes it: the questions (never a key), the autosave, the submit.

The form posts to this page (it works without JavaScript); ``static/written_test.js`` saves the
answers as they are typed by posting the same form in the background (``X-Autosave``, answered
with JSON). Both go through ``certflow.assessment.written_tests`` as the API does.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from certflow.assessment import written_tests as service
from certflow.candidate.common import bp, own_application_or_404
from certflow.core.transaction import unit_of_work
from certflow.web.refusals import REFUSALS, refusal


def _load(test_id: int):
    test = service.load_test(test_id)
    if test is None:
        abort(404)
    app = own_application_or_404(test.application_id)
    return test, app


def _answers(test, form) -> list[dict]:
    """The answers posted: ``q-<id>`` is a choice (its index) or an essay's text; a question not posted is left."""
    out = []
    for row in test.answers:
        name = f"q-{row.question_id}"
        if name not in form:
            continue
        value = form.get(name, "")
        if row.question.kind == "multiple_choice":
            choice = int(value) if value.isascii() and value.isdigit() and len(value) < 3 else -1
            out.append({"question": row.question_id, "choice": choice if value else None})
        else:
            out.append({"question": row.question_id, "text": value})
    return out


def _page(test, *, error=None, status=200):
    return render_template(
        "candidate/written_test.html", test=test, view=service.view(test, "candidate"), error=error
    ), status


@bp.get("/tests/<int:test_id>")
def written_test(test_id: int):
    """The test: answer until the deadline, then submit."""
    test, _app = _load(test_id)
    return _page(test)


@bp.post("/tests/<int:test_id>")
def save_written_test(test_id: int):
    """Save the answers (the autosave, or the form's buttons); ``action=submit`` also submits."""
    test, app = _load(test_id)
    autosave = request.headers.get("X-Autosave") == "1"
    try:
        with unit_of_work():
            service.save_answers(test, app, current_user, _answers(test, request.form))
            if request.form.get("action") == "submit":
                service.submit(test, app, current_user)
    except REFUSALS as exc:
        message, status = refusal(exc)
        if autosave:
            return jsonify({"saved": False, "message": message}), status
        return _page(service.load_test(test_id), error=message, status=status)
    if autosave:
        return jsonify({"saved": True, "message": _("Saved.")})
    if request.form.get("action") == "submit":
        flash(_("Your test is submitted. Your answers can no longer change."), "success")
    else:
        flash(_("Your answers are saved."), "success")
    return redirect(url_for("candidate.written_test", test_id=test_id), 303)
