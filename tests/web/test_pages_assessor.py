"""The assessor's pages: the queue, the conflict declaration, who may open them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import Application, ConflictDeclaration
from tests.factories import make_assessor, make_team, make_user
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(getattr(user, "user", user))
    browser.get("/?lang=en")  # the assertions read the English words
    return browser


def _state(db, application) -> str:
    fresh(db)
    return db.session.scalar(select(Application.state).where(Application.id == application.id))


def _version(db, application) -> int:
    fresh(db)
    return db.session.scalar(select(Application.version).where(Application.id == application.id))


# -- who may open the assessor's pages -----------------------------------------------------------


@pytest.mark.parametrize("who", ["candidate", "admin_batam", "certifier", "sysadmin"])
def test_the_assessor_pages_are_refused_to_other_roles(app, world, who):
    application = world.advance(world.new_application(), "in_assessment")
    browser = Browser(app).login(getattr(world, who))
    for path in (
        "/assessor/",
        f"/assessor/applications/{application.id}/conflict",
        f"/assessor/applications/{application.id}/scores",
    ):
        assert browser.get(path).status_code == 403, path


def test_an_anonymous_visitor_is_sent_to_the_login_page(app, world):
    response = Browser(app).get("/assessor/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("page", ["conflict", "scores"])
def test_an_assessor_outside_the_team_gets_404_for_the_candidate(app, world, page):
    application = world.advance(world.new_application(), "team_assigned")
    outsider = make_assessor(world.pekanbaru, [world.scheme], name="Outside Assessor")
    from certflow.extensions import db

    db.session.commit()
    browser = _browser(app, outsider)
    response = browser.get(f"/assessor/applications/{application.id}/{page}")
    assert response.status_code == 404
    assert world.candidate.name not in response.text
    assert world.candidate.name not in browser.get("/assessor/").text
    assert browser.get("/assessor/applications/999999/conflict").status_code == 404


def test_an_assessor_who_is_also_dinas_admin_still_gets_404_outside_their_teams(app, world, db):
    """Seeing the application as its dinas admin does not open the assessor's pages on it."""
    user = make_user(["dinas_admin"], world.batam, name="Admin And Assessor")
    make_assessor(world.batam, [world.scheme], user=user)
    db.session.commit()
    application = world.advance(world.new_application(), "team_assigned")
    browser = _browser(app, user)
    assert browser.get(f"/applications/{application.id}").status_code == 200
    assert browser.get(f"/assessor/applications/{application.id}/conflict").status_code == 404


def test_a_document_is_downloaded_only_by_the_team(app, world, db):
    application = world.advance(world.new_application(), "in_assessment")
    doc = application.documents[0]
    from certflow import storage

    storage.current().put(doc.stored_name, b"%PDF-1.4 test", replace=True)
    member = _browser(app, world.member)
    response = member.get(f"/assessor/documents/{doc.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == b"%PDF-1.4 test"
    outsider = make_assessor(world.pekanbaru, [world.scheme], name="Outside Assessor")
    db.session.commit()
    assert _browser(app, outsider).get(f"/assessor/documents/{doc.id}").status_code == 404
    assert _browser(app, world.candidate).get(f"/assessor/documents/{doc.id}").status_code == 403


# -- the queue --------------------------------------------------------------------------------------


def test_the_queue_shows_the_team_candidates_with_state_lead_and_due_date(app, world):
    application = world.advance(world.new_application(), "team_assigned")
    other = world.advance(world.new_application(world.other_candidate), "submitted")  # no team yet
    due = (clock.today() + timedelta(days=30)).isoformat()
    lead_page = _browser(app, world.lead).get("/assessor/").text
    assert f'data-application="{application.id}"' in lead_page
    assert f'data-application="{other.id}"' not in lead_page
    assert world.candidate.name in lead_page and "Tim Kepri 1" in lead_page
    assert "You lead this team" in lead_page and "Team assigned" in lead_page
    assert "Overdue" not in lead_page
    assert f'<time datetime="{due}">Due ' in lead_page
    assert "Conflict of interest: not declared yet" in lead_page
    member_page = _browser(app, world.member).get("/assessor/").text
    assert f'data-application="{application.id}"' in member_page
    assert "Member" in member_page and "You lead this team" not in member_page


def test_an_assessment_past_its_due_date_is_marked_overdue(app, world, monkeypatch):
    application = world.advance(world.new_application(), "in_assessment")
    browser = _browser(app, world.lead)
    assert "Overdue" not in browser.get("/assessor/").text
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = browser.get("/assessor/").text
    assert "queue-item overdue" in page and "Overdue" in page
    assert "Overdue" in browser.get(f"/assessor/applications/{application.id}/scores").text


def test_the_queue_keeps_recently_finished_candidates_and_drops_old_ones(app, world, monkeypatch):
    application = world.advance(world.new_application(), "certified")
    browser = _browser(app, world.member)
    page = browser.get("/assessor/").text
    assert f'data-application="{application.id}"' in page and "Certified" in page
    later = clock.now() + timedelta(days=40)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert f'data-application="{application.id}"' not in browser.get("/assessor/").text


def test_the_queue_runs_a_constant_number_of_queries(app, world, db):
    browser = _browser(app, world.lead)
    world.advance(world.new_application(), "team_assigned")
    with count_queries() as one:
        assert browser.get("/assessor/").status_code == 200
    big_team = make_team(world.dinas_kepri, world.other_scheme, world.lead, [world.member], name="Tim Kepri 2")
    world.lead.max_load = world.member.max_load = world.other_scheme.max_load = 20
    db.session.commit()
    for n in range(6):
        candidate = make_user("candidate", world.batam, name=f"Queue Candidate {n}", education_field="peksos")
        db.session.commit()
        extra = world.advance(world.new_application(candidate, world.other_scheme), "eligible")
        world.fire(extra, "assign_team", world.admin_kepri, data={"team": big_team.id})
    with count_queries() as many:
        page = browser.get("/assessor/").text
    assert page.count('class="queue-item') == 7
    # user and roles, assessor, the queue's facts (own declaration included), its applications, the unread
    # count (+ the session's own)
    assert many[0] == one[0] <= 10


def test_an_assessor_without_an_assessor_record_sees_an_explanation(app, world, db):
    user = make_user("assessor", world.batam, name="Not Yet Registered")
    db.session.commit()
    page = _browser(app, user).get("/assessor/")
    assert page.status_code == 200 and "not registered as an assessor" in page.text


# -- the conflict declaration ------------------------------------------------------------------------


def _declare(browser, application, **data):
    path = f"/assessor/applications/{application.id}/conflict"
    token = csrf_token(browser.get(path).text)
    return browser.post(path, data={"csrf_token": token, **data})


def test_a_member_declares_no_conflict(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    browser = _browser(app, world.member)
    response = _declare(browser, application, conflict="no", note="")
    assert response.status_code == 303
    fresh(db)
    row = db.session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.application_id == application.id))
    assert row.assessor_id == world.member.id and row.conflict is False
    page = browser.get(f"/assessor/applications/{application.id}/conflict").text
    assert 'data-declared="none"' in page and 'value="no" checked' in page


def test_a_conflict_without_a_note_is_refused_and_the_form_keeps_the_answer(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    browser = _browser(app, world.member)
    response = _declare(browser, application, conflict="yes", note="  ")
    assert response.status_code == 422
    assert "Say what the conflict of interest is" in response.text
    assert 'value="yes" checked' in response.text
    nothing = _declare(browser, application, note="just a note")
    assert nothing.status_code == 422 and "Choose one of the two answers." in nothing.text
    assert "just a note" in nothing.text
    fresh(db)
    assert db.session.scalar(select(ConflictDeclaration.id)) is None


def test_a_declared_conflict_blocks_the_start_and_the_lead_sees_why(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    member = _browser(app, world.member)
    assert _declare(member, application, conflict="yes", note="She is my cousin").status_code == 303
    lead = _browser(app, world.lead)
    assert _declare(lead, application, conflict="no").status_code == 303
    page = lead.get(f"/assessor/applications/{application.id}/conflict").text
    assert "She is my cousin" in page and 'data-declared="conflict"' in page
    response = lead.post(
        f"/assessor/applications/{application.id}/events/start_assessment",
        data={"csrf_token": csrf_token(page), "version": _version(db, application)},
    )
    assert response.status_code == 422
    assert "Assessors declared a conflict of interest: Member Assessor." in response.text
    assert _state(db, application) == "team_assigned"


def test_the_lead_starts_the_assessment_once_everyone_declared(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    lead = _browser(app, world.lead)
    assert _declare(lead, application, conflict="no").status_code == 303
    page = lead.get(f"/assessor/applications/{application.id}/conflict").text
    assert 'data-event="start_assessment"' in page
    version = _version(db, application)
    refused = lead.post(
        f"/assessor/applications/{application.id}/events/start_assessment",
        data={"csrf_token": csrf_token(page), "version": version},
    )
    assert refused.status_code == 422 and "Member Assessor" in refused.text
    member = _browser(app, world.member)
    member_page = member.get(f"/assessor/applications/{application.id}/conflict").text
    assert 'data-event="start_assessment"' not in member_page
    assert _declare(member, application, conflict="no").status_code == 303
    version = _version(db, application)
    forbidden = member.post(
        f"/assessor/applications/{application.id}/events/start_assessment",
        data={"csrf_token": csrf_token(member_page), "version": version},
    )
    assert forbidden.status_code == 403
    world.agree(application)
    version = _version(db, application)  # the agreement written and signed moved the version: read it again
    started = lead.post(
        f"/assessor/applications/{application.id}/events/start_assessment",
        data={"csrf_token": csrf_token(page), "version": version},
    )
    assert started.status_code == 303
    assert started.headers["Location"].endswith(f"/assessor/applications/{application.id}/scores")
    assert _state(db, application) == "in_assessment"


def test_a_declaration_after_the_start_is_refused(app, world):
    application = world.advance(world.new_application(), "in_assessment")
    browser = _browser(app, world.member)
    page = browser.get(f"/assessor/applications/{application.id}/conflict")
    assert page.status_code == 200 and "conflict-form" not in page.text
    response = browser.post(
        f"/assessor/applications/{application.id}/conflict",
        data={"csrf_token": csrf_token(page.text), "conflict": "no"},
    )
    assert response.status_code == 409


def test_a_post_without_the_csrf_token_is_refused(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    browser = _browser(app, world.member)
    response = browser.post(f"/assessor/applications/{application.id}/conflict", data={"conflict": "no"})
    assert response.status_code == 400
    fresh(db)
    assert db.session.scalar(select(ConflictDeclaration.id)) is None
