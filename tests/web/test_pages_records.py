"""Pages of the records: the lead's agreement and FR.AK.02 forms, the candidate's agreement and FR.AK.03
feedback, the printed forms on the application page; every route for the roles that may and may not."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certflow import clock
from certflow.models import Agreement, Feedback, UnitRecord
from tests.factories import make_assessor
from tests.web.test_pages_support import Browser, csrf_token, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(getattr(user, "user", user))
    browser.get("/?lang=en")  # the assertions read the English words
    return browser


def _terms(**over):
    data = {
        "date": (clock.today() + timedelta(days=4)).isoformat(),
        "time": "10:00",
        "venue": "TUK Tanjungpinang",
        "methods-PSG.U1": ["observation", "interview"],
        "methods-PSG.U2": ["portfolio"],
    }
    data.update(over)
    return data


# -- the lead's agreement -----------------------------------------------------------------------


def test_the_lead_writes_and_signs_and_the_candidate_signs_on_the_pages(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    lead = _browser(app, world.lead)
    path = f"/assessor/applications/{application.id}/agreement"
    page = lead.get(path)
    assert page.status_code == 200 and 'name="methods-PSG.U1"' in page.text
    response = lead.post(path, data={"csrf_token": csrf_token(page.text), **_terms()})
    assert response.status_code == 303, response.text[:500]
    page = lead.get(path).text
    assert 'data-agreement="unsigned"' in page and "Sign the agreement" in page
    assert lead.post(f"{path}/sign", data={"csrf_token": csrf_token(page)}).status_code == 303

    candidate = _browser(app, world.candidate)
    mine = candidate.get(f"/candidate/applications/{application.id}/agreement")
    assert mine.status_code == 200 and "TUK Tanjungpinang" in mine.text and "Interview" in mine.text
    signed = candidate.post(
        f"/candidate/applications/{application.id}/agreement/sign", data={"csrf_token": csrf_token(mine.text)}
    )
    assert signed.status_code == 303
    fresh(db)
    agreement = db.session.scalar(select(Agreement))
    assert agreement.signed and agreement.venue == "TUK Tanjungpinang"
    again = candidate.get(f"/candidate/applications/{application.id}/agreement").text
    assert "I agree: sign the agreement" not in again


def test_bad_terms_re_render_with_every_message_at_the_top_and_keep_what_was_typed(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    lead = _browser(app, world.lead)
    path = f"/assessor/applications/{application.id}/agreement"
    token = csrf_token(lead.get(path).text)
    data = _terms(date="2020-01-01", time="", venue="Aula Bintan")
    data.pop("methods-PSG.U2")
    response = lead.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 422
    text = response.text
    assert 'id="form-error"' in text
    assert "Date: must not be in the past" in text and "Time: must be a time" in text
    assert "PSG.U2" in text and 'value="Aula Bintan"' in text and 'value="2020-01-01"' in text
    fresh(db)
    assert db.session.scalar(select(Agreement.id)) is None


def test_a_member_reads_the_agreement_but_has_no_form(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    world.agree(application, sign=False)
    member = _browser(app, world.member)
    page = member.get(f"/assessor/applications/{application.id}/agreement")
    assert page.status_code == 200 and "Aula Dinas Sosial" in page.text and 'name="methods-PSG.U1"' not in page.text
    response = member.post(
        f"/assessor/applications/{application.id}/agreement", data={"csrf_token": csrf_token(page.text), **_terms()}
    )
    assert response.status_code == 403
    response = member.post(
        f"/assessor/applications/{application.id}/agreement/sign", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("page", ["agreement", "record"])
@pytest.mark.parametrize("who", ["candidate", "admin_batam", "certifier", "sysadmin"])
def test_the_lead_pages_are_refused_to_other_roles(app, world, page, who):
    application = world.advance(world.new_application(), "in_assessment")
    browser = Browser(app).login(getattr(world, who))
    assert browser.get(f"/assessor/applications/{application.id}/{page}").status_code == 403


@pytest.mark.parametrize("page", ["agreement", "record"])
def test_an_assessor_outside_the_team_does_not_find_the_record_pages(app, world, db, page):
    application = world.advance(world.new_application(), "in_assessment")
    outsider = make_assessor(world.pekanbaru, [world.scheme], name="Outside Assessor")
    db.session.commit()
    assert _browser(app, outsider).get(f"/assessor/applications/{application.id}/{page}").status_code == 404


# -- FR.AK.02 -------------------------------------------------------------------------------------


def test_the_lead_writes_the_record_per_unit(app, world, db):
    application = world.advance(world.new_application(), "in_assessment")
    world.score_all(application, world.lead, bk_units=("PSG.U2",))
    lead = _browser(app, world.lead)
    path = f"/assessor/applications/{application.id}/record"
    page = lead.get(path)
    assert page.status_code == 200 and 'data-unit="PSG.U2" data-result="BK"' in page.text
    token = csrf_token(page.text)
    refused = lead.post(path, data={"csrf_token": token, "feedback-PSG.U2": "Ulangi"})
    assert refused.status_code == 422 and "Choose the methods used for unit PSG.U2" in refused.text
    assert "Ulangi" in refused.text, "what was typed is kept"
    saved = lead.post(
        path, data={"csrf_token": token, "methods-PSG.U2": ["observation"], "feedback-PSG.U2": "Ulangi observasi"}
    )
    assert saved.status_code == 303
    fresh(db)
    row = db.session.scalar(select(UnitRecord))
    assert row.result == "BK" and row.methods == ["observation"] and row.feedback == "Ulangi observasi"
    member = _browser(app, world.member)
    text = member.get(path).text
    assert "Ulangi observasi" in text and 'name="feedback-PSG.U2"' not in text
    mine = csrf_token(text)
    assert member.post(path, data={"csrf_token": mine, "methods-PSG.U1": ["written"]}).status_code == 403


# -- FR.AK.03 -------------------------------------------------------------------------------------


def _answers(**over):
    data = {f"answer-{n}": "yes" for n in range(1, 11)}
    data.update(over)
    return data


def test_the_candidate_gives_feedback_once_assessed(app, world, db):
    application = world.advance(world.new_application(), "assessed")
    candidate = _browser(app, world.candidate)
    path = f"/candidate/applications/{application.id}/feedback"
    page = candidate.get(path)
    assert page.status_code == 200 and 'name="answer-10"' in page.text
    token = csrf_token(page.text)
    data = _answers(**{"comment-3": "Kurang jelas", "comments": "Terima kasih"})
    del data["answer-4"], data["answer-7"]
    refused = candidate.post(path, data={"csrf_token": token, **data})
    assert refused.status_code == 422
    assert "Answer question 4" in refused.text and "Answer question 7" in refused.text
    assert 'value="Kurang jelas"' in refused.text and "Terima kasih" in refused.text
    saved = candidate.post(path, data={"csrf_token": token, **_answers(**{"answer-3": "no", "comments": "Baik"})})
    assert saved.status_code == 303
    fresh(db)
    row = db.session.scalar(select(Feedback))
    assert [a["answer"] for a in row.answers][:4] == [True, True, False, True] and row.comments == "Baik"


def test_feedback_before_the_assessment_is_over_is_not_offered(app, world, db):
    application = world.advance(world.new_application(), "in_assessment")
    candidate = _browser(app, world.candidate)
    path = f"/candidate/applications/{application.id}/feedback"
    page = candidate.get(path)
    assert page.status_code == 200 and 'name="answer-1"' not in page.text
    refused = candidate.post(path, data={"csrf_token": csrf_token(page.text), **_answers()})
    assert refused.status_code == 409
    fresh(db)
    assert db.session.scalar(select(Feedback.id)) is None


@pytest.mark.parametrize("page", ["agreement", "feedback"])
def test_another_candidate_does_not_find_the_candidate_record_pages(app, world, page):
    application = world.advance(world.new_application(), "assessed")
    assert _browser(app, world.other_candidate).get(f"/candidate/applications/{application.id}/{page}").status_code == (
        404
    )


@pytest.mark.parametrize("who", ["lead", "admin_batam", "certifier"])
def test_the_candidate_record_pages_are_refused_to_other_roles(app, world, who):
    application = world.advance(world.new_application(), "assessed")
    browser = _browser(app, getattr(world, who))
    for page in ("agreement", "feedback"):
        assert browser.get(f"/candidate/applications/{application.id}/{page}").status_code == 403


# -- the printed forms on the application page -----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "forms"),
    [
        ("candidate", {"apl-01", "apl-02", "ak-01", "ak-02", "ak-03"}),
        ("lead", {"apl-01", "apl-02", "ak-01", "ak-02", "ak-03", "ia-01"}),
        ("admin_batam", {"apl-01", "apl-02", "ak-01"}),
        ("certifier", {"apl-01", "apl-02", "ak-01", "ak-02", "ak-03", "ia-01"}),
    ],
)
def test_the_application_page_links_the_forms_each_may_see(app, world, who, forms):
    application = world.advance(world.new_application(), "assessed")
    browser = _browser(app, getattr(world, who))
    page = browser.get(f"/applications/{application.id}").text
    for form in ("apl-01", "apl-02", "ak-01", "ak-02", "ak-03", "ia-01"):
        assert (f'data-form="{form}"' in page) == (form in forms), form
        status = browser.get(f"/applications/{application.id}/forms/{form}").status_code
        if form not in forms:
            assert status == 403, form


def test_a_form_downloads_as_a_pdf_and_one_not_ready_says_so(app, world):
    application = world.advance(world.new_application(), "assessed")
    candidate = _browser(app, world.candidate)
    response = candidate.get(f"/applications/{application.id}/forms/ak-01")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Persetujuan asesmen dan kerahasiaan" in text and "Siti Candidate" in text
    response = candidate.get(f"/applications/{application.id}/forms/ak-03")
    assert response.status_code == 303
    assert "has not given feedback yet" in candidate.get(response.headers["Location"]).text
    assert _browser(app, world.admin_riau).get(f"/applications/{application.id}/forms/ak-01").status_code == 404
    assert candidate.get(f"/applications/{application.id}/forms/nope").status_code == 404
