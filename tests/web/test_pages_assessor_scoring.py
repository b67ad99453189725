"""The scoring sheet: the candidate's claims beside the criteria, saving part-way, the lead's side-by-side view,
consolidation and recommendation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from certflow.models import Application, Criterion, Score
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(getattr(user, "user", user))
    browser.get("/?lang=en")
    return browser


def _criteria(db, application) -> list[Criterion]:
    return db.session.scalars(
        select(Criterion).where(Criterion.scheme_id == application.scheme_id).order_by(Criterion.id)
    ).all()


def _path(application) -> str:
    return f"/assessor/applications/{application.id}/scores"


def _save(browser, application, rows: dict):
    """Post the sheet with ``rows``: {criterion id: (result, method, evidence)}."""
    token = csrf_token(browser.get(_path(application)).text)
    data = {"csrf_token": token}
    for crit_id, (result, method, evidence) in rows.items():
        if result is not None:
            data[f"result-{crit_id}"] = result
        data[f"method-{crit_id}"] = method
        data[f"evidence-{crit_id}"] = evidence
    return browser.post(_path(application), data=data)


def _scores(db, application, assessor) -> dict[int, tuple]:
    fresh(db)
    rows = db.session.scalars(
        select(Score).where(Score.application_id == application.id, Score.assessor_id == assessor.id)
    ).all()
    return {r.criterion_id: (r.result, r.method, r.evidence) for r in rows}


def _version(db, application) -> int:
    fresh(db)
    return db.session.scalar(select(Application.version).where(Application.id == application.id))


def _fire(browser, application, db, event, **data):
    page = browser.get(_path(application)).text
    return browser.post(
        f"/assessor/applications/{application.id}/events/{event}",
        data={"csrf_token": csrf_token(page), "version": _version(db, application), **data},
    )


@pytest.fixture()
def assessing(world):
    return world.advance(world.new_application(), "in_assessment")


def test_the_sheet_shows_the_self_assessment_and_documents_beside_the_criteria(app, world, db, assessing):
    page = _browser(app, world.member).get(_path(assessing))
    assert page.status_code == 200
    text = page.text
    for crit in _criteria(db, assessing):
        assert f'data-criterion="{crit.code}"' in text and crit.text in text
        assert f'name="result-{crit.id}"' in text and f'name="evidence-{crit.id}"' in text
    assert "Candidate’s claim:" in text and 'class="result result-K">K</span>' in text
    for doc in assessing.documents:
        assert f'href="/assessor/documents/{doc.id}"' in text
    assert "Practice hours" in text and "2000" in text
    assert "Observation" in text and "Portfolio" in text and "Interview" in text and "Written test" in text
    assert "side-by-side" not in text  # a member sees only their own scores


def test_a_member_saves_part_of_the_scores_and_finds_them_again(app, world, db, assessing):
    browser = _browser(app, world.member)
    crits = _criteria(db, assessing)
    response = _save(
        browser,
        assessing,
        {crits[0].id: ("K", "observation", "Watched a home visit"), crits[1].id: ("BK", "", "No case notes")},
    )
    assert response.status_code == 303
    saved = _scores(db, assessing, world.member)
    assert saved == {
        crits[0].id: ("K", "observation", "Watched a home visit"),
        crits[1].id: ("BK", None, "No case notes"),
    }
    page = browser.get(_path(assessing)).text
    assert "Your scores: 2 of 8 criteria" in page
    assert "Watched a home visit" in page and '<option value="observation" selected>' in page
    # A second save adds to the first.
    assert _save(browser, assessing, {crits[2].id: ("K", "portfolio", "Portfolio seen")}).status_code == 303
    assert len(_scores(db, assessing, world.member)) == 3


def test_bad_input_is_refused_with_the_criterion_named_and_the_input_kept(app, world, db, assessing):
    browser = _browser(app, world.member)
    crits = _criteria(db, assessing)
    response = _save(
        browser,
        assessing,
        {
            crits[0].id: ("K", "portfolio", "Good portfolio"),
            crits[1].id: ("K", "portfolio", ""),
            crits[2].id: (None, "interview", "Talked for an hour"),
            crits[3].id: ("X", "telepathy", "?"),
        },
    )
    assert response.status_code == 422
    text = response.text
    assert "The scores were not saved" in text
    assert re.search(rf'data-criterion="{re.escape(crits[1].code)}".*?Evidence notes: is required', text, re.S)
    assert re.search(rf'data-criterion="{re.escape(crits[2].code)}".*?Result: must be K or BK', text, re.S)
    assert "Method: must be one of observation, portfolio, interview, written" in text
    assert "Good portfolio" in text and "Talked for an hour" in text
    assert _scores(db, assessing, world.member) == {}


def test_a_refused_save_keeps_the_scores_saved_before_and_lists_the_criteria_to_fix(app, world, db, assessing):
    browser = _browser(app, world.member)
    crits = _criteria(db, assessing)
    assert _save(browser, assessing, {crits[0].id: ("K", "written", "Earlier evidence")}).status_code == 303
    refused = _save(browser, assessing, {crits[5].id: ("BK", "", "")})  # only this row is posted
    assert refused.status_code == 422
    assert "Earlier evidence" in refused.text  # the saved row is shown as saved, not emptied
    assert f'<a href="#crit-{crits[5].id}">{crits[5].code}</a>' in refused.text
    assert _scores(db, assessing, world.member) == {crits[0].id: ("K", "written", "Earlier evidence")}


def test_an_empty_sheet_says_there_is_nothing_to_save(app, world, db, assessing):
    response = _save(_browser(app, world.member), assessing, {})
    assert response.status_code == 422 and "Nothing to save" in response.text


def test_scores_cannot_be_saved_before_the_assessment_starts(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    browser = _browser(app, world.member)
    page = browser.get(_path(application)).text
    assert "Scoring opens when the lead starts the assessment" in page and 'name="result-' not in page
    crit = _criteria(db, application)[0]
    response = browser.post(
        _path(application),
        data={"csrf_token": csrf_token(page), f"result-{crit.id}": "K", f"evidence-{crit.id}": "x"},
    )
    assert response.status_code == 409
    assert _scores(db, application, world.member) == {}


def test_the_lead_sees_every_member_side_by_side_with_disagreements_marked(app, world, db, assessing):
    crits = _criteria(db, assessing)
    assert (
        _save(_browser(app, world.member), assessing, {crits[0].id: ("K", "portfolio", "member: fine")}).status_code
        == 303
    )
    lead = _browser(app, world.lead)
    assert (
        _save(
            lead, assessing, {crits[0].id: ("BK", "interview", "lead: weak"), crits[1].id: ("K", "written", "ok")}
        ).status_code
        == 303
    )
    page = lead.get(_path(assessing)).text
    assert 'class="side-by-side"' in page
    first = page.split(f'data-criterion="{crits[0].code}"')[0].rsplit("<div", 1)[1]
    assert "disagree" in first  # the criterion's block is marked
    block = page.split(f'data-criterion="{crits[0].code}"')[1].split('data-criterion="')[0]
    assert "Members differ" in block and "member: fine" in block and "lead: weak" in block
    assert "Member Assessor" in block and "Lead Assessor" in block
    second = page.split(f'data-criterion="{crits[1].code}"')[1].split('data-criterion="')[0]
    assert "Members differ" not in second  # only the lead scored it: no disagreement
    assert "Members differ on 1 criterion:" in page and f'href="#crit-{crits[0].id}"' in page
    # The member's own page shows no side-by-side view and no disagreement.
    member_page = _browser(app, world.member).get(_path(assessing)).text
    assert "Members differ" not in member_page and "lead: weak" not in member_page


def test_a_member_cannot_recommend(app, world, db, assessing):
    world.score_all(assessing, world.lead)
    member = _browser(app, world.member)
    assert 'data-event="recommend"' not in member.get(_path(assessing)).text
    response = _fire(member, assessing, db, "recommend", recommendation="K")
    assert response.status_code == 403
    fresh(db)
    assert db.session.get(Application, assessing.id).state == "in_assessment"


def test_the_lead_recommends_and_sees_the_engine_refusals(app, world, db, assessing):
    lead = _browser(app, world.lead)
    page = lead.get(_path(assessing)).text
    assert 'data-event="recommend"' in page
    unscored = _fire(lead, assessing, db, "recommend", recommendation="K")
    assert unscored.status_code == 422 and "8 criteria are not scored yet." in unscored.text
    world.score_all(assessing, world.lead, bk_units=("PSG.U1",))
    inconsistent = _fire(lead, assessing, db, "recommend", recommendation="K")
    assert inconsistent.status_code == 422
    assert "K can be recommended only if every unit is K; not K: PSG.U1." in inconsistent.text
    assert '<option value="K" selected>' in inconsistent.text  # the choice is kept
    page = lead.get(_path(assessing)).text
    assert re.search(r'data-unit="PSG.U1">.*?result-BK', page, re.S)
    assert re.search(r'data-unit="PSG.U2">.*?result-K', page, re.S)
    done = _fire(lead, assessing, db, "recommend", recommendation="BK")
    assert done.status_code == 303
    fresh(db)
    application = db.session.get(Application, assessing.id)
    assert application.state == "assessed" and application.recommendation == "BK"
    closed = lead.get(_path(assessing)).text
    assert "The assessment is closed" in closed and 'name="result-' not in closed


def test_a_stale_version_is_refused_with_a_reload_message(app, world, db, assessing):
    world.score_all(assessing, world.lead)
    lead = _browser(app, world.lead)
    page = lead.get(_path(assessing)).text
    response = lead.post(
        f"/assessor/applications/{assessing.id}/events/recommend",
        data={"csrf_token": csrf_token(page), "version": _version(db, assessing) - 1, "recommendation": "K"},
    )
    assert response.status_code == 409 and "reload it and try again" in response.text


def test_only_the_lead_events_are_fired_here(app, world, db, assessing):
    lead = _browser(app, world.lead)
    assert _fire(lead, assessing, db, "certify").status_code == 404


def test_the_sheet_runs_a_constant_number_of_queries(app, world, db, assessing):
    lead = _browser(app, world.lead)
    path = _path(assessing)
    with count_queries() as empty:
        assert lead.get(path).status_code == 200
    world.score_all(assessing, world.lead)
    world.score_all(assessing, world.member, result="BK")
    with count_queries() as full:
        page = lead.get(path).text
    assert page.count("Members differ</strong>") == 8
    assert full[0] == empty[0]


def test_the_lead_starts_the_assessment_at_the_top_of_the_sheet(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    member_page = _browser(app, world.member).get(_path(application)).text
    assert 'id="start"' not in member_page  # only the lead may start it
    lead = _browser(app, world.lead)
    page = lead.get(_path(application)).text
    start = page.index('id="start"')
    assert start < page.index('class="card unit"')  # at the top of the sheet, before the criteria
    assert "/events/start_assessment?back=scores" in page
    # Nobody declared a conflict yet: the refusal comes back on the sheet, where the lead is looking.
    refused = lead.post(
        f"/assessor/applications/{application.id}/events/start_assessment?back=scores",
        data={"csrf_token": csrf_token(page), "version": _version(db, application)},
    )
    assert refused.status_code == 422 and 'id="start-error"' in refused.text and 'class="card unit"' in refused.text
    world.declare(application)
    world.agree(application)
    page = lead.get(_path(application)).text
    done = lead.post(
        f"/assessor/applications/{application.id}/events/start_assessment?back=scores",
        data={"csrf_token": csrf_token(page), "version": _version(db, application)},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(_path(application))
    fresh(db)
    assert db.session.get(Application, application.id).state == "in_assessment"
    assert 'id="start"' not in lead.get(_path(application)).text


def test_the_recommendation_comes_after_the_sheet_with_notes_saved(app, world, db, assessing):
    world.score_all(assessing, world.lead)
    lead = _browser(app, world.lead)
    page = lead.get(_path(assessing)).text
    recommend = page.index('id="recommend"')
    assert recommend > page.rindex('class="card unit"')  # in the main column, after the last unit
    assert page.index("</aside>") < recommend
    assert page.index('href="#recommend"') < page.index("</aside>")  # a link to it from the side column
    assert 'name="recommendation_notes"' in page
    done = _fire(lead, assessing, db, "recommend", recommendation="K", recommendation_notes="  Observed twice.  ")
    assert done.status_code == 303
    fresh(db)
    application = db.session.get(Application, assessing.id)
    assert application.recommendation == "K" and application.recommendation_notes == "Observed twice."
    assert "Observed twice." in lead.get(_path(assessing)).text
    world.fire(application, "return_assessment", world.certifier, reason="Check unit 2 again")
    fresh(db)
    assert db.session.get(Application, assessing.id).recommendation_notes is None
