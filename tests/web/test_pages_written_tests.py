"""The written-test pages: the lead draws, the candidate answers (autosave and plain form), submits,
the team sees the result and scores essays; never a key in any page; each route per role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.assessment import written_tests
from certflow.models import WrittenAnswer, WrittenTest
from tests.instruments_support import MC_KEY, make_bank
from tests.web.test_pages_support import Browser, csrf_token, fresh


@pytest.fixture()
def running(world):
    make_bank(world.scheme)
    return world.advance(world.new_application(), "in_assessment")


def _as(app, user) -> Browser:
    browser = Browser(app).login(user)
    browser.get("/?lang=en")
    return browser


def _draw(app, world, running, db) -> WrittenTest:
    lead = _as(app, world.lead.user)
    page = f"/assessor/applications/{running.id}/written-test"
    assert "Draw a written test" in lead.get(page).text
    response = lead.post(page, data={"csrf_token": csrf_token(lead.get(page).text)})
    assert response.status_code == 303
    fresh(db)
    return db.session.scalar(select(WrittenTest))


def _keys_absent(html: str, *, candidate: bool = True) -> None:
    """The key's text is on the page as one choice among others, never marked (nor, for the candidate, judged)."""
    main = html.split("<main", 1)[1]
    assert "answer_key" not in main and "✓" not in main
    if candidate:
        assert "sa-tag" not in main and " right" not in main and "wrong" not in main


def test_lead_draws_candidate_answers_submits_team_scores(app, world, running, db):
    test = _draw(app, world, running, db)
    mc = [r for r in test.answers if r.question.kind == "multiple_choice"]
    essay = next(r for r in test.answers if r.question.kind == "essay")
    candidate = _as(app, world.candidate)
    assert f"/candidate/tests/{test.id}" in candidate.get(f"/candidate/applications/{running.id}").text
    page = f"/candidate/tests/{test.id}"
    html = candidate.get(page).text
    assert "written_test.js" in html and mc[0].question.text in html
    _keys_absent(html)
    token = csrf_token(html)
    # the autosave posts the form in the background
    r = candidate.post(
        page, data={"csrf_token": token, f"q-{mc[0].question_id}": str(MC_KEY)}, headers={"X-Autosave": "1"}
    )
    assert r.status_code == 200 and r.get_json()["saved"] is True
    # the plain form: save, then submit
    r = candidate.post(page, data={"csrf_token": token, f"q-{essay.question_id}": "An essay", "action": "save"})
    assert r.status_code == 303
    r = candidate.post(page, data={"csrf_token": token, f"q-{mc[1].question_id}": "0", "action": "submit"})
    assert r.status_code == 303
    html = candidate.get(page).text
    assert "can no longer change" in html and "An essay" in html
    _keys_absent(html)
    r = candidate.post(page, data={"csrf_token": token, f"q-{mc[1].question_id}": str(MC_KEY), "action": "save"})
    assert r.status_code == 409
    fresh(db)
    assert db.session.scalar(select(WrittenAnswer.choice).where(WrittenAnswer.id == mc[1].id)) == 0
    # the team sees the result on the scoring page, and scores the essay
    member = _as(app, world.member.user)
    assert "Multiple choice: 1 of 4 right." in member.get(f"/assessor/applications/{running.id}/scores").text
    wpage = f"/assessor/applications/{running.id}/written-test"
    html = member.get(wpage).text
    _keys_absent(html, candidate=False)
    r = member.post(wpage + "/essays", data={"csrf_token": csrf_token(html), f"e-{essay.question_id}": "K"})
    assert r.status_code == 303
    assert "Essays: 1 of 2 K, 1 scored." in member.get(wpage).text


def test_a_bad_autosave_answer_is_refused_and_the_page_keeps_working(app, world, running, db):
    test = _draw(app, world, running, db)
    mc = next(r for r in test.answers if r.question.kind == "multiple_choice")
    candidate = _as(app, world.candidate)
    page = f"/candidate/tests/{test.id}"
    token = csrf_token(candidate.get(page).text)
    r = candidate.post(page, data={"csrf_token": token, f"q-{mc.question_id}": "9"}, headers={"X-Autosave": "1"})
    assert r.status_code == 422 and r.get_json()["saved"] is False
    r = candidate.post(page, data={"csrf_token": token, f"q-{mc.question_id}": "x", "action": "save"})
    assert r.status_code == 422 and 'id="summary"' in r.text


@pytest.mark.parametrize("who", ["other_candidate", "admin_batam", "certifier", "sysadmin", "lead"])
def test_nobody_but_the_candidate_opens_the_candidate_page(app, world, running, db, who):
    test = _draw(app, world, running, db)
    user = getattr(world, who)
    user = getattr(user, "user", user)
    status = _as(app, user).get(f"/candidate/tests/{test.id}").status_code
    assert status in (403, 404)
    assert _as(app, world.candidate).get("/candidate/tests/99999999").status_code == 404


@pytest.mark.parametrize("who", ["candidate", "same_dinas_assessor", "admin_kepri", "certifier"])
def test_only_the_team_opens_the_assessor_pages(app, world, running, db, who):
    user = getattr(world, who)
    user = getattr(user, "user", user)
    browser = _as(app, user)
    page = f"/assessor/applications/{running.id}/written-test"
    assert browser.get(page).status_code in (403, 404)


def test_only_the_lead_draws_from_the_page(app, world, running, db):
    member = _as(app, world.member.user)
    page = f"/assessor/applications/{running.id}/written-test"
    html = member.get(page).text
    assert "Draw a written test" not in html
    r = member.post(page, data={"csrf_token": csrf_token(html)})
    assert r.status_code == 403
    fresh(db)
    assert written_tests.latest_test(running.id) is None


def test_the_pages_run_as_many_statements_whatever_the_size_of_the_test(app, world, db):
    from tests.web.test_pages_support import count_queries

    make_bank(world.scheme, choices=1, essays=1)
    small = world.advance(world.new_application(), "in_assessment")
    make_bank(world.other_scheme, choices=5, essays=2)
    db.session.commit()
    _draw(app, world, small, db)
    candidate = _as(app, world.candidate)
    member = _as(app, world.member.user)
    test_id, small_id = written_tests.latest_test(small.id).id, small.id
    with count_queries() as few:
        assert candidate.get(f"/candidate/tests/{test_id}").status_code == 200
    with count_queries() as few_team:
        assert member.get(f"/assessor/applications/{small_id}/written-test").status_code == 200
    # more questions in the test: the same number of statements
    for scheme_unit in world.scheme.units:
        for i in range(4):
            db.session.add(
                WrittenAnswer(test_id=test_id, question_id=_extra_question(db, world, scheme_unit, i), position=10 + i)
            )
    db.session.commit()
    with count_queries() as many:
        assert candidate.get(f"/candidate/tests/{test_id}").status_code == 200
    with count_queries() as many_team:
        assert member.get(f"/assessor/applications/{small_id}/written-test").status_code == 200
    assert (many[0], many_team[0]) == (few[0], few_team[0])


def _extra_question(db, world, unit, i) -> int:
    from certflow.models import Question

    q = Question(
        scheme_id=world.scheme.id, unit_id=unit.id, kind="essay", text=f"extra {unit.code} {i}", position=50 + i
    )
    db.session.add(q)
    db.session.flush()
    return q.id
