"""The candidate's record pages: the FR.AK.01 agreement to read and sign, the FR.AK.03 feedback.

A refused save re-renders the form with every message summarised at the top and what was typed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from certflow.assessment import agreements
from certflow.assessment import records as recs
from certflow.candidate.common import bp, own_application_or_404
from certflow.core.transaction import unit_of_work
from certflow.web.refusals import REFUSALS, field_messages, refusal

METHOD_LABELS = {
    "observation": _l("Observation"),
    "portfolio": _l("Portfolio"),
    "interview": _l("Interview"),
    "written": _l("Written test"),
}
EXPIRED = _l("The form has expired; send it again.")


class RecordForm(FlaskForm):
    """The CSRF token of the record forms (their fields are drawn by the templates)."""


# -- FR.AK.01 -------------------------------------------------------------------------------------


def _agreement_page(app, *, problems=None, status=200):
    agreement = agreements.agreement_of(app)
    titles = {u.code: u.title for u in agreements.scheme_units(app)} if agreement else {}
    return (
        render_template(
            "candidate/agreement.html",
            app=app,
            form=RecordForm(),
            agreement=agreement,
            titles=titles,
            method_labels=METHOD_LABELS,
            may_sign=agreement is not None
            and app.state == agreements.AGREEMENT_STATE
            and agreement.signed_by_candidate_at is None,
            problems=problems or [],
        ),
        status,
    )


@bp.get("/applications/<int:application_id>/agreement")
def agreement(application_id: int):
    """FR.AK.01 as the lead wrote it: what will be assessed, when and where; sign it."""
    return _agreement_page(own_application_or_404(application_id))


@bp.post("/applications/<int:application_id>/agreement/sign")
def sign_agreement(application_id: int):
    """The candidate signs the terms as written."""
    app = own_application_or_404(application_id)
    if not RecordForm().validate():
        return _agreement_page(app, problems=[str(EXPIRED)], status=400)
    try:
        with unit_of_work():
            agreements.sign_agreement(app, current_user)
    except REFUSALS as exc:
        message, status = refusal(exc)
        return _agreement_page(own_application_or_404(application_id), problems=[message], status=status)
    flash(_("You signed the assessment agreement."), "success")
    return redirect(url_for(".agreement", application_id=app.id), 303)


# -- FR.AK.03 -------------------------------------------------------------------------------------


def _feedback_page(app, *, values=None, problems=None, status=200):
    if values is None:
        row = recs.feedback_of(app)
        values = {
            "answers": {a["item"]: a for a in (row.answers if row else [])},
            "comments": row.comments if row else "",
            "given": row is not None,
        }
    return (
        render_template(
            "candidate/feedback.html",
            app=app,
            form=RecordForm(),
            questions=list(enumerate(recs.FEEDBACK_QUESTIONS, 1)),
            values=values,
            open=recs.may_give_feedback(app),
            problems=problems or [],
        ),
        status,
    )


@bp.route("/applications/<int:application_id>/feedback", methods=["GET", "POST"])
def feedback(application_id: int):
    """FR.AK.03: the ten questions, each yes or no with a comment, once the assessment is over."""
    app = own_application_or_404(application_id)
    if request.method == "GET":
        return _feedback_page(app)
    answers, problems = {}, []
    for n, question in enumerate(recs.FEEDBACK_QUESTIONS, 1):
        choice = request.form.get(f"answer-{n}")
        comment = request.form.get(f"comment-{n}", "")
        answers[n] = {"item": n, "answer": {"yes": True, "no": False}.get(choice), "comment": comment}
        if choice not in ("yes", "no"):
            problems.append(_("Answer question %(n)s: %(question)s", n=n, question=question))
    values = {"answers": answers, "comments": request.form.get("comments", ""), "given": False}
    if not RecordForm().validate():
        return _feedback_page(app, values=values, problems=[str(EXPIRED)], status=400)
    if problems:
        return _feedback_page(app, values=values, problems=problems, status=422)
    try:
        with unit_of_work():
            recs.save_feedback(app, current_user, {"answers": list(answers.values()), "comments": values["comments"]})
    except REFUSALS as exc:
        _message, status = refusal(exc)
        problems = list(field_messages(exc).values())
        return _feedback_page(own_application_or_404(application_id), values=values, problems=problems, status=status)
    flash(_("Thank you: your feedback is recorded."), "success")
    return redirect(url_for(".feedback", application_id=app.id), 303)
