"""Home: the landing page for visitors, and for each role the applications it may see."""

from __future__ import annotations

import re

from certflow import clock
from certflow.models import Notification
from tests.web.test_pages_support import Browser, count_queries

APP_LINK = re.compile(r'href="/applications/(\d+)"')
OWN_LINK = re.compile(r'<h2 id="app-title-\d+"><a href="/candidate/applications/(\d+)"')


def _listed(page: str) -> list[int]:
    return [int(i) for i in APP_LINK.findall(page)]


def _own(page: str) -> set[int]:
    """The applications a candidate's own home shows."""
    return {int(i) for i in OWN_LINK.findall(page)}


def test_visitors_get_the_landing_page(app, world):
    page = Browser(app).get("/")
    assert page.status_code == 200
    assert "Sertifikasi pekerja sosial dan penyuluh sosial" in page.text
    assert 'href="/login"' in page.text and 'href="/register"' in page.text
    assert 'href="/verify"' in page.text
    assert 'href="/workflows/application"' in page.text


def _region(world):
    """Applications in several states, of two candidates of two dinas of Kepulauan Riau."""
    draft = world.new_application()
    submitted = world.advance(world.new_application(), "submitted")
    assigned = world.advance(world.new_application(), "team_assigned")
    bintan = world.advance(world.new_application(world.other_candidate), "submitted")
    return draft, submitted, assigned, bintan


def test_home_lists_what_each_role_may_see_newest_first(app, world):
    draft, submitted, assigned, bintan = _region(world)
    expected = {
        world.candidate: [assigned, submitted, draft],
        world.other_candidate: [bintan],
        world.admin_batam: [assigned, submitted, draft],
        world.admin_kepri: [bintan, assigned, submitted, draft],
        world.admin_riau: [],
        world.lead.user: [assigned],
        world.same_dinas_assessor.user: [],
        world.certifier: [],  # none at a decision point yet (rule 8)
        world.sysadmin: [bintan, assigned, submitted, draft],
    }
    for user, apps in expected.items():
        browser = Browser(app).login(user)
        page = browser.get("/")
        if user.roles == {"candidate"}:  # a candidate's home is their own page, with the one next step
            assert page.status_code == 302 and page.headers["Location"] == "/candidate/", user.name
            assert _own(browser.get("/candidate/").text) == {a.id for a in apps}, user.name
            continue
        assert page.status_code == 200
        assert _listed(page.text) == [a.id for a in apps], user.name
        if not apps:
            assert "Belum ada permohonan untuk ditampilkan." in page.text


def test_home_shows_translated_state_badges_and_filters_by_state(app, world):
    draft, submitted, assigned, bintan = _region(world)
    browser = Browser(app).login(world.admin_kepri)
    page = browser.get("/").text
    assert '<span class="badge state-team_assigned">Tim asesor ditetapkan</span>' in page
    assert '<span class="badge state-draft">Draf</span>' in page

    only_submitted = browser.get("/?state=submitted").text
    assert _listed(only_submitted) == [bintan.id, submitted.id]
    assert '<option value="submitted" selected>Diajukan</option>' in only_submitted
    assert _listed(browser.get("/?state=certified").text) == []
    assert "Tidak ada permohonan dengan status ini." in browser.get("/?state=certified").text
    # an unknown state is no filter at all, never an error
    assert len(_listed(browser.get("/?state=nonsense").text)) == 4
    assert browser.get("/?page=abc&state=").status_code == 200


def test_home_pages_through_many_applications(app, world):
    apps = [world.new_application() for _ in range(23)]
    browser = Browser(app).login(world.admin_kepri)
    first = browser.get("/").text
    assert _listed(first) == [a.id for a in reversed(apps)][:20]
    assert "Halaman 1 dari 2" in first and 'rel="next" href="/?page=2"' in first
    second = browser.get("/?page=2").text
    assert _listed(second) == [a.id for a in reversed(apps)][20:]
    assert _listed(browser.get("/?page=99").text) == _listed(second)


def test_header_shows_name_roles_and_unread_notifications(app, world, db):
    app_ = world.advance(world.new_application(), "eligible")  # submit and approve notify the candidate
    browser = Browser(app).login(world.candidate)
    page = browser.get("/candidate/").text
    assert world.candidate.name in page and "Asesi" in page
    assert re.search(r'class="count" aria-label="2 notifikasi belum dibaca">2<', page)

    note = db.session.scalars(db.select(Notification).where(Notification.user_id == world.candidate.id)).first()
    note.read_at = clock.now()
    db.session.commit()
    assert re.search(r'class="count"[^>]*>1<', browser.get("/candidate/").text)
    # another user's notifications are not counted
    assert re.search(r'class="count"[^>]*>0<', Browser(app).login(world.certifier).get("/").text)
    assert app_.id in _own(page)


def test_home_runs_a_constant_number_of_queries(app, world):
    for _ in range(2):
        world.advance(world.new_application(), "submitted")
    browser = Browser(app).login(world.admin_kepri)
    browser.get("/")
    with count_queries() as few:
        assert len(_listed(browser.get("/").text)) == 2
    for _ in range(10):
        world.advance(world.new_application(world.other_candidate), "submitted")
    with count_queries() as many:
        assert len(_listed(browser.get("/").text)) == 12
    assert many[0] == few[0], (few[0], many[0])
    assert few[0] <= 8, few[0]
