"""The dinas admin's pages: who may use them, the scope of each admin, and the verification of candidates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock, storage
from certflow.models import Application, Document, TransitionLog
from tests.factories import make_assessor, make_team
from tests.web.test_pages_admin_support import admin_browser, candidate_in, submitted
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh

ADMIN_PAGES = (
    "/admin/verification",
    "/admin/assessors",
    "/admin/assessors/new",
    "/admin/teams",
    "/admin/teams/new",
    "/admin/assignment",
    "/admin/imports",
    "/admin/imports/assessors/template",
    "/admin/imports/candidates/template",
)


def _user(world, who):
    user = getattr(world, who)
    return getattr(user, "user", user)


# -- who may use the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin_batam", 200),
        ("admin_kepri", 200),
        ("candidate", 403),
        ("lead", 403),
        ("certifier", 403),
        ("sysadmin", 403),
    ],
)
def test_only_dinas_admins_use_the_admin_pages(app, world, page, who, status):
    assert Browser(app).login(_user(world, who)).get(page).status_code == status


@pytest.mark.parametrize("who", ["candidate", "lead", "certifier", "sysadmin"])
def test_others_may_not_post_to_any_admin_action(app, world, db, who):
    application = submitted(world)
    doc = application.documents[0]
    browser = Browser(app).login(_user(world, who))
    token = csrf_token(browser.get("/", follow_redirects=True).text)
    actions = (
        f"/admin/verification/{application.id}/reject",
        f"/admin/documents/{doc.id}/review",
        "/admin/assessors/new",
        f"/admin/assessors/{world.lead.id}",
        f"/admin/assessors/{world.lead.id}/active",
        "/admin/teams/new",
        f"/admin/teams/{world.team.id}",
        f"/admin/teams/{world.team.id}/active",
        "/admin/assignment/assign",
        "/admin/assignment/suggest",
        "/admin/imports/assessors",
    )
    for url in actions:
        data = {"csrf_token": token, "reason": "x", "status": "invalid", "note": "x", "active": "0"}
        assert browser.post(url, data=data).status_code == 403, url
    fresh(db)
    assert db.session.get(Application, application.id).state == "submitted"


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_visitor_is_sent_to_the_login_page(app, world, page):
    response = Browser(app).get(page)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_navigation_links_the_admin_pages(app, world):
    page = admin_browser(app, world.admin_batam).get("/").text
    for href in ("/admin/verification", "/admin/assessors", "/admin/teams", "/admin/imports"):
        assert f'href="{href}"' in page
    assert 'href="/admin/verification"' not in Browser(app).login(world.candidate).get("/").text


def test_a_post_without_the_csrf_token_is_refused(app, world, db):
    application = submitted(world)
    browser = admin_browser(app, world.admin_batam)
    response = browser.post(f"/admin/verification/{application.id}/reject", data={"reason": "no", "version": 2})
    assert response.status_code == 400
    fresh(db)
    assert db.session.get(Application, application.id).state == "submitted"


# -- scope: another dinas's records are not found ---------------------------------------------------


def test_a_kab_kota_admin_sees_and_changes_nothing_of_another_dinas(app, world, db):
    bintan_app = submitted(world, world.other_candidate)
    doc = bintan_app.documents[0]
    browser = admin_browser(app, world.admin_batam)
    token = csrf_token(browser.get("/admin/verification").text)
    for url in (
        f"/admin/verification/{bintan_app.id}",
        f"/admin/documents/{doc.id}/file",
        f"/admin/assessors/{world.lead.id}",
        f"/admin/teams/{world.team.id}",
    ):
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/admin/verification/{bintan_app.id}/reject": {"reason": "no", "version": bintan_app.version},
        f"/admin/documents/{doc.id}/review": {"status": "invalid", "note": "blurred"},
        f"/admin/assessors/{world.lead.id}": {"licence_number": "X", "max_load": "9"},
        f"/admin/assessors/{world.lead.id}/active": {"active": "0"},
        f"/admin/teams/{world.team.id}": {"name": "Taken over", "lead": world.lead.id},
        f"/admin/teams/{world.team.id}/active": {"active": "0"},
    }
    for url, data in posts.items():
        assert browser.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    fresh(db)
    assert db.session.get(Application, bintan_app.id).state == "submitted"
    assert db.session.get(Document, doc.id).status == "pending"
    lead = db.session.get(type(world.lead), world.lead.id)
    assert lead.active and lead.max_load == 3
    team = db.session.get(type(world.team), world.team.id)
    assert team.active and team.name == "Tim Kepri 1"
    queue = browser.get("/admin/verification").text
    assert world.other_candidate.name not in queue
    pool = browser.get("/admin/assessors").text
    assert "Lead Assessor" not in pool and "Batam Assessor" in pool
    assert "Tim Kepri 1" not in browser.get("/admin/teams").text


def test_a_province_admin_sees_its_province_only(app, world, db):
    batam_app = submitted(world)
    bintan_app = submitted(world, world.other_candidate)
    riau_candidate = candidate_in(world.pekanbaru, "Rina Pekanbaru")
    riau_app = submitted(world, riau_candidate)
    riau_assessor = make_assessor(world.pekanbaru, [world.scheme], name="Riau Assessor")
    riau_team = make_team(world.dinas_riau, world.scheme, riau_assessor, [], name="Tim Riau")
    db.session.commit()

    kepri = admin_browser(app, world.admin_kepri)
    queue = kepri.get("/admin/verification").text
    assert world.candidate.name in queue and world.other_candidate.name in queue
    assert "Rina Pekanbaru" not in queue
    assert kepri.get(f"/admin/verification/{bintan_app.id}").status_code == 200
    assert kepri.get(f"/admin/verification/{riau_app.id}").status_code == 404
    assert kepri.get(f"/admin/assessors/{riau_assessor.id}").status_code == 404
    assert kepri.get(f"/admin/teams/{riau_team.id}").status_code == 404
    pool = kepri.get("/admin/assessors").text
    assert "Lead Assessor" in pool and "Batam Assessor" in pool and "Riau Assessor" not in pool

    riau = admin_browser(app, world.admin_riau)
    assert "Rina Pekanbaru" in riau.get("/admin/verification").text
    assert world.candidate.name not in riau.get("/admin/verification").text
    assert riau.get(f"/admin/verification/{batam_app.id}").status_code == 404
    assert riau.get(f"/admin/teams/{world.team.id}").status_code == 404


# -- the verification queue ------------------------------------------------------------------------


def test_the_queue_lists_submitted_applications_filtered_and_paged(app, world, db):
    submitted(world)
    submitted(world, world.other_candidate)
    world.new_application(candidate_in(world.batam, "Draft Dina"))
    browser = admin_browser(app, world.admin_kepri)
    page = browser.get("/admin/verification").text
    assert world.candidate.name in page and world.other_candidate.name in page and "Draft Dina" not in page
    only_bintan = browser.get(f"/admin/verification?dinas={world.bintan.id}").text
    assert world.other_candidate.name in only_bintan and world.candidate.name not in only_bintan
    other_scheme = browser.get(f"/admin/verification?scheme={world.other_scheme.id}").text
    assert "No application is waiting for verification." in other_scheme
    assert browser.get("/admin/verification?dinas=abc&page=-1").status_code == 200


def test_the_queue_runs_the_same_number_of_queries_for_3_or_30_applications(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    for _ in range(3):
        submitted(world, candidate_in(world.batam))
    with count_queries() as few:
        assert browser.get("/admin/verification").status_code == 200
    for _ in range(27):
        submitted(world, candidate_in(world.bintan))
    with count_queries() as many:
        page = browser.get("/admin/verification")
    assert page.status_code == 200 and "Page 1 of 2" in page.text
    assert many[0] == few[0]


# -- one application: rules, documents, decision ------------------------------------------------------


def test_the_page_shows_each_eligibility_rule_met_or_not(app, world, db):
    """Legacy data (sent before submit asked for a route): the scheme's older single rule set."""
    application = world.as_legacy(submitted(world))
    application.apl01 = {**application.apl01, "practice_hours": 100}
    db.session.commit()
    page = admin_browser(app, world.admin_batam).get(f"/admin/verification/{application.id}").text
    assert "<strong>Met:</strong> Education background accepted: peksos, kesos" in page
    assert "<strong>Not met:</strong> At least 1344 hours of practice" in page
    assert "Practice hours 100 are below the scheme&#39;s minimum of 1344." in page
    assert "<strong>Not met:</strong> Every required document marked valid" in page


def test_a_document_is_downloaded_as_an_attachment(app, world, db):
    application = submitted(world)
    doc = application.documents[0]
    store = storage.current()
    store.put(doc.stored_name, b"%PDF-1.4 test", replace=True)
    try:
        response = admin_browser(app, world.admin_batam).get(f"/admin/documents/{doc.id}/file")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.data == b"%PDF-1.4 test"
        assert Browser(app).login(world.candidate).get(f"/admin/documents/{doc.id}/file").status_code == 403
    finally:
        store.delete(doc.stored_name)


def _review(browser, application, doc, **data):
    page = browser.get(f"/admin/verification/{application.id}").text
    return browser.post(f"/admin/documents/{doc.id}/review", data={"csrf_token": csrf_token(page), **data})


def test_documents_are_marked_valid_or_invalid_with_a_note(app, world, db):
    application = submitted(world)
    first, second = application.documents
    browser = admin_browser(app, world.admin_batam)
    refused = _review(browser, application, second, status="invalid", note="")
    assert refused.status_code == 422
    assert "a note saying what is wrong is required" in refused.text
    assert _review(browser, application, first, status="valid", note="").status_code == 303
    assert _review(browser, application, second, status="invalid", note="The scan is blurred").status_code == 303
    assert _review(browser, application, second, status="maybe", note="").status_code == 422
    fresh(db)
    statuses = {
        d.id: (d.status, d.note, d.reviewed_by_id) for d in db.session.get(Application, application.id).documents
    }
    assert statuses[first.id] == ("valid", None, world.admin_batam.id)
    assert statuses[second.id] == ("invalid", "The scan is blurred", world.admin_batam.id)
    page = browser.get(f"/admin/verification/{application.id}").text
    assert "The scan is blurred" in page


def test_documents_are_reviewed_only_while_the_application_is_submitted(app, world, db):
    application = submitted(world)
    browser = admin_browser(app, world.admin_batam)
    page = browser.get(f"/admin/verification/{application.id}").text
    world.fire(application, "withdraw", world.candidate)
    doc = application.documents[0]
    response = browser.post(
        f"/admin/documents/{doc.id}/review", data={"csrf_token": csrf_token(page), "status": "valid", "note": ""}
    )
    assert response.status_code == 409
    assert "Documents can be reviewed only while the application is submitted" in response.text
    assert 'action="/admin/documents/' not in response.text
    fresh(db)
    assert db.session.get(Document, doc.id).status == "pending"


def _decide(browser, application, decision, **data):
    page = browser.get(f"/admin/verification/{application.id}").text
    version = page.split('name="version" value="')[1].split('"')[0]
    return browser.post(
        f"/admin/verification/{application.id}/{decision}",
        data={"csrf_token": csrf_token(page), "version": version, **data},
    )


def test_approval_is_refused_until_every_document_is_valid_then_done(app, world, db):
    application = submitted(world)
    browser = admin_browser(app, world.admin_batam)
    refused = _decide(browser, application, "approve")
    assert refused.status_code == 422
    assert "“Approve” was not done." in refused.text and "Not every required document is marked valid" in refused.text
    for doc in application.documents:
        assert _review(browser, application, doc, status="valid").status_code == 303
    done = _decide(browser, application, "approve")
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/verification")
    fresh(db)
    assert db.session.get(Application, application.id).state == "eligible"


def test_a_revision_needs_a_reason_and_a_deadline_and_keeps_the_input(app, world, db):
    application = submitted(world)
    browser = admin_browser(app, world.admin_batam)
    refused = _decide(browser, application, "request_revision", reason="Upload the signed letter", deadline="")
    assert refused.status_code == 422
    assert "A revision deadline (YYYY-MM-DD) is required." in refused.text
    assert "Upload the signed letter</textarea>" in refused.text
    deadline = (clock.today() + timedelta(days=14)).isoformat()
    done = _decide(browser, application, "request_revision", reason="Upload the signed letter", deadline=deadline)
    assert done.status_code == 303
    fresh(db)
    stored = db.session.get(Application, application.id)
    assert stored.state == "revision_requested" and stored.revision_deadline.isoformat() == deadline
    assert stored.revision_reason == "Upload the signed letter"


def test_a_rejection_needs_a_reason(app, world, db):
    application = submitted(world)
    browser = admin_browser(app, world.admin_batam)
    refused = _decide(browser, application, "reject", reason="  ")
    assert refused.status_code == 422 and "A reason is required." in refused.text
    assert _decide(browser, application, "reject", reason="Not a Dinas Sosial employee").status_code == 303
    fresh(db)
    assert db.session.get(Application, application.id).state == "ineligible"
    log = db.session.scalars(
        select(TransitionLog).where(TransitionLog.application_id == application.id).order_by(TransitionLog.id)
    ).all()[-1]
    assert (log.event, log.reason, log.actor_id) == ("reject", "Not a Dinas Sosial employee", world.admin_batam.id)


def test_a_stale_form_is_refused_and_nothing_changes(app, world, db):
    application = submitted(world)
    browser = admin_browser(app, world.admin_batam)
    page = browser.get(f"/admin/verification/{application.id}").text
    world.fire(application, "withdraw", world.candidate)
    response = browser.post(
        f"/admin/verification/{application.id}/reject",
        data={"csrf_token": csrf_token(page), "version": 2, "reason": "late"},
    )
    assert response.status_code == 409
    fresh(db)
    assert db.session.get(Application, application.id).state == "withdrawn"
    assert (
        browser.post(f"/admin/verification/{application.id}/nothing", data={"csrf_token": csrf_token(page)}).status_code
        == 404
    )
