"""The candidate's forms: APL-01 (the application form) and APL-02 (the self-assessment), saved part-way."""

from __future__ import annotations

import re

from sqlalchemy import select

from certflow.models import Application, Criterion, SelfAssessmentAnswer
from tests.web.test_pages_candidate_support import bare_draft, browser, post
from tests.web.test_pages_support import fresh

APL01 = {
    "education_field": "kesos",
    "education_level": "S1",
    "practice_hours": "1500",
    "workplace": "Dinas Sosial Kota Batam",
    "position": "Pekerja Sosial Ahli Pertama",
    "employee_id": "198501012010012001",
    "phone": "+62 812 3456 7890",
    "address": "Jl. Engku Putri 1, Batam",
}


def _apl01(application) -> str:
    return f"/candidate/applications/{application.id}/apl01"


def _sa(application) -> str:
    return f"/candidate/applications/{application.id}/self-assessment"


def _criteria(db, scheme) -> list[Criterion]:
    return list(db.session.scalars(select(Criterion).where(Criterion.scheme_id == scheme.id).order_by(Criterion.id)))


def _answers(db, application) -> dict[str, tuple[str, str]]:
    fresh(db)
    rows = db.session.execute(
        select(Criterion.code, SelfAssessmentAnswer.claim, SelfAssessmentAnswer.evidence)
        .join(Criterion, Criterion.id == SelfAssessmentAnswer.criterion_id)
        .where(SelfAssessmentAnswer.application_id == application.id)
    ).all()
    return {code: (claim, evidence) for code, claim, evidence in rows}


# -- APL-01 --------------------------------------------------------------------------------------


def test_the_form_shows_what_is_saved_and_saves_every_field(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, {"education_field": "peksos", "practice_hours": 20})
    b = browser(app, world.candidate)
    page = b.get(_apl01(draft)).text
    assert '<option value="peksos" selected>' in page
    assert 'name="practice_hours" required' not in page and 'value="20"' in page
    response = post(b, _apl01(draft), **APL01)
    assert response.status_code == 303 and response.headers["Location"] == _apl01(draft)
    fresh(db)
    saved = db.session.get(Application, draft.id).apl01
    assert saved == {**APL01, "practice_hours": 1500}
    page = b.get(_apl01(draft)).text
    assert "The application form is saved." in page
    assert 'value="198501012010012001"' in page and "Jl. Engku Putri 1, Batam</textarea>" in page


def test_the_form_saves_part_way_and_an_empty_field_clears_it(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, {"education_field": "peksos", "workplace": "Lama"})
    b = browser(app, world.candidate)
    response = post(b, _apl01(draft), education_field="peksos", education_level="D3", workplace="")
    assert response.status_code == 303
    fresh(db)
    assert db.session.get(Application, draft.id).apl01 == {"education_field": "peksos", "education_level": "D3"}


def test_bad_values_are_refused_field_by_field_keeping_what_was_typed(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, {"education_field": "peksos"})
    b = browser(app, world.candidate)
    typed = {
        **APL01,
        "education_level": "S9",
        "practice_hours": "banyak",
        "phone": "0812<script>",
        "employee_id": "NIP-12",
        "position": "x" * 121,
    }
    response = post(b, _apl01(draft), **typed)
    assert response.status_code == 422
    page = response.text
    assert "Please correct the fields marked below." in page
    assert "Choose a level of education from the list." in page
    assert "Enter the practice hours as a whole number from 0 to 100,000." in page
    assert "A phone number may hold only digits, spaces and + ( ) - ." in page
    assert "The NIP has only digits." in page
    assert "At most 120 characters." in page
    assert 'value="banyak"' in page and "Jl. Engku Putri 1, Batam" in page and 'value="0812&lt;script&gt;"' in page
    assert page.count('aria-invalid="true"') == 5
    fresh(db)
    assert db.session.get(Application, draft.id).apl01 == {"education_field": "peksos"}


def test_after_submission_the_form_is_read_only(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    b = browser(app, world.candidate)
    page = b.get(_apl01(application)).text
    assert '<form method="post" novalidate class="apl01">' not in page
    assert "the form is shown as it was sent" in page and "Social work (peksos)" in page
    response = post(b, "/candidate/", _apl01(application), **APL01)
    assert response.status_code == 409
    assert "its forms can no longer be changed" in response.text
    fresh(db)
    assert db.session.get(Application, application.id).apl01["education_field"] == "peksos"


def test_a_revision_request_opens_the_form_again(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    world.fire(
        application, "request_revision", world.admin_batam, reason="Jam praktik?", data={"deadline": "2099-01-01"}
    )
    b = browser(app, world.candidate)
    page = b.get(_apl01(application)).text
    assert "Jam praktik?" in page and 'class="apl01"' in page
    assert post(b, _apl01(application), **APL01).status_code == 303


# -- APL-02 --------------------------------------------------------------------------------------


def test_the_self_assessment_shows_units_elements_criteria_and_what_is_left(app, world, db):
    draft = bare_draft(world.candidate, world.scheme)
    page = browser(app, world.candidate).get(_sa(draft)).text
    assert 'data-answered="0" data-total="8"' in page and "8 criteria left" in page
    for code in ("PSG.U1", "PSG.U1.E2", "PSG.U2.E2.K2"):
        assert code in page
    assert page.count('type="radio"') == 16 and page.count("<textarea") == 8
    assert page.count('name="unit"') == 2  # a save button per unit


def test_saving_part_way_keeps_the_rest_and_counts_what_is_left(app, world, db):
    draft = bare_draft(world.candidate, world.scheme)
    crits = _criteria(db, world.scheme)
    b = browser(app, world.candidate)
    unit = crits[0].unit_id
    data = {
        f"claim-{crits[0].id}": "K",
        f"evidence-{crits[0].id}": "Laporan kasus 2023",
        f"claim-{crits[1].id}": "BK",
        f"evidence-{crits[1].id}": "",
        f"claim-{crits[2].id}": "",
        f"evidence-{crits[2].id}": "",
        "unit": str(unit),
    }
    response = post(b, _sa(draft), **data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{_sa(draft)}#unit-{unit}"
    assert _answers(db, draft) == {crits[0].code: ("K", "Laporan kasus 2023"), crits[1].code: ("BK", "")}
    page = b.get(_sa(draft)).text
    assert "Saved: 2 of 8 criteria answered, 6 left." in page
    assert 'data-answered="2" data-total="8"' in page
    assert re.search(rf'name="claim-{crits[0].id}" value="K" checked', page)
    # a later save changes one answer and leaves the other as it was
    response = post(b, _sa(draft), **{f"claim-{crits[1].id}": "K", f"evidence-{crits[1].id}": "Sertifikat pelatihan"})
    assert response.status_code == 303
    assert _answers(db, draft) == {
        crits[0].code: ("K", "Laporan kasus 2023"),
        crits[1].code: ("K", "Sertifikat pelatihan"),
    }
    home = b.get(f"/candidate/applications/{draft.id}").text
    assert "6 criteria left" in home


def test_evidence_without_a_claim_or_a_bad_claim_saves_nothing_and_keeps_what_was_typed(app, world, db):
    draft = bare_draft(world.candidate, world.scheme)
    crits = _criteria(db, world.scheme)
    b = browser(app, world.candidate)
    data = {
        f"claim-{crits[0].id}": "K",
        f"evidence-{crits[0].id}": "Laporan",
        f"evidence-{crits[1].id}": "Catatan tanpa klaim",
        f"claim-{crits[2].id}": "MAYBE",
        f"evidence-{crits[3].id}": "x" * 2001,
        f"claim-{crits[3].id}": "K",
    }
    response = post(b, _sa(draft), **data)
    assert response.status_code == 422
    page = response.text
    assert "Some answers need your attention (marked below); nothing was saved." in page
    assert "Choose K or BK to save the evidence you wrote." in page
    assert "Choose K or BK." in page
    assert "The evidence may have at most 2000 characters." in page
    assert "Catatan tanpa klaim</textarea>" in page
    assert re.search(rf'name="claim-{crits[0].id}" value="K" checked', page)
    assert _answers(db, draft) == {}


def test_an_empty_save_says_there_is_nothing_to_save(app, world, db):
    draft = bare_draft(world.candidate, world.scheme)
    response = post(browser(app, world.candidate), _sa(draft))
    assert response.status_code == 422
    assert "Nothing to save yet: choose K or BK for at least one criterion." in response.text


def test_after_submission_the_self_assessment_is_read_only(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    crits = _criteria(db, world.scheme)
    b = browser(app, world.candidate)
    page = b.get(_sa(application)).text
    assert 'type="radio"' not in page and "the self-assessment is shown as it was sent" in page
    response = post(b, "/candidate/", _sa(application), **{f"claim-{crits[0].id}": "BK"})
    assert response.status_code == 409
    assert _answers(db, application)[crits[0].code] == ("K", "ok")


def test_completing_the_self_assessment_moves_the_next_step_on(app, world, db):
    draft = bare_draft(
        world.candidate,
        world.other_scheme,
        {
            "education_field": "peksos",
            "education_level": "S1",
            "practice_hours": 0,
            "route": "education",
            "purpose": "certification",
        },
    )
    crits = _criteria(db, world.other_scheme)
    b = browser(app, world.candidate)
    response = post(b, _sa(draft), **{f"claim-{c.id}": "K" for c in crits})
    assert response.status_code == 303
    assert "Saved: every criterion is answered." in b.get(_sa(draft)).text
    assert 'data-next="documents"' in b.get(f"/candidate/applications/{draft.id}").text
