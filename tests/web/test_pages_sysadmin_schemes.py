"""The system admin's scheme pages: who may use them, creating and editing schemes and their
standards, the in-use rule as the pages show and enforce it, and new versions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.models import Criterion, Element, Scheme, Unit
from tests.factories import make_scheme
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh

NEW = "/system/schemes/new"


def _admin(app, world) -> Browser:
    browser = Browser(app).login(world.sysadmin)
    browser.get("/?lang=en")
    return browser


def _page(scheme) -> str:
    return f"/system/schemes/{scheme.id}"


def _post(browser, page: str, action: str, **data):
    """Post ``data`` to ``action`` with the CSRF token of ``page``."""
    return browser.post(action, data={"csrf_token": csrf_token(browser.get(page).text), **data})


SETTINGS = {
    "code": "PS-SPC",
    "name": "Pekerja Sosial Spesialis",
    "level": "Spesialis",
    "description": "For experienced social workers.",
    "validity_years": "5",
    "min_team_size": "2",
    "max_load": "4",
    "min_practice_hours": "1344",
    "accepted_education": ["peksos", "kesos"],
    "required_documents": ["diploma", "work_letter", "practice_log"],
}


# -- who may use the pages -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["candidate", "lead", "admin_batam", "admin_kepri", "certifier"])
def test_only_system_admins_may_use_the_scheme_pages(app, world, db, who):
    user = getattr(world, who)
    browser = Browser(app).login(getattr(user, "user", user))
    for url in ("/system/schemes", NEW, _page(world.scheme)):
        assert browser.get(url).status_code == 403, url
    token = csrf_token(browser.get("/", follow_redirects=True).text)
    for url in (NEW, _page(world.scheme), f"{_page(world.scheme)}/add/unit", f"{_page(world.scheme)}/active"):
        assert browser.post(url, data={"csrf_token": token, **SETTINGS}).status_code == 403, url
    fresh(db)
    assert db.session.scalar(select(Scheme.id).where(Scheme.code == "PS-SPC")) is None


def test_visitors_are_sent_to_log_in(app, world):
    for url in ("/system/schemes", _page(world.scheme)):
        response = Browser(app).get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_system_admin_sees_every_scheme(app, world):
    page = _admin(app, world).get("/system/schemes")
    assert page.status_code == 200
    for scheme in (world.scheme, world.other_scheme):
        assert f'href="/system/schemes/{scheme.id}"' in page.text and scheme.name in page.text
    assert 'href="/system/schemes"' in page.text and 'href="/system/users"' in page.text  # the navigation


def test_forms_need_the_csrf_token(app, world, db):
    browser = _admin(app, world)
    assert browser.post(NEW, data=SETTINGS).status_code == 400
    assert browser.post(f"{_page(world.scheme)}/add/unit", data={"code": "X", "title": "Y"}).status_code == 400
    fresh(db)
    assert db.session.scalar(select(Scheme.id).where(Scheme.code == "PS-SPC")) is None


# -- creating and editing ----------------------------------------------------------------------


def test_create_a_scheme_then_build_its_standard(app, world, db):
    browser = _admin(app, world)
    response = browser.submit(NEW, **SETTINGS)
    assert response.status_code == 303
    fresh(db)
    scheme = db.session.scalar(select(Scheme).where(Scheme.code == "PS-SPC"))
    assert scheme.required_documents == ["diploma", "work_letter", "practice_log"] and scheme.max_load == 4
    assert response.headers["Location"].endswith(_page(scheme))
    page = _page(scheme)
    assert _post(browser, page, f"{page}/add/unit", code="SPC.01", title="Assess complex cases").status_code == 303
    fresh(db)
    unit = db.session.scalar(select(Unit).where(Unit.scheme_id == scheme.id))
    assert _post(browser, page, f"{page}/add/element", parent=unit.id, code="SPC.01.1", title="Plan").status_code == 303
    fresh(db)
    element = db.session.scalar(select(Element).where(Element.unit_id == unit.id))
    for n in (1, 2):
        r = _post(browser, page, f"{page}/add/criterion", parent=element.id, code=f"SPC.01.1.{n}", text=f"Does {n}")
        assert r.status_code == 303
    fresh(db)
    criteria = db.session.scalars(
        select(Criterion).where(Criterion.element_id == element.id).order_by(Criterion.position, Criterion.id)
    ).all()
    assert [(c.code, c.unit_id, c.scheme_id) for c in criteria] == [
        ("SPC.01.1.1", unit.id, scheme.id),
        ("SPC.01.1.2", unit.id, scheme.id),
    ]
    shown = browser.get(page).text
    assert "SPC.01.1.2" in shown and "Does 2" in shown and "This scheme is in use" not in shown
    # edit, reorder, remove
    second = criteria[1]
    r = _post(browser, page, f"{page}/criterion/{second.id}/edit", code="SPC.01.1.2", text="Does two things")
    assert r.status_code == 303
    assert _post(browser, page, f"{page}/criterion/{second.id}/move", direction="up").status_code == 303
    fresh(db)
    assert [
        c.text
        for c in db.session.scalars(
            select(Criterion).where(Criterion.element_id == element.id).order_by(Criterion.position)
        )
    ] == ["Does two things", "Does 1"]
    assert _post(browser, page, f"{page}/element/{element.id}/remove").status_code == 303
    fresh(db)
    assert db.session.scalars(select(Criterion.id).where(Criterion.scheme_id == scheme.id)).all() == []


def test_a_bad_new_scheme_says_what_is_wrong_and_keeps_the_input(app, world, db):
    bad = {**SETTINGS, "code": "PSG", "validity_years": "forever", "accepted_education": [], "name": "Kept name"}
    response = _admin(app, world).submit(NEW, **bad)
    assert response.status_code == 422
    assert "Another scheme has the code PSG." in response.text
    assert "Enter a whole number from 1 to 20." in response.text
    assert "Choose at least one." in response.text
    assert 'value="Kept name"' in response.text and 'value="forever"' in response.text
    assert 'value="practice_log" checked' in response.text
    fresh(db)
    assert db.session.scalar(select(Scheme.id).where(Scheme.name == "Kept name")) is None


def test_a_bad_item_reopens_its_form_with_the_message(app, world, db):
    scheme = make_scheme("NEW", units=2, elements=1, criteria=1)
    db.session.commit()
    browser = _admin(app, world)
    page = _page(scheme)
    unit = scheme.units[0]
    response = _post(browser, page, f"{page}/unit/{unit.id}/edit", code="NEW.U2", title="Typed title")
    assert response.status_code == 422
    assert "This scheme already has NEW.U2." in response.text
    assert 'value="Typed title"' in response.text
    assert '<details class="sa-edit" open>' in response.text
    response = _post(browser, page, f"{page}/add/unit", code="", title="")
    assert response.status_code == 422
    assert "Enter the code." in response.text and "Enter the title." in response.text
    fresh(db)
    assert db.session.get(Unit, unit.id).code == "NEW.U1"


def test_items_of_another_scheme_or_unknown_kinds_are_not_found(app, world, db):
    browser = _admin(app, world)
    other_unit = world.other_scheme.units[0]
    page = _page(world.scheme)
    assert _post(browser, page, f"{page}/unit/{other_unit.id}/edit", code="X", title="Y").status_code == 404
    assert _post(browser, page, f"{page}/add/element", parent=other_unit.id, code="X", title="Y").status_code == 404
    assert _post(browser, page, f"{page}/add/element", parent="", code="X", title="Y").status_code == 404
    assert _post(browser, page, f"{page}/add/chapter", code="X", title="Y").status_code == 404
    assert _post(browser, page, f"{page}/unit/{world.scheme.units[0].id}/rename").status_code == 404
    assert browser.get("/system/schemes/99999").status_code == 404


# -- the in-use rule on the pages ------------------------------------------------------------------


@pytest.fixture()
def in_use(world, db):
    """PSG with an application in assessment."""
    return world.advance(world.new_application(), "in_assessment")


def test_an_in_use_scheme_shows_why_its_standard_is_fixed(app, world, db, in_use):
    browser = _admin(app, world)
    page = browser.get(_page(world.scheme)).text
    assert "This scheme is in use." in page
    assert 'name="code"' not in page.split('id="version"')[0]  # the code is shown, not editable
    assert 'name="required_documents"' not in page and 'name="rules"' not in page
    assert "/remove" not in page and "/edit" not in page and "/add/" not in page
    assert "/move" in page  # the order may still change


def test_an_in_use_scheme_refuses_changes_to_its_standard_and_rules(app, world, db, in_use):
    browser = _admin(app, world)
    page = _page(world.scheme)
    criterion = db.session.scalar(select(Criterion).where(Criterion.scheme_id == world.scheme.id))
    before = (criterion.code, criterion.text)
    for action, data in [
        (f"{page}/add/unit", {"code": "PSG.U9", "title": "More"}),
        (f"{page}/criterion/{criterion.id}/edit", {"code": criterion.code, "text": "Changed meaning"}),
        (f"{page}/criterion/{criterion.id}/remove", {}),
    ]:
        response = _post(browser, page, action, **data)
        assert response.status_code == 422, action
        assert "This scheme is in use" in response.text and "Make a new version" in response.text
    # a crafted settings form changing the rules
    settings = {**SETTINGS, "code": "PSG", "name": world.scheme.name, "rules": "1", "required_documents": ["diploma"]}
    response = _post(browser, page, page, **settings)
    assert response.status_code == 422
    fresh(db)
    assert db.session.get(Criterion, criterion.id) is not None
    assert (criterion.code, db.session.get(Criterion, criterion.id).text) == before
    assert db.session.get(Scheme, world.scheme.id).required_documents == ["diploma", "work_letter"]


def test_an_in_use_scheme_still_takes_a_new_name_and_load(app, world, db, in_use):
    browser = _admin(app, world)
    page = _page(world.scheme)
    data = {
        "name": "Pekerja Sosial Generalis 2026",
        "level": "Generalis",
        "description": "",
        "validity_years": "4",
        "min_team_size": "2",
        "max_load": "7",
    }
    assert _post(browser, page, page, **data).status_code == 303
    fresh(db)
    scheme = db.session.get(Scheme, world.scheme.id)
    assert (scheme.name, scheme.validity_years, scheme.max_load, scheme.code) == (
        "Pekerja Sosial Generalis 2026",
        4,
        7,
        "PSG",
    )
    assert scheme.required_documents == ["diploma", "work_letter"]  # the rules were not on the form: kept


def test_a_new_version_from_the_page(app, world, db, in_use):
    browser = _admin(app, world)
    page = _page(world.scheme)
    assert 'value="PSG-V2"' in browser.get(page).text  # suggested
    response = _post(browser, page, f"{page}/version", code="PSG-V2", name="Generalis 2026", deactivate_old="y")
    assert response.status_code == 303
    fresh(db)
    copy = db.session.scalar(select(Scheme).where(Scheme.code == "PSG-V2"))
    assert response.headers["Location"].endswith(_page(copy))
    assert copy.active and not db.session.get(Scheme, world.scheme.id).active
    assert len(copy.units) == len(world.scheme.units)
    new_page = browser.get(_page(copy)).text
    assert "This scheme is in use" not in new_page and "/add/unit" in new_page
    taken = _post(browser, page, f"{page}/version", code="PSG-V2", name="Again")
    assert taken.status_code == 422 and "Another scheme has the code PSG-V2." in taken.text


def test_close_and_reopen_a_scheme(app, world, db):
    browser = _admin(app, world)
    page = _page(world.other_scheme)
    assert _post(browser, page, f"{page}/active", active="0").status_code == 303
    fresh(db)
    assert not db.session.get(Scheme, world.other_scheme.id).active
    assert "closed to new applications" in browser.get("/system/schemes").text
    assert _post(browser, page, f"{page}/active", active="1").status_code == 303
    fresh(db)
    assert db.session.get(Scheme, world.other_scheme.id).active


def test_the_scheme_page_runs_a_fixed_number_of_queries(app, world, db):
    small = make_scheme("SML", units=1, elements=1, criteria=1)
    big = make_scheme("BIG", units=4, elements=3, criteria=4)
    db.session.commit()
    browser = _admin(app, world)
    counts = []
    for scheme in (small, big):
        with count_queries() as n:
            assert browser.get(_page(scheme)).status_code == 200
        counts.append(n[0])
    assert counts[0] == counts[1]
