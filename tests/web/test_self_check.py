"""The public self-check: a table of personas answered alike by the page and the API; bad input; the register link.

The schemes are the world's (PSG accepts peksos/kesos with 1,344 hours; PNY has no route data
either), so their routes are the ones implied by their older rules (``default_routes``): education
for peksos/kesos, experience for any field with 1,344 hours and the training, RPL with the hours.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from certflow.applications.operations import create_application
from certflow.models import User
from tests.factories import make_scheme
from tests.web.test_pages_support import Browser, csrf_token, fresh

DEGREE = "A degree in Social work (peksos) or Social welfare (kesos)."
TRAINING = "The scheme's training (diklat)."


def hours(have: int) -> str:
    return f"At least 1,344 hours of practice (you have {have:,})."


# (persona, answers, PSG's routes as {route: missing sentences}: an empty list is an open route)
PERSONAS = [
    (
        "peksos D4 2000 h, no training: education open",
        {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000, "training": False},
        {"education": [], "experience": [TRAINING], "rpl": []},
    ),
    (
        "kesos S1 0 h: education open, nothing else",
        {"education_field": "kesos", "education_level": "S1", "practice_hours": 0, "training": False},
        {"education": [], "experience": [hours(0), TRAINING], "rpl": [hours(0)]},
    ),
    (
        "other S1 2000 h + training: experience open, education names the degree",
        {"education_field": "other", "education_level": "S1", "practice_hours": 2000, "training": True},
        {"education": [DEGREE], "experience": [], "rpl": []},
    ),
    (
        "other S1 1344 h + training: the minimum itself is enough",
        {"education_field": "other", "education_level": "S1", "practice_hours": 1344, "training": True},
        {"education": [DEGREE], "experience": [], "rpl": []},
    ),
    (
        "other S1 1343 h + training: one hour short",
        {"education_field": "other", "education_level": "S1", "practice_hours": 1343, "training": True},
        {"education": [DEGREE], "experience": [hours(1343)], "rpl": [hours(1343)]},
    ),
    (
        "other SMA 100 h, no training: all closed, naming hours and training",
        {"education_field": "other", "education_level": "SMA", "practice_hours": 100, "training": False},
        {"education": [DEGREE], "experience": [hours(100), TRAINING], "rpl": [hours(100)]},
    ),
]


def _api(client, answers: dict, lang: str = "en"):
    return client.post("/api/v1/eligibility-check", json=answers, headers={"Accept-Language": lang})


def _page_query(answers: dict) -> str:
    query = {k: v for k, v in answers.items() if k != "training"}
    query["training"] = "yes" if answers["training"] else "no"
    return urlencode(query)


def _page_answers(html: str) -> list[dict]:
    """The results of the page, read back into the API's shape."""
    schemes = []
    for block in html.split('<li class="card scheme-check"')[1:]:
        code = re.search(r'data-scheme="([^"]+)"', block).group(1)
        name = unescape(re.search(r"<h3><a [^>]*>([^<]+)</a></h3>", block).group(1))
        routes = []
        for route_block in block.split('<li class="route ')[1:]:
            route = re.search(r'data-route="([a-z]+)"', route_block).group(1)
            is_open = re.search(r'data-open="(true|false)"', route_block).group(1) == "true"
            missing_list = re.search(r'<ul class="missing">(.*?)</ul>', route_block, re.S)
            found = re.findall(r"<li>(.*?)</li>", missing_list.group(1)) if missing_list else []
            missing = [unescape(m) for m in found]
            routes.append({"route": route, "open": is_open, "missing": missing})
        schemes.append({"code": code, "name": name, "routes": routes})
    return schemes


@pytest.mark.parametrize(("persona", "answers", "expected"), PERSONAS, ids=[p[0] for p in PERSONAS])
def test_each_persona_gets_the_same_answer_from_the_page_and_the_api(app, client, world, persona, answers, expected):
    response = _api(client, answers)
    assert response.status_code == 200
    api = response.json["schemes"]
    assert [s["code"] for s in api] == ["PSG", "PNY"]  # by name: Pekerja…, Penyuluh… — every active scheme
    psg = next(s for s in api if s["code"] == "PSG")
    assert psg["name"] == "Pekerja Sosial Generalis"
    assert {r["route"]: r["missing"] for r in psg["routes"]} == expected
    assert all(r["open"] == (not r["missing"]) for s in api for r in s["routes"])

    page = Browser(app).get(f"/self-check?{_page_query(answers)}&lang=en")
    assert page.status_code == 200
    assert _page_answers(page.text) == api


def test_indonesian_by_default_and_the_same_in_both(app, client, world):
    answers = PERSONAS[-1][1]
    api = _api(client, answers, lang="").json["schemes"]  # no language asked: Indonesian
    page = Browser(app).get(f"/self-check?{_page_query(answers)}")
    assert _page_answers(page.text) == api
    psg = next(s for s in api if s["code"] == "PSG")
    sentences = [m for r in psg["routes"] for m in r["missing"]]
    assert "Ijazah di bidang Pekerjaan sosial (peksos) atau Kesejahteraan sosial (kesos)." in sentences
    assert "Paling sedikit 1.344 jam praktik (Anda memiliki 100)." in sentences
    assert "Diklat skema ini." in sentences
    for text in sentences:  # words, never codes
        assert "education_field" not in text and "practice_hours" not in text
    assert "Jalur pendidikan" in page.text and "Jalur pengalaman" in page.text and "RPL" in page.text
    assert _api(client, answers, lang="en").json != {"schemes": api}  # the language is asked, not fixed
    assert client.post("/api/v1/eligibility-check?lang=id", json=answers).json == {"schemes": api}


def test_only_active_schemes_are_answered(client, world, db):
    make_scheme("OLD", units=1, name="Skema Lama", active=False)
    db.session.commit()
    codes = [s["code"] for s in _api(client, PERSONAS[0][1]).json["schemes"]]
    assert codes == ["PSG", "PNY"]


def test_the_page_reads_indonesian_numbers_and_says_the_open_routes_in_words(app, world):
    query = "education_field=other&education_level=S1&practice_hours=1.500&training=yes&position=Staf+Dinas&lang=en"
    page = Browser(app).get(f"/self-check?{query}")
    assert page.status_code == 200
    assert "Open to you now by: Experience route, Recognition of prior learning (RPL)." in page.text
    assert 'value="1500"' in page.text and 'value="Staf Dinas"' in page.text


def test_a_level_rule_names_the_level(app):
    from certflow.schemes.selfcheck import missing_sentence
    from workflows.eligibility import Profile, Route, route_missing

    route = Route("education", ("peksos",), "S1", 0, False, ("diploma",))
    with app.test_request_context("/?lang=en"):
        missing = [missing_sentence(m) for m in route_missing(route, Profile("other", "SMA", 0, False))]
        assert missing == ["A degree in Social work (peksos).", "Education at level S1 or above."]
    with app.test_request_context("/?lang=id"):
        assert missing_sentence(route_missing(route, Profile("peksos", "D3"))[0]) == (
            "Pendidikan jenjang S1 atau lebih tinggi."
        )


GOOD = {"education_field": "other", "education_level": "S1", "practice_hours": 2000, "training": True}
BAD_BODIES = [
    ("practice_hours", {"practice_hours": 10**30}),
    ("practice_hours", {"practice_hours": 100_001}),
    ("practice_hours", {"practice_hours": -1}),
    ("practice_hours", {"practice_hours": "2000"}),
    ("practice_hours", {"practice_hours": True}),
    ("practice_hours", {"practice_hours": 12.5}),
    ("practice_hours", {"practice_hours": None}),
    ("training", {"training": "yes"}),
    ("training", {"training": 1}),
    ("education_field", {"education_field": "law"}),
    ("education_field", {"education_field": "peksos\x00"}),
    ("education_field", {"education_field": ["peksos"]}),
    ("education_level", {"education_level": "S9"}),
    ("education_level", {"education_level": None}),
    ("position", {"position": "Staf\x00Dinas"}),
    ("position", {"position": "x" * 121}),
    ("position", {"position": 5}),
    ("extra", {"extra": 1}),
]


@pytest.mark.parametrize(("field", "changes"), BAD_BODIES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_BODIES)])
def test_bad_input_is_a_422_naming_the_field(client, world, field, changes):
    response = _api(client, {**GOOD, **changes})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


def test_a_missing_field_and_a_body_that_is_not_an_object(client, world):
    response = _api(client, {"education_field": "other"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"education_level", "practice_hours", "training"}
    assert client.post("/api/v1/eligibility-check", json=[GOOD]).status_code == 400
    response = client.post("/api/v1/eligibility-check", data="{", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


BAD_QUERIES = [
    ("practice_hours", "practice_hours=" + "9" * 5000),
    ("practice_hours", "practice_hours=100001"),
    ("practice_hours", "practice_hours=-5"),
    ("practice_hours", "practice_hours=%C2%B2"),
    ("practice_hours", "practice_hours=12%2C5"),
    ("education_field", "education_field=law"),
    ("education_level", "education_level=S9"),
    ("training", "training=maybe"),
    ("position", "position=" + "x" * 121),
]
GOOD_QUERY = {"education_field": "other", "education_level": "S1", "practice_hours": "2000", "training": "yes"}


@pytest.mark.parametrize(("field", "bad"), BAD_QUERIES, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_QUERIES)])
def test_the_page_shows_a_bad_answer_in_the_summary_and_next_to_its_field(app, world, field, bad):
    name = bad.split("=")[0]
    query = urlencode({k: v for k, v in GOOD_QUERY.items() if k != name}) + "&" + bad
    page = Browser(app).get(f"/self-check?{query}&lang=en")
    assert page.status_code == 422
    summary = page.text[page.text.index('class="error-summary') :]
    assert f'href="#{field}"' in summary[: summary.index("</div>")]
    assert f'id="{field}-error"' in page.text
    assert "scheme-check" not in page.text  # no results for answers that are not valid


@pytest.mark.parametrize("path", ["/self-check?education_field=peksos%00", "/register?education_field=peksos%00"])
def test_a_nul_byte_in_the_answers_is_refused_at_the_door_in_words(app, world, path):
    page = Browser(app).get(f"{path}&lang=en")
    assert page.status_code == 422
    assert "scheme-check" not in page.text and "\x00" not in page.text
    assert "The request could not be accepted" in page.text


def test_every_error_of_the_page_is_shown_at_once(app, world):
    page = Browser(app).get("/self-check?practice_hours=abc")
    assert page.status_code == 422
    summary = page.text[page.text.index('class="error-summary') :]
    summary = summary[: summary.index("</div>")]
    for field in ("education_field", "education_level", "practice_hours", "training"):
        assert f'href="#{field}"' in summary
    assert "Pilih bidang pendidikan Anda." in summary  # Indonesian first


def test_the_blank_form_has_no_errors_and_is_linked_for_visitors(app, world):
    page = Browser(app).get("/self-check")
    assert page.status_code == 200
    assert "error-summary" not in page.text and "scheme-check" not in page.text
    assert "Bisakah saya mendaftar?" in page.text
    landing = Browser(app).get("/").text
    assert landing.count('href="/self-check"') >= 2  # the navigation and the landing page's card


def test_a_signed_in_candidate_is_sent_to_their_applications_not_to_register(app, world):
    page = Browser(app).login(world.candidate).get(f"/self-check?{urlencode(GOOD_QUERY)}&lang=en")
    assert page.status_code == 200 and "scheme-check" in page.text
    assert "Go to my applications" in page.text and "data-register" not in page.text


def _register_link(app, query: str) -> str:
    page = Browser(app).get(f"/self-check?{query}&lang=en")
    return unescape(re.search(r'<a class="button primary" href="([^"]+)" data-register>', page.text).group(1))


def test_the_register_link_carries_the_answers_into_the_first_application_form(app, world, db):
    link = _register_link(
        app, "education_field=other&education_level=S1&practice_hours=2.000&training=yes&position=Staf+Dinas+Sosial"
    )
    assert link == (
        "/register?education_field=other&education_level=S1&practice_hours=2000&training=yes&position=Staf+Dinas+Sosial"
    )
    browser = Browser(app)
    form = browser.get(link).text
    assert '<option value="other" selected>' in form and '<option value="S1" selected>' in form
    assert 'name="practice_hours" required type="text" value="2000"' in form
    assert re.search(r'<input checked id="training" name="training" type="checkbox" value="y">', form)
    assert 'name="position" type="text" value="Staf Dinas Sosial"' in form
    # the person adds who they are and their dinas; what the self-check asked is already there
    response = browser.post(
        link,
        data={
            "csrf_token": csrf_token(form),
            "name": "Dewi Staf Dinas",
            "email": "dewi@example.id",
            "dinas": str(world.bintan.id),
            "education_field": "other",
            "education_level": "S1",
            "practice_hours": "2000",
            "training": "y",
            "position": "Staf Dinas Sosial",
        },
    )
    assert response.status_code == 302
    fresh(db)
    user = db.session.scalar(select(User).where(User.email == "dewi@example.id"))
    assert (user.education_field, user.education_level, user.practice_hours) == ("other", "S1", 2000)
    assert (user.training, user.position) == (True, "Staf Dinas Sosial")
    application = create_application(user, "PSG")
    assert application.apl01 == {
        "education_field": "other",
        "education_level": "S1",
        "practice_hours": 2000,
        "training": True,
        "position": "Staf Dinas Sosial",
    }
    db.session.rollback()


def test_a_no_to_the_training_is_carried_too_and_an_empty_position_left_out(app, world):
    link = _register_link(app, "education_field=peksos&education_level=D4&practice_hours=0&training=no&position=")
    assert link == "/register?education_field=peksos&education_level=D4&practice_hours=0&training=no"
    form = Browser(app).get(link).text
    assert '<input id="training" name="training" type="checkbox" value="y">' in form


@pytest.mark.parametrize(
    "query",
    [
        "education_field=law&education_level=S9&practice_hours=99999999",
        "practice_hours=-1",
        "practice_hours=%C2%B2",
        "education_field=OTHER&education_level=s1&practice_hours=100001",
        "training=ya&position=" + "x" * 121,
        "training=YES&position=Staf%09Dinas",
    ],
)
def test_an_altered_register_link_is_checked_again_and_dropped(app, world, query):
    form = Browser(app).get(f"/register?{query}")
    assert form.status_code == 200
    assert " selected>" not in form.text
    assert re.search(r'name="practice_hours" required type="text" value=""', form.text) or (
        'name="practice_hours" required type="text">' in form.text
    )
    assert '<input id="training" name="training" type="checkbox" value="y">' in form.text  # not ticked
    assert re.search(r'name="position" type="text" value="">|name="position" type="text">', form.text)


def test_the_api_is_public_and_rate_limited(app, client, world):
    app.config["RATELIMIT_FORMS"], before = "3 per minute", app.config["RATELIMIT_FORMS"]
    try:
        answers = [_api(client, GOOD) for _ in range(4)]
    finally:
        app.config["RATELIMIT_FORMS"] = before
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json["error"]["code"] == "rate_limited"
