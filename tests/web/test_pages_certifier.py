"""The certifier's pages: the decision queue, the whole record, deciding, appeals — and who is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.extensions import db as _db
from certflow.models import Application, Criterion, Score, TeamMember
from tests.factories import make_assessor, make_user
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(getattr(user, "user", user))
    browser.get("/?lang=en")
    return browser


def _version(db, application) -> int:
    fresh(db)
    return db.session.scalar(select(Application.version).where(Application.id == application.id))


def _state(db, application) -> str:
    fresh(db)
    return db.session.scalar(select(Application.state).where(Application.id == application.id))


def _fire(browser, db, application, event, **data):
    page = browser.get(f"/certifier/applications/{application.id}").text
    return browser.post(
        f"/certifier/applications/{application.id}/events/{event}",
        data={"csrf_token": csrf_token(page), "version": _version(db, application), **data},
    )


def _events(page: str) -> set[str]:
    import re

    return set(re.findall(r'action="/certifier/applications/\d+/events/([a-z_]+)"', page))


# -- who may open the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["candidate", "admin_batam", "admin_kepri", "lead", "sysadmin"])
def test_the_certifier_pages_are_refused_to_other_roles(app, world, who):
    application = world.advance(world.new_application(), "assessed")
    browser = Browser(app).login(getattr(getattr(world, who), "user", getattr(world, who)))
    for path in (
        "/certifier/",
        "/certifier/appeals",
        "/certifier/certificates",
        f"/certifier/applications/{application.id}",
    ):
        assert browser.get(path).status_code == 403, path
    page = browser.get(f"/applications/{application.id}").text
    token = csrf_token(page) if "csrf_token" in page else csrf_token(browser.get("/").text)
    response = browser.post(
        f"/certifier/applications/{application.id}/events/certify",
        data={"csrf_token": token, "version": application.version},
    )
    assert response.status_code == 403
    assert _state(_db, application) == "assessed"


def test_a_draft_is_not_found_and_unknown_events_are_404(app, world, db):
    draft = world.new_application()
    browser = _browser(app, world.certifier)
    assert browser.get(f"/certifier/applications/{draft.id}").status_code == 404
    assert browser.get("/certifier/applications/999999").status_code == 404
    eligible = world.advance(world.new_application(world.candidate, world.other_scheme), "eligible")
    assert _fire(browser, db, eligible, "approve").status_code == 404


# -- the decision queue -----------------------------------------------------------------------------


def test_the_queue_lists_assessed_applications_oldest_first_and_pages(app, world, db, monkeypatch):
    first = world.advance(world.new_application(), "assessed")
    second = world.advance(world.new_application(), "in_assessment")
    world.score_all(second, world.lead)
    world.fire(second, "recommend", world.lead.user, data={"recommendation": "K"})
    third = world.advance(world.new_application(), "in_assessment")  # not assessed: not listed
    browser = _browser(app, world.certifier)
    page = browser.get("/certifier/").text
    assert page.index(f'data-application="{first.id}"') < page.index(f'data-application="{second.id}"')
    assert f'data-application="{third.id}"' not in page
    assert "Siti Candidate" in page and "Tim Kepri 1" in page
    monkeypatch.setattr("certflow.certifier.routes.PER_PAGE", 1)
    page1 = browser.get("/certifier/").text
    assert f'data-application="{first.id}"' in page1 and f'data-application="{second.id}"' not in page1
    assert "Page 1 of 2" in page1
    page2 = browser.get("/certifier/?page=2").text
    assert f'data-application="{second.id}"' in page2 and f'data-application="{first.id}"' not in page2


def test_the_queue_runs_a_constant_number_of_queries(app, world, db):
    world.advance(world.new_application(), "assessed")
    browser = _browser(app, world.certifier)
    with count_queries() as one:
        browser.get("/certifier/")
    for _ in range(3):
        a = world.advance(world.new_application(), "in_assessment")
        world.score_all(a, world.lead)
        world.fire(a, "recommend", world.lead.user, data={"recommendation": "K"})
    with count_queries() as four:
        page = browser.get("/certifier/").text
    assert page.count("data-application=") == 4
    assert four[0] == one[0]


# -- the whole record ------------------------------------------------------------------------------------


def test_the_record_shows_everything_needed_to_decide(app, world, db):
    application = world.advance(world.new_application(), "in_assessment")
    application.apl01 = {**application.apl01, "workplace": "Dinas Sosial Kota Batam", "phone": "0812 3456"}
    db.session.commit()
    world.score_all(application, world.member, result="BK")
    world.score_all(application, world.lead)
    world.fire(application, "recommend", world.lead.user, data={"recommendation": "K"})
    page = _browser(app, world.certifier2).get(f"/certifier/applications/{application.id}")
    assert page.status_code == 200
    text = page.text
    assert "Application (APL-01)" in text and "Dinas Sosial Kota Batam" in text
    assert "0812 3456" not in text  # personal data: the candidate and their dinas admins only (rule 8)
    for doc in application.documents:
        assert f'href="/certifier/documents/{doc.id}"' in text
    assert "Tim Kepri 1" in text and "Lead Assessor" in text and "Member Assessor" in text
    assert "declared no conflict of interest" in text
    assert 'data-recommendation="K"' in text
    assert text.count('class="disagree"') == 8 and "Members differ on 8 criteria." in text
    assert "seen" in text  # the evidence of the scores
    for event in ("Submit", "Approve", "Assign team", "Start assessment", "Recommend"):
        assert f"<strong>{event}</strong>" in text
    assert _events(text) == {"certify", "decline", "return_assessment"}


def test_a_certifier_certifies_through_the_page(app, world, db):
    application = world.advance(world.new_application(), "assessed")
    browser = _browser(app, world.certifier)
    response = _fire(browser, db, application, "certify")
    assert response.status_code == 303 and response.headers["Location"].endswith("/certifier/")
    assert _state(db, application) == "certified"
    assert "Certify: done." in browser.get("/certifier/").text
    record = browser.get(f"/certifier/applications/{application.id}").text
    assert "/certifier/certificates/PSG-" in record and _events(record) == set()


def test_decline_and_return_need_a_reason_and_keep_what_was_typed(app, world, db):
    application = world.advance(world.new_application(), "assessed")
    browser = _browser(app, world.certifier)
    refused = _fire(browser, db, application, "decline", reason="   ")
    assert refused.status_code == 422 and "A reason is required." in refused.text
    assert _state(db, application) == "assessed"
    stale = browser.post(
        f"/certifier/applications/{application.id}/events/decline",
        data={
            "csrf_token": csrf_token(refused.text),
            "version": _version(db, application) - 1,
            "reason": "Evidence of unit 2 is thin",
        },
    )
    assert stale.status_code == 409 and "reload it and try again" in stale.text
    assert "Evidence of unit 2 is thin" in stale.text  # the reason typed is kept
    returned = _fire(browser, db, application, "return_assessment", reason="Score unit 2 again, please")
    assert returned.status_code == 303 and _state(db, application) == "in_assessment"


def test_a_certifier_declines_with_a_reason(app, world, db):
    application = world.advance(world.new_application(), "assessed", recommendation="BK")
    browser = _browser(app, world.certifier)
    assert _fire(browser, db, application, "certify").status_code == 422
    assert _fire(browser, db, application, "decline", reason="Unit 1 is BK").status_code == 303
    assert _state(db, application) == "not_yet_competent"


@pytest.mark.parametrize("how", ["on_team", "scored"])
def test_a_certifier_who_assessed_the_candidate_cannot_decide(app, world, db, how):
    user = make_user(["certifier", "assessor"], world.dinas_kepri, name="Certifier And Assessor")
    assessor = make_assessor(world.dinas_kepri, [world.scheme], user=user)
    if how == "on_team":
        db.session.add(TeamMember(team_id=world.team.id, assessor_id=assessor.id))
    db.session.commit()
    application = world.new_application()
    if how == "on_team":
        world.declare(application, assessor)
    world.advance(application, "assessed")
    if how == "scored":
        criterion = db.session.scalar(select(Criterion.id).where(Criterion.scheme_id == application.scheme_id).limit(1))
        db.session.add(
            Score(application_id=application.id, assessor_id=assessor.id, criterion_id=criterion, result="K")
        )
        db.session.commit()
    browser = _browser(app, user)
    queue = browser.get("/certifier/").text
    assert "another certifier decides" in queue
    record = browser.get(f"/certifier/applications/{application.id}").text
    assert _events(record) == set()
    assert "You are on this candidate’s assessor team or scored them" in record
    for event, data in (("certify", {}), ("decline", {"reason": "no"}), ("return_assessment", {"reason": "no"})):
        response = _fire(browser, db, application, event, **data)
        assert response.status_code == 403, event
    assert _state(db, application) == "assessed"


def test_documents_are_downloaded_as_attachments(app, world, db):
    application = world.advance(world.new_application(), "assessed")
    doc = application.documents[0]
    from certflow import storage

    storage.current().put(doc.stored_name, b"%PDF-1.4 record", replace=True)
    response = _browser(app, world.certifier).get(f"/certifier/documents/{doc.id}")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 record"
    assert response.headers["Content-Disposition"].startswith("attachment")
    draft = world.new_application(world.other_candidate)
    assert _browser(app, world.certifier).get(f"/certifier/documents/{draft.documents[0].id}").status_code == 404


# -- appeals ---------------------------------------------------------------------------------------------


@pytest.fixture()
def appealed(world):
    application = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(application, "decline", world.certifier, reason="Unit 1 was not shown")
    world.fire(application, "appeal", world.candidate, reason="My assessor never looked at my portfolio")
    return application


def test_the_appeals_queue_shows_the_reason_and_the_decision_appealed(app, world, db, appealed):
    other = world.advance(world.new_application(), "assessed")
    page = _browser(app, world.certifier2).get("/certifier/appeals").text
    assert f'data-application="{appealed.id}"' in page and f'data-application="{other.id}"' not in page
    assert "My assessor never looked at my portfolio" in page
    assert "Unit 1 was not shown" in page and "Certifier One" in page and "Not yet competent" in page
    assert "Open the record and decide" in page


def test_the_decider_cannot_handle_the_appeal(app, world, db, appealed):
    browser = _browser(app, world.certifier)
    assert "You took the decision appealed" in browser.get("/certifier/appeals").text
    record = browser.get(f"/certifier/applications/{appealed.id}").text
    assert _events(record) == set() and "You took the decision appealed" in record
    for event in ("uphold_appeal", "dismiss_appeal"):
        assert _fire(browser, db, appealed, event, reason="I stand by it").status_code == 403
    assert _state(db, appealed) == "under_appeal"


def test_another_certifier_upholds_the_appeal_with_a_reason(app, world, db, appealed):
    browser = _browser(app, world.certifier2)
    record = browser.get(f"/certifier/applications/{appealed.id}").text
    assert _events(record) == {"uphold_appeal", "dismiss_appeal"}
    assert "My assessor never looked at my portfolio" in record and "Unit 1 was not shown" in record
    refused = _fire(browser, db, appealed, "uphold_appeal", reason="")
    assert refused.status_code == 422 and "A reason is required." in refused.text
    done = _fire(browser, db, appealed, "uphold_appeal", reason="The portfolio was not assessed")
    assert done.status_code == 303 and done.headers["Location"].endswith("/certifier/appeals")
    assert _state(db, appealed) == "eligible"


def test_another_certifier_dismisses_the_appeal(app, world, db, appealed):
    browser = _browser(app, world.certifier2)
    assert _fire(browser, db, appealed, "dismiss_appeal", reason="The scores are sound").status_code == 303
    assert _state(db, appealed) == "not_yet_competent"


def test_the_record_and_the_appeals_queue_run_a_constant_number_of_queries(app, world, db, appealed):
    browser = _browser(app, world.certifier2)
    path = f"/certifier/applications/{appealed.id}"
    with count_queries() as record_one:
        browser.get(path)
    with count_queries() as appeals_one:
        browser.get("/certifier/appeals")
    # More history, more documents, more scores, a second appeal.
    world.fire(appealed, "uphold_appeal", world.certifier2, reason="Reassess")
    world.fire(appealed, "assign_team", world.admin_kepri, data={"team": world.team.id})
    world.fire(appealed, "start_assessment", world.lead.user)
    world.score_all(appealed, world.member)
    world.fire(appealed, "recommend", world.lead.user, data={"recommendation": "BK"})
    world.fire(appealed, "decline", world.certifier, reason="Still BK")
    world.fire(appealed, "appeal", world.candidate, reason="Again")
    second = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(second, "decline", world.certifier, reason="BK")
    world.fire(second, "appeal", world.candidate, reason="Please look again")
    with count_queries() as record_more:
        assert "Still BK" in browser.get(path).text
    with count_queries() as appeals_more:
        assert browser.get("/certifier/appeals").text.count("data-application=") == 2
    assert record_more[0] == record_one[0]
    assert appeals_more[0] == appeals_one[0]


def test_the_certifier_reads_the_leads_notes_with_the_recommendation(app, world, db):
    application = world.advance(world.new_application(), "in_assessment")
    world.score_all(application, world.lead)
    notes = "Observed at the shelter.\nPortfolio complete."
    world.fire(application, "recommend", world.lead.user, data={"recommendation": "K", "recommendation_notes": notes})
    page = _browser(app, world.certifier).get(f"/certifier/applications/{application.id}").text
    assert "Notes with the recommendation" in page
    assert page.count("Observed at the shelter.\nPortfolio complete.") == 2  # in the decision card and the history
    # a dinas admin does not see the recommendation, nor its notes
    admin = Browser(app).login(world.admin_batam)
    assert "Observed at the shelter." not in admin.get(f"/applications/{application.id}?lang=en").text
