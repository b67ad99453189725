"""The written test's results on the record forms: FR.AK.02 and FR.IA.01 show, per unit, the multiple
choice scored by the key and the essays as the team scored them — once the test is submitted."""

from __future__ import annotations

from pypdf import PdfReader

from certflow.assessment import records as recs
from certflow.assessment import written_tests
from certflow.extensions import db
from certflow.printing.application_forms import render_form
from tests.instruments_support import MC_KEY, make_bank


def _text(app, form: str) -> str:
    pdf, _name = render_form(app, form)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)


def _running(world):
    make_bank(world.scheme, choices=2, essays=1, oral=0)
    app = world.advance(world.new_application(), "in_assessment")
    world.score_all(app, world.lead)
    recs.save_unit_records(
        app, world.lead.user, [{"unit": u.code, "methods": ["written"], "feedback": "Baik"} for u in world.scheme.units]
    )
    db.session.commit()
    return app


def test_the_forms_say_nothing_of_a_test_not_yet_submitted(app_ctx, world):
    app = _running(world)
    test = written_tests.draw_test(app, world.lead.user)
    db.session.commit()
    assert written_tests.tests_of([app.id])[app.id].id == test.id
    with app_ctx.test_request_context():
        for form in ("ak-02", "ia-01"):
            assert "Tes tertulis (dikumpulkan" not in _text(app, form)


def test_the_results_per_unit_on_fr_ak_02_and_fr_ia_01(app_ctx, world):
    app = _running(world)
    test = written_tests.draw_test(app, world.lead.user)
    db.session.commit()
    first, second = world.scheme.units[0], world.scheme.units[1]
    answers, essays = [], {}
    for row in test.answers:
        q = row.question
        if q.kind == "multiple_choice":  # all right in the first unit, all wrong in the second
            answers.append({"question": q.id, "choice": MC_KEY if q.unit_id == first.id else 0})
        else:
            answers.append({"question": q.id, "text": "Jawaban esai"})
            essays[q.unit_id] = q.id
    written_tests.save_answers(test, app, app.candidate, answers)
    written_tests.submit(test, app, app.candidate)
    written_tests.score_essays(test, app, world.lead.user, [{"question": essays[first.id], "result": "K"}])
    db.session.commit()
    mc = {
        u: sum(1 for r in test.answers if r.question.kind == "multiple_choice" and r.question.unit_id == u)
        for u in (first.id, second.id)
    }
    with app_ctx.test_request_context():
        for form in ("ak-02", "ia-01"):
            text = _text(app, form)
            assert "Tes tertulis (dikumpulkan" in text, form
            assert f"{mc[first.id]} dari {mc[first.id]} benar" in text, form
            assert f"0 dari {mc[second.id]} benar" in text, form
            assert "1 dari 1 kompeten" in text and "0 dari 1 kompeten, 1 belum dinilai" in text, form
