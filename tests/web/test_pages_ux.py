"""Pages a person manages alone (issue 14): confirmations, names said once, plain messages, the favicon."""

from __future__ import annotations

from certflow.web.labels import team_name
from tests.web.test_pages_admin_pool import admin_browser
from tests.web.test_pages_candidate_support import browser


def test_a_team_name_is_said_once():
    assert team_name("Tim Kepri 1") == "Kepri 1"
    assert team_name("team inti") == "inti"
    assert team_name("Tim") == "Tim"
    assert team_name("Timur Raya") == "Timur Raya"
    assert team_name(None) == ""


def test_the_team_page_says_tim_once_and_asks_before_disbanding(app, world):
    page = admin_browser(app, world.admin_kepri).get(f"/admin/teams/{world.team.id}").text
    assert "Team Tim" not in page and "Team Kepri 1" in page
    assert 'data-confirm="disband"' in page and "Yes, disband it" in page


def test_deleting_a_document_asks_first_and_the_page_ends_with_the_next_step(app, world):
    application = world.new_application()
    page = (
        browser(app, world.candidate, lang="id").get(f"/candidate/applications/{application.id}/documents?lang=id").text
    )
    assert page.count('<details class="confirm"') == len(application.documents) > 0
    assert "Ya, hapus" in page
    assert page.rindex("Berikutnya: periksa dan kirim permohonan") > page.rindex("/delete")


def test_every_page_has_a_favicon(app, world):
    page = browser(app, world.candidate).get("/candidate/").text
    assert 'rel="icon"' in page
    assert app.test_client().get("/static/favicon.svg").status_code == 200
