"""The public scheme pages: what a scheme certifies, who may apply, the steps and how long they take."""

from __future__ import annotations

import re
from datetime import timedelta

from certflow import clock
from tests.factories import make_scheme
from tests.web.test_pages_candidate_support import browser
from tests.web.test_pages_support import count_queries

MAIN_PATH = ["draft", "submitted", "eligible", "team_assigned", "in_assessment", "assessed", "certified"]


def _steps(html: str) -> list[str]:
    block = html[html.index('<ol class="scheme-steps">') :]
    return re.findall(r'<li data-state="([a-z_]+)"', block[: block.index("</ol>")])


def test_the_list_shows_every_active_scheme_to_anyone(app, world, db):
    make_scheme("OLD", units=1, name="Skema Lama", active=False)
    db.session.commit()
    response = browser(app).get("/schemes")
    assert response.status_code == 200
    page = response.text
    assert 'href="/schemes/PSG"' in page and 'href="/schemes/PNY"' in page
    assert "Pekerja Sosial Generalis" in page and "Penyuluh Sosial Ahli Pertama" in page
    assert "Skema Lama" not in page
    assert "2 competency units" in page and "at least 1,344 hours of practice" in page
    assert "no minimum practice hours" in page and "valid 5 years" in page


def test_the_navigation_links_the_schemes_for_everyone(app, world):
    assert 'href="/schemes"' in browser(app).get("/").text
    assert 'href="/schemes"' in browser(app, world.candidate).get("/", follow_redirects=True).text


def test_a_scheme_page_says_what_it_certifies_and_who_may_apply(app, world, db):
    world.scheme.description = "Sertifikasi kompetensi pekerja sosial generalis."
    db.session.commit()
    response = browser(app).get("/schemes/PSG")
    assert response.status_code == 200
    page = response.text
    assert "Pekerja Sosial Generalis" in page and "Level: Generalis" in page
    assert "Sertifikasi kompetensi pekerja sosial generalis." in page
    who = page[page.index('id="who"') : page.index('id="steps"')]
    assert "Social work (peksos)" in who and "Social welfare (kesos)" in who and "Other field" not in who
    assert "At least 1,344 hours of social-work practice" in who
    assert "Diploma" in who and "Work letter" in who
    assert "5 years, then recertification" in who
    units = page[page.index('id="units"') :]
    for code in ("PSG.U1", "PSG.U2", "PSG.U1.E2", "PSG.U2.E2.K2"):
        assert code in units
    assert "Criterion 2.2.2" in units
    other = browser(app).get("/schemes/PNY").text
    assert "Other field" in other and "No minimum practice hours" in other


def test_the_steps_follow_the_workflow_and_say_who_acts(app, world):
    page = browser(app).get("/schemes/PSG").text
    assert _steps(page) == MAIN_PATH
    assert "Next: “Submit” by Candidate (who applied)" in page
    flat = " ".join(page.split())
    assert "Next: “Certify” by Certifier (not involved in the assessment), when the team recommended K." in flat
    sides = page[page.index('class="scheme-sides"') :]
    for state in ("revision_requested", "ineligible", "not_yet_competent", "under_appeal", "withdrawn"):
        assert f'data-state="{state}"' in sides
    assert "Revision requested</strong>: reached from Submitted (Request revision)." in " ".join(sides.split())


def test_without_applications_there_is_not_enough_data_yet(app, world):
    page = browser(app).get("/schemes/PSG").text
    assert page.count("not enough data yet") == len(MAIN_PATH) - 1  # the last step has no duration


def test_usual_durations_are_the_median_over_the_schemes_applications(app, world, monkeypatch):
    start = clock.now()
    first, second = world.new_application(), world.new_application()
    for application, days in ((first, 2), (second, 4)):
        monkeypatch.setattr(clock, "now", lambda d=days: start + timedelta(days=d))
        world.fire(application, "submit", world.candidate)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=10))
    world.mark_documents(first, "valid")
    world.fire(first, "approve", world.admin_batam)
    # another scheme's applications do not count
    other = world.new_application(scheme=world.other_scheme)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=30))
    world.fire(other, "submit", world.candidate)
    page = browser(app).get("/schemes/PSG").text
    assert re.search(r'data-state="draft" data-days="3.0">\s*<p class="step-title"><strong>Draft</strong>', page)
    assert "usually about 3 days" in page
    # submitted: 8 days (first, approved on day 10) and 26 days (second, still there on day 30): median 17
    assert 'data-state="submitted" data-days="17.0"' in page and "usually about 17 days" in page
    assert 'data-state="eligible" data-days="20.0"' in page
    assert page.count("not enough data yet") == 3  # team assigned, in assessment, assessed


def test_an_unknown_or_closed_scheme_is_not_found(app, world, db):
    make_scheme("OLD", units=1, name="Skema Lama", active=False)
    db.session.commit()
    assert browser(app).get("/schemes/NOPE").status_code == 404
    assert browser(app).get("/schemes/OLD").status_code == 404
    assert browser(app).get("/schemes/" + "X" * 300).status_code == 404


def test_the_pages_are_in_indonesian_by_default(app, world):
    page = browser(app, lang=None).get("/schemes/PSG").text
    assert '<html lang="id">' in page
    steps = page[page.index('<ol class="scheme-steps">') :]
    assert "<strong>Draf</strong>" in steps and "<strong>Diajukan</strong>" in steps
    assert "<strong>Tersertifikasi</strong>" in steps


def test_the_scheme_pages_may_be_indexed_the_verification_pages_still_not(app, world):
    b = browser(app)
    assert "X-Robots-Tag" not in b.get("/schemes").headers
    assert "X-Robots-Tag" not in b.get("/schemes/PSG").headers
    assert b.get("/verify").headers["X-Robots-Tag"] == "noindex, nofollow"


def test_a_candidate_is_offered_to_apply_with_the_scheme_chosen(app, world):
    b = browser(app, world.candidate)
    page = b.get("/schemes/PNY").text
    assert 'href="/candidate/?scheme=PNY#new"' in page
    home = b.get("/candidate/?scheme=PNY").text
    assert '<option value="PNY" selected>' in home
    assert 'href="/register"' in browser(app).get("/schemes/PNY").text


def test_the_pages_ask_a_constant_number_of_questions(app, world, db, monkeypatch):
    b = browser(app)
    b.get("/schemes")
    with count_queries() as list_few:
        b.get("/schemes")
    with count_queries() as page_few:
        b.get("/schemes/PSG")
    for n in range(4):
        make_scheme(f"S{n}", units=3, elements=3, criteria=3)
    make_scheme("BIG", units=6, elements=4, criteria=5)
    db.session.commit()
    for _ in range(3):
        world.advance(world.new_application(), "submitted")
    with count_queries() as list_many:
        b.get("/schemes")
    with count_queries() as page_many:
        assert "BIG.U6.E4.K5" in b.get("/schemes/BIG").text
        b.get("/schemes/PSG")
    assert list_many[0] == list_few[0]
    assert page_many[0] == 2 * page_few[0]
