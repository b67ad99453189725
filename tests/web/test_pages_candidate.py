"""The candidate's home and application pages: who may open them, progress, the next step, starting an application."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import Application, Criterion, Score, Unit
from tests.factories import make_team
from tests.web.test_pages_candidate_support import bare_draft, browser, neighbour, next_steps, post
from tests.web.test_pages_support import count_queries, fresh

PAGES = ("", "/apl01", "/self-assessment", "/documents", "/certificate.pdf")


def _steps(html: str) -> list[tuple[str, str]]:
    """(state, status) of every step of the first progress view of a page."""
    block = html[html.index('<ol class="progress"') :]
    block = block[: block.index("</ol>")]
    return re.findall(r'data-state="([a-z_]+)" data-status="([a-z]+)"', block)


# -- who may open the pages ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["/", *(f"/applications/1{p}" for p in PAGES)])
def test_a_visitor_is_sent_to_the_login_page(app, world, suffix):
    world.new_application()
    response = browser(app).get(f"/candidate{suffix}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("who", ["admin_batam", "admin_kepri", "certifier", "sysadmin", "lead", "member"])
def test_other_roles_may_not_use_the_candidate_pages(app, world, who):
    application = world.new_application()
    user = getattr(world, who)
    b = browser(app, getattr(user, "user", user))
    assert b.get("/candidate/").status_code == 403
    assert b.get(f"/candidate/applications/{application.id}").status_code == 403
    assert b.get(f"/candidate/applications/{application.id}/apl01").status_code == 403


@pytest.mark.parametrize("suffix", PAGES)
def test_another_candidates_application_is_not_found(app, world, suffix):
    other = neighbour(world)
    theirs = world.advance(world.new_application(candidate=other), "certified")
    b = browser(app, world.candidate)
    response = b.get(f"/candidate/applications/{theirs.id}{suffix}")
    assert response.status_code == 404
    assert other.name not in response.text
    assert b.get(f"/candidate/applications/999999{suffix}").status_code == 404


def test_another_candidates_application_cannot_be_acted_on(app, world, db):
    theirs = world.new_application(candidate=world.other_candidate)
    b = browser(app, world.candidate)
    page = "/candidate/"
    for action in ("events/submit", "events/withdraw", "apl01", "self-assessment", "documents"):
        response = post(b, page, f"/candidate/applications/{theirs.id}/{action}", practice_hours="1")
        assert response.status_code == 404, action
    fresh(db)
    assert db.session.get(Application, theirs.id).state == "draft"
    assert db.session.get(Application, theirs.id).apl01["practice_hours"] == 2000


def test_a_candidate_who_is_also_an_assessor_still_sees_only_their_own_applications(app, world, db):
    world.lead.user.set_roles(world.lead.user.roles | {"candidate"})
    db.session.commit()
    assessed = world.advance(world.new_application(), "team_assigned")  # the lead's team assesses it
    b = browser(app, world.lead.user)
    assert b.get("/candidate/").status_code == 200
    assert b.get(f"/candidate/applications/{assessed.id}").status_code == 404


# -- the home page -----------------------------------------------------------------------------


def test_home_lists_only_the_candidates_own_applications_with_their_progress(app, world):
    mine = world.advance(world.new_application(), "submitted")
    theirs = world.new_application(candidate=world.other_candidate, scheme=world.other_scheme)
    page = browser(app, world.candidate).get("/candidate/").text
    assert f'data-application="{mine.id}"' in page
    assert f'data-application="{theirs.id}"' not in page
    steps = _steps(page)
    assert [s for s, _ in steps] == [
        "draft",
        "submitted",
        "eligible",
        "team_assigned",
        "in_assessment",
        "assessed",
        "certified",
    ]
    assert dict(steps)["draft"] == "done" and dict(steps)["submitted"] == "current"
    assert dict(steps)["eligible"] == "upcoming"
    assert next_steps(page) == [("wait", "Waiting for verification by Dinas Sosial Kota Batam.")]


def test_home_without_applications_points_to_the_schemes(app, world):
    page = browser(app, world.candidate).get("/candidate/").text
    assert "You have no application yet" in page
    assert 'href="/schemes"' in page


def test_home_is_in_indonesian_by_default(app, world):
    world.new_application()
    page = browser(app, world.candidate, lang=None).get("/candidate/").text
    assert '<html lang="id">' in page
    assert ">Draf</span>" in page


def test_the_navigation_links_the_home_page(app, world):
    page = browser(app, world.candidate).get("/").text
    assert 'href="/candidate/"' in page


def _one_of_each(world) -> None:
    """A draft, a revision request, an assessment under way, a decline and a certificate."""
    bare_draft(world.candidate, world.scheme)
    revising = world.advance(world.new_application(), "submitted")
    world.fire(revising, "request_revision", world.admin_batam, reason="x", data={"deadline": "2099-01-01"})
    world.advance(world.new_application(), "in_assessment")
    declined = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(declined, "decline", world.certifier, reason="Unit 1 belum kompeten")
    world.advance(world.new_application(), "certified")


def test_home_asks_the_database_the_same_number_of_questions_for_few_or_many_applications(app, world, db):
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 10
    db.session.commit()
    _one_of_each(world)
    b = browser(app, world.candidate)
    b.get("/candidate/")
    with count_queries() as few:
        assert b.get("/candidate/").status_code == 200
    _one_of_each(world)
    _one_of_each(world)
    with count_queries() as many:
        page = b.get("/candidate/").text
    assert page.count("data-application=") == 15
    assert many[0] == few[0] <= 9  # the documents come with the applications (README Performance)


# -- the next step, per state ------------------------------------------------------------------


def _next(app, world, application) -> tuple[str, str]:
    response = browser(app, world.candidate).get(f"/candidate/applications/{application.id}")
    assert response.status_code == 200
    steps = next_steps(response.text)
    assert len(steps) == 1, response.text
    return steps[0]


def test_next_step_of_an_empty_draft_is_the_application_form(app, world):
    draft = bare_draft(world.candidate, world.scheme, {"education_field": "peksos"})
    assert _next(app, world, draft) == (
        "apl01",
        "Fill in the application form (APL-01): level of education, practice hours, route of application, "
        "purpose of the assessment.",
    )


def test_next_step_after_the_form_is_the_self_assessment_with_how_many_criteria_are_left(app, world, db):
    draft = bare_draft(
        world.candidate,
        world.scheme,
        {
            "education_field": "peksos",
            "education_level": "S1",
            "practice_hours": 2000,
            "route": "education",
            "purpose": "certification",
        },
    )
    assert _next(app, world, draft) == ("self_assessment", "Complete the self-assessment (APL-02): 8 criteria left.")
    from certflow.models import Criterion, SelfAssessmentAnswer

    first = db.session.scalar(select(Criterion).where(Criterion.scheme_id == world.scheme.id).limit(1))
    db.session.add(SelfAssessmentAnswer(application_id=draft.id, criterion_id=first.id, claim="K", evidence=""))
    db.session.commit()
    assert _next(app, world, draft)[1] == "Complete the self-assessment (APL-02): 7 criteria left."


def test_next_step_names_the_documents_still_to_upload_then_says_submit(app, world, db):
    draft = world.new_application()
    for doc in list(draft.documents):
        db.session.delete(doc)
    db.session.commit()
    assert _next(app, world, draft) == ("documents", "Upload: Diploma, Work letter.")
    ready = world.new_application(scheme=world.other_scheme)
    assert _next(app, world, ready) == ("submit", "Everything is ready: submit your application.")


def test_next_step_of_a_revision_request_names_the_deadline_and_the_reason(app, world):
    application = world.advance(world.new_application(), "submitted")
    world.mark_documents(application, "invalid")
    world.fire(
        application,
        "request_revision",
        world.admin_batam,
        reason="Ijazah tidak terbaca",
        data={"deadline": "2099-03-01"},
    )
    page = browser(app, world.candidate).get(f"/candidate/applications/{application.id}").text
    assert next_steps(page) == [("revise", "Revise before March 1, 2099: Ijazah tidak terbaca")]
    box = page[page.index('class="revision-box"') :]
    assert "Deadline: March 1, 2099" in box and "Ijazah tidak terbaca" in box
    assert "Documents to replace:" in box and "diploma.pdf" in box
    assert dict(_steps(page))["revision_requested"] == "current"


@pytest.mark.parametrize(
    ("state", "kind", "text"),
    [
        ("eligible", "wait", "Waiting for Dinas Sosial Kota Batam to assign an assessor team."),
        (
            "team_assigned",
            "wait",
            "Your assessor team (Tim Kepri 1) is preparing your assessment; they will contact you.",
        ),
        ("in_assessment", "wait", "You are being assessed by Tim Kepri 1: follow their instructions."),
        ("assessed", "wait", "Waiting for the certification decision."),
    ],
)
def test_next_step_while_others_act(app, world, state, kind, text):
    application = world.advance(world.new_application(), state)
    assert _next(app, world, application) == (kind, text)


def test_next_step_of_a_certified_application_is_the_certificate(app, world, db):
    application = world.advance(world.new_application(), "certified")
    fresh(db)
    number = db.session.get(Application, application.id).certificate.number
    kind, text = _next(app, world, application)
    assert (kind, text) == ("certificate", f"Congratulations, you are certified! Download your certificate ({number}).")
    page = browser(app, world.candidate).get(f"/candidate/applications/{application.id}").text
    assert f'href="/candidate/applications/{application.id}/certificate.pdf"' in page
    assert f'href="/verify/{number}"' in page


def test_next_step_of_a_decline_offers_reassessment_of_the_bk_units_and_an_appeal(app, world, monkeypatch):
    application = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(application, "decline", world.certifier, reason="Unit 1 belum kompeten")
    kind, text = _next(app, world, application)
    assert kind == "reassess"
    assert text.startswith("You were judged not yet competent: Unit 1 belum kompeten")
    assert "Request a reassessment of the units judged BK: PSG.U1." in text
    assert "If you disagree, you may appeal until" in text
    later = clock.now() + timedelta(days=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    kind, text = _next(app, world, application)
    assert "appeal" not in text and "PSG.U1" in text


def test_after_a_reassessment_by_another_team_the_next_step_names_the_units_the_guard_would(app, world, db):
    """The units kept K by a reassessment count as K on the home page too (as the guards count them).

    A second team whose lead scored only the reassessed unit: the page must not list the other unit.
    """
    w = world
    application = w.advance(w.new_application(), "assessed", recommendation="BK")  # PSG.U1 BK, PSG.U2 K
    w.fire(application, "decline", w.certifier, reason="Unit 1 belum kompeten")
    w.fire(application, "request_reassessment", w.candidate)  # PSG.U1 only
    other = make_team(w.dinas_kepri, w.scheme, w.member, [w.lead], name="Tim B")
    db.session.commit()
    w.fire(application, "assign_team", w.admin_kepri, data={"team": other.id})
    w.fire(application, "start_assessment", w.member.user)  # the first assessment's declarations stand
    unit_one = db.session.scalars(
        select(Criterion.id).join(Unit, Unit.id == Criterion.unit_id).where(Unit.code == "PSG.U1")
    ).all()
    db.session.add_all(
        Score(application_id=application.id, assessor_id=w.member.id, criterion_id=c, result="BK", method="portfolio")
        for c in unit_one
    )
    db.session.commit()
    w.fire(application, "recommend", w.member.user, data={"recommendation": "BK"})
    w.fire(application, "decline", w.certifier2, reason="Unit 1 masih belum kompeten")
    kind, text = _next(app, w, application)
    assert kind == "reassess"
    assert "Request a reassessment of the units judged BK: PSG.U1." in text


def test_next_step_of_a_rejection_offers_an_appeal_within_the_window_then_a_new_application(app, world, monkeypatch):
    application = world.advance(world.new_application(), "submitted")
    world.fire(application, "reject", world.admin_batam, reason="Bukan pegawai dinas")
    kind, text = _next(app, world, application)
    assert kind == "appeal"
    assert text.startswith("Your application was found ineligible: Bukan pegawai dinas")
    later = clock.now() + timedelta(days=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    kind, text = _next(app, world, application)
    assert kind == "closed" and text.endswith("You can start a new application.")


def test_next_step_of_a_withdrawn_application_says_why_it_closed(app, world, monkeypatch):
    withdrawn = world.new_application()
    world.fire(withdrawn, "withdraw", world.candidate)
    assert _next(app, world, withdrawn) == (
        "closed",
        "This application was withdrawn. You can start a new application.",
    )
    expired = world.advance(world.new_application(scheme=world.other_scheme), "submitted")
    world.fire(expired, "request_revision", world.admin_batam, reason="x", data={"deadline": "2099-01-01"})
    monkeypatch.setattr(clock, "today", lambda: clock.now().date().replace(year=2099, month=1, day=2))
    world.fire(expired, "expire_revision", None)
    assert _next(app, world, expired)[1].startswith("The revision deadline passed")


# -- the progress view: side states where they apply -------------------------------------------


def test_progress_shows_a_withdrawal_after_the_last_step_reached(app, world):
    application = world.advance(world.new_application(), "eligible")
    world.fire(application, "withdraw", world.candidate)
    steps = _steps(browser(app, world.candidate).get(f"/candidate/applications/{application.id}").text)
    assert steps == [
        ("draft", "done"),
        ("submitted", "done"),
        ("eligible", "done"),
        ("withdrawn", "current"),
        ("team_assigned", "stopped"),
        ("in_assessment", "stopped"),
        ("assessed", "stopped"),
        ("certified", "stopped"),
    ]


def test_progress_shows_an_appeal_after_the_decision_it_appeals(app, world):
    application = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(application, "decline", world.certifier, reason="BK")
    world.fire(application, "appeal", world.candidate, reason="Saya tidak setuju")
    steps = _steps(browser(app, world.candidate).get(f"/candidate/applications/{application.id}").text)
    assert steps[5:] == [
        ("assessed", "done"),
        ("not_yet_competent", "passed"),
        ("under_appeal", "current"),
        ("certified", "upcoming"),
    ]


# -- starting an application ---------------------------------------------------------------------


def test_a_candidate_starts_an_application_prefilled_from_their_profile(app, world, db):
    b = browser(app, world.candidate)
    response = post(b, "/candidate/", "/candidate/applications", scheme="PNY")
    assert response.status_code == 303
    fresh(db)
    created = db.session.scalars(select(Application).where(Application.candidate_id == world.candidate.id)).one()
    assert created.state == "draft" and created.scheme_id == world.other_scheme.id
    assert created.apl01 == {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    assert response.headers["Location"] == f"/candidate/applications/{created.id}"
    assert "Your application is open." in b.get(response.headers["Location"]).text


def test_starting_an_application_refuses_an_unknown_scheme_and_a_second_open_one(app, world, db):
    b = browser(app, world.candidate)
    response = post(b, "/candidate/", "/candidate/applications", scheme="NOPE")
    assert response.status_code == 422 and "Choose a scheme from the list." in response.text
    open_one = world.new_application()
    page = b.get("/candidate/").text
    assert re.search(r'<option value="PSG" disabled>\s*Pekerja Sosial Generalis', page)
    assert f"you have an open application (#{open_one.id})" in page
    response = post(b, "/candidate/", "/candidate/applications", scheme="PSG")
    assert response.status_code == 422
    assert f"you already have an open application ({open_one.id}) for PSG" in response.text
    assert '<option value="PSG" selected disabled>' in response.text  # what was chosen is kept
    fresh(db)
    assert len(db.session.scalars(select(Application)).all()) == 1


def test_a_holder_of_an_active_certificate_is_offered_recertification(app, world, db):
    old = world.advance(world.new_application(), "certified")
    fresh(db)
    number = db.session.get(Application, old.id).certificate.number
    b = browser(app, world.candidate)
    assert f"recertification of {number}" in b.get("/candidate/").text
    response = post(b, "/candidate/", "/candidate/applications", scheme="PSG")
    assert response.status_code == 303
    fresh(db)
    renewal = db.session.scalars(
        select(Application).where(Application.candidate_id == world.candidate.id, Application.id != old.id)
    ).one()
    assert renewal.previous_certificate.number == number
    assert "recertification" in b.get("/candidate/").text
