"""API: the records of an application's assessment (FR.AK.01, FR.AK.02, FR.AK.03) and its printed forms.

Each view loads the application through ``access`` (one the caller may not see is a 404), calls
one operation of ``certflow.assessment`` and commits once; who may see a form is decided in
``certflow.people.policy``.
"""

from __future__ import annotations

from flask import send_file

from certflow.api import bp
from certflow.api.applications import NOT_FOUND, _load
from certflow.api.auth import current_api_user
from certflow.api.errors import ApiError
from certflow.api.schemas import records as s
from certflow.api.spec import answer, body, operation
from certflow.assessment import agreements
from certflow.assessment import records as recs
from certflow.core.transaction import unit_of_work
from certflow.models import Agreement, Application, Feedback
from certflow.people import policy
from certflow.printing.application_forms import FORMS, render_form
from workflows.guards import N_

TAG = "Records"
PDF = "application/pdf"


def agreement_out(agreement: Agreement) -> s.AgreementOut:
    return s.AgreementOut(
        application=agreement.application_id,
        date=agreement.assessed_on,
        time=agreement.assessed_at.strftime("%H:%M"),
        venue=agreement.venue,
        evidence=agreement.evidence,
        signed_by_candidate_at=agreement.signed_by_candidate_at,
        signed_by_lead_at=agreement.signed_by_lead_at,
        signed=agreement.signed,
        updated_at=agreement.updated_at,
    )


def feedback_out(row: Feedback) -> s.FeedbackOut:
    return s.FeedbackOut(
        application=row.application_id, answers=row.answers, comments=row.comments, submitted_at=row.submitted_at
    )


@bp.get("/applications/<int:app_id>/agreement")
@operation(resp=s.AgreementOut, errors=(404, 409), tag=TAG)
def get_agreement(app_id: int):
    """FR.AK.01 as written (409 ``form_not_ready`` before the lead writes it)."""
    app = _load(app_id)
    agreement = agreements.agreement_of(app, current=False)
    if agreement is None:
        raise agreements.FormNotReady(N_("The lead assessor has not written the assessment agreement yet."))
    return answer(agreement_out(agreement))


@bp.put("/applications/<int:app_id>/agreement")
@operation(json=s.AgreementIn, resp=s.AgreementOut, errors=(403, 404, 409), tag=TAG)
def put_agreement(app_id: int):
    """The lead assessor writes the terms while team_assigned; a change clears both signatures."""
    app = _load(app_id)
    data = body().model_dump(mode="json", exclude_unset=True)
    with unit_of_work():
        agreement = agreements.write_agreement(app, current_api_user(), data)
        out = agreement_out(agreement)
    return answer(out)


@bp.post("/applications/<int:app_id>/agreement/sign")
@operation(resp=s.AgreementOut, errors=(403, 404, 409), tag=TAG)
def sign_agreement(app_id: int):
    """The candidate, or the lead assessor, signs the terms as written."""
    app = _load(app_id)
    with unit_of_work():
        agreement = agreements.sign_agreement(app, current_api_user())
        out = agreement_out(agreement)
    return answer(out)


@bp.get("/applications/<int:app_id>/unit-records")
@operation(resp=s.UnitRecordsOut, errors=(403, 404), tag=TAG)
def get_unit_records(app_id: int):
    """FR.AK.02 of every unit: for the candidate, the team, certifiers and system admins (rule 6)."""
    app = _load(app_id)
    if not policy.may_see_recommendation(current_api_user(), app):
        raise ApiError(403, "forbidden", N_("Only the candidate, the assessor team and certifiers see this record."))
    return answer(s.UnitRecordsOut(items=recs.unit_records(app)))


@bp.put("/applications/<int:app_id>/unit-records")
@operation(json=s.UnitRecordsIn, resp=s.UnitRecordsOut, errors=(403, 404, 409), tag=TAG)
def put_unit_records(app_id: int):
    """The lead writes the methods used and the feedback per unit, while in_assessment."""
    app = _load(app_id)
    records = body().model_dump(mode="json", exclude_unset=True)["records"]
    with unit_of_work():
        items = recs.save_unit_records(app, current_api_user(), records)
    return answer(s.UnitRecordsOut(items=items))


@bp.put("/applications/<int:app_id>/feedback")
@operation(json=s.FeedbackIn, resp=s.FeedbackOut, errors=(403, 404, 409), tag=TAG)
def put_feedback(app_id: int):
    """The candidate's FR.AK.03 (the ten questions, items 1–10), once assessed or later."""
    app = _load(app_id)
    data = body().model_dump(mode="json", exclude_unset=True)
    with unit_of_work():
        row = recs.save_feedback(app, current_api_user(), data)
        out = feedback_out(row)
    return answer(out)


@bp.get("/applications/<int:app_id>/forms/<form>")
@operation(content=PDF, errors=(403, 404, 409), tag=TAG)
def get_form(app_id: int, form: str):
    """A printed form (apl-01, apl-02, ak-01, ak-02, ak-03, ia-01) as a PDF attachment, in Indonesian;
    409 ``form_not_ready`` while its record does not exist yet."""
    app: Application = _load(app_id)
    if form not in FORMS:
        raise ApiError(404, "not_found", NOT_FOUND)
    if not policy.may_see_form(current_api_user(), app, form):
        raise ApiError(403, "forbidden", N_("You may not see this form."))
    pdf, filename = render_form(app, form, current_api_user())
    return send_file(pdf, mimetype=PDF, as_attachment=True, download_name=filename)
