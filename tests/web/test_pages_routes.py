"""Eligibility routes in the pages and the API: the system admin edits them, the candidate chooses one in
APL-01 (seeing what each asks), the API takes "route" and "purpose", the verification page shows the route."""

from __future__ import annotations

import re

import pytest

from certflow.models import Application, Scheme
from certflow.schemes.routes import scheme_routes
from tests.web.test_api_applications_support import Api, error_code
from tests.web.test_api_records import _pdf_text
from tests.web.test_pages_candidate_support import bare_draft, browser, post
from tests.web.test_pages_support import Browser, fresh

ROUTE_FORM = {
    "education-enabled": "1",
    "education-education_fields": ["peksos", "kesos"],
    "education-min_education_level": "D3",
    "education-min_practice_hours": "0",
    "education-documents": ["diploma"],
    "experience-enabled": "1",
    "experience-min_practice_hours": "1.000",
    "experience-training_required": "1",
    "experience-documents": ["diploma", "practice_log", "training_certificate"],
    "rpl-min_practice_hours": "0",
    "rpl-documents": ["portfolio"],
}


def _sysadmin(app, world) -> Browser:
    b = Browser(app).login(world.sysadmin)
    b.get("/?lang=en")
    return b


def test_the_system_admin_edits_the_routes_of_a_scheme(app, world, db):
    b = _sysadmin(app, world)
    page = f"/system/schemes/{world.scheme.id}"
    shown = b.get(page).text
    assert "Eligibility routes" in shown and 'name="experience-min_practice_hours"' in shown
    assert 'value="1344"' in shown  # the routes implied by the older rules, until some are saved
    response = post(b, page, f"{page}/routes", **ROUTE_FORM)
    assert response.status_code == 303, response.text
    fresh(db)
    routes = {r["route"]: r for r in db.session.get(Scheme, world.scheme.id).routes}
    assert routes["experience"]["min_practice_hours"] == 1000 and routes["experience"]["training_required"]
    assert routes["education"]["min_education_level"] == "D3" and not routes["rpl"]["enabled"]
    assert "The routes of PSG are saved." in b.get(page).text


def test_bad_routes_are_refused_with_every_fault_in_words(app, world, db):
    b = _sysadmin(app, world)
    page = f"/system/schemes/{world.scheme.id}"
    bad = {**ROUTE_FORM, "experience-min_practice_hours": "lots", "education-documents": [], "rpl-documents": []}
    response = post(b, page, f"{page}/routes", **bad)
    assert response.status_code == 422
    assert "Enter a whole number from 0 to 100000." in response.text
    assert response.text.count("Choose at least one document the route asks for.") == 1  # rpl is not enabled
    assert 'value="lots"' in response.text
    fresh(db)
    assert db.session.get(Scheme, world.scheme.id).routes is None


def test_the_candidate_sees_what_each_route_asks_and_chooses_one(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, {"education_field": "other", "practice_hours": 200})
    b = browser(app, world.candidate)
    page = b.get(f"/candidate/applications/{draft.id}/apl01").text
    for words in (
        "By education: a social-work (peksos/kesos) degree",
        "A degree in Social work (peksos) or Social welfare (kesos).",  # the fields in words, as the self-check
        "By experience: practice hours and the scheme&#39;s training",
        "At least 1,344 hours of practice.",
        "Documents: Diploma, Work letter, Practice log, Training certificate.",
        "Portfolio",
        "At least 1,344 hours of practice (you have 200).",
        "Entering a functional position (inpassing)",
    ):
        assert words in page, words
    response = post(
        b,
        f"/candidate/applications/{draft.id}/apl01",
        education_field="other",
        education_level="S1",
        practice_hours="1400",
        training="y",
        route="experience",
        purpose="jf_entry",
    )
    assert response.status_code == 303
    fresh(db)
    saved = db.session.get(Application, draft.id).apl01
    assert saved["route"] == "experience" and saved["purpose"] == "jf_entry" and saved["training"] is True
    page = b.get(f"/candidate/applications/{draft.id}/apl01").text
    assert "Your saved form meets this route." in page
    docs = b.get(f"/candidate/applications/{draft.id}/documents").text
    assert "Training certificate" in docs


OTHER_TRAINED = {"education_field": "other", "education_level": "S1", "practice_hours": 1500, "training": True}


def _checked(page: str) -> list[str]:
    """The routes whose radio the APL-01 page has checked."""
    return re.findall(r'<input type="radio" name="route" value="(\w+)" required checked>', page)


def test_the_route_the_answers_open_is_chosen_until_the_form_names_one(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, dict(OTHER_TRAINED))
    b = browser(app, world.candidate)
    page = b.get(f"/candidate/applications/{draft.id}/apl01").text
    assert _checked(page) == ["experience"]  # the first route open: education asks peksos/kesos
    assert "Already chosen for you: the first route your answers meet." in page
    fresh(db)
    assert "route" not in db.session.get(Application, draft.id).apl01  # shown, not saved behind the person's back
    # a route the person saved is theirs, even one their form does not meet
    draft.apl01 = {**OTHER_TRAINED, "route": "education"}
    db.session.commit()
    page = b.get(f"/candidate/applications/{draft.id}/apl01").text
    assert _checked(page) == ["education"] and "Already chosen for you" not in page


def test_a_route_no_longer_open_is_not_chosen(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, {**OTHER_TRAINED, "practice_hours": 200})
    b = browser(app, world.candidate)
    page = b.get(f"/candidate/applications/{draft.id}/apl01").text
    assert _checked(page) == [] and "Already chosen for you" not in page
    # the scheme closed the experience route since: the next open one (RPL) is chosen instead
    draft.apl01 = dict(OTHER_TRAINED)
    world.scheme.routes = [{**r.as_data(), "enabled": r.route != "experience"} for r in scheme_routes(world.scheme)]
    db.session.commit()
    assert _checked(b.get(f"/candidate/applications/{draft.id}/apl01").text) == ["rpl"]


def test_a_sent_form_is_shown_as_sent_without_a_chosen_route(app, world, db):
    draft = bare_draft(world.candidate, world.scheme, dict(OTHER_TRAINED))
    draft.state = "submitted"
    db.session.commit()
    page = browser(app, world.candidate).get(f"/candidate/applications/{draft.id}/apl01").text
    assert "Already chosen for you" not in page and 'name="route"' not in page


@pytest.fixture()
def api(client):
    return Api(client)


def test_the_api_takes_route_and_purpose(api, world, db):
    draft = bare_draft(world.candidate, world.scheme, {"education_field": "peksos"})
    me = api.as_(world.candidate)
    r = me.put(f"/applications/{draft.id}/apl01", json={"route": "experience", "purpose": "certification"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["apl01"]["route"] == "experience"
    for bad in ({"route": "shortcut"}, {"purpose": "fun"}, {"training": "yes"}):
        r = me.put(f"/applications/{draft.id}/apl01", json=bad)
        assert r.status_code == 422 and error_code(r) == "validation_error", bad
    world.scheme.routes = [{**r, "enabled": r["route"] != "rpl"} for r in _routes_of(api, world)]
    db.session.commit()
    r = me.put(f"/applications/{draft.id}/apl01", json={"route": "rpl"})
    assert r.status_code == 422  # the scheme does not open by rpl


def _routes_of(api, world) -> list[dict]:
    schemes = api.as_(world.candidate).get("/schemes").get_json()
    return next(s for s in schemes if s["code"] == world.scheme.code)["routes"]


def test_the_schemes_answer_lists_the_routes(api, world):
    routes = _routes_of(api, world)
    assert [r["route"] for r in routes] == ["education", "experience", "rpl"]
    assert routes[1]["min_practice_hours"] == 1344 and routes[1]["training_required"] is True


def test_the_verification_page_shows_the_route_and_what_it_asks(app, world, db):
    app_ = world.new_application()
    app_.apl01 = {**app_.apl01, "education_field": "other", "practice_hours": 100, "route": "experience"}
    app_.apl01["purpose"] = "jf_promotion"
    app_.state = "submitted"
    db.session.commit()
    b = browser(app, world.admin_batam)
    page = b.get(f"/admin/verification/{app_.id}").text
    assert "Route: By experience: practice hours and the scheme&#39;s training" in page
    assert "Purpose of the assessment: Moving up a functional-position level." in page
    assert "At least 1344 hours of practice" in page and "The candidate declares 100 hours." in page
    assert "The candidate does not declare the training." in page
    assert "Not yet valid: Diploma, Work letter, Practice log, Training certificate." in page
    assert "Required: Diploma, Work letter, Practice log, Training certificate." in page


def test_the_apl01_form_prints_the_purpose_and_the_route(api, world, db):
    draft = world.new_application()
    draft.apl01 = {**draft.apl01, "route": "education", "purpose": "jf_entry"}
    db.session.commit()
    text = _pdf_text(api.as_(world.candidate).get(f"/applications/{draft.id}/forms/apl-01"))
    assert "Masuk jabatan fungsional (inpassing)" in text
    assert "Jalur pendidikan" in text
