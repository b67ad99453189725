"""The system admin's instruments pages: who may use them, plans, questions, the import and its template."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.models import Question, UnitPlan
from tests.web.test_pages_support import Browser, csrf_token, fresh


def _page(scheme) -> str:
    return f"/system/schemes/{scheme.id}/instruments"


def _admin(app, world) -> Browser:
    browser = Browser(app).login(world.sysadmin)
    browser.get("/?lang=en")
    return browser


def _post(browser, page, action, **data):
    return browser.post(action, data={"csrf_token": csrf_token(browser.get(page).text), **data})


@pytest.mark.parametrize("who", ["candidate", "lead", "admin_batam", "admin_kepri", "certifier"])
def test_only_system_admins_may_use_the_instruments_pages(app, world, who):
    user = getattr(world, who)
    user = user.user if hasattr(user, "user") else user
    browser = Browser(app).login(user)
    page = _page(world.scheme)
    assert browser.get(page).status_code == 403
    assert browser.get(page + "/template.csv").status_code == 403
    token = csrf_token(browser.get("/workflows").text)  # the log-out form's token
    assert browser.post(page + "/questions", data={"csrf_token": token, "unit": "1"}).status_code == 403
    assert Browser(app).get(page).status_code == 302  # a visitor logs in first


def test_the_admin_sees_the_plan_checklist_and_bank_and_adds_a_question(app, world, db):
    browser = _admin(app, world)
    scheme = world.other_scheme
    unit = scheme.units[0]
    page = _page(scheme)
    html = browser.get(page).text
    assert "Observation checklist" in html and unit.elements[0].criteria[0].text in html
    assert browser.get(f"/system/schemes/{scheme.id}").text.count(page) == 1
    response = _post(browser, page, page + f"/plan/{unit.id}", evidence="Case reports", methods=["portfolio"])
    assert response.status_code == 303
    response = _post(
        browser,
        page,
        page + "/questions",
        unit=str(unit.id),
        kind="multiple_choice",
        text="Which?",
        choices="x\ny",
        key="B",
    )
    assert response.status_code == 303
    fresh(db)
    assert db.session.scalar(select(UnitPlan.methods)) == ["portfolio"]
    question = db.session.scalar(select(Question))
    assert question.answer_key == 1
    assert "Which?" in browser.get(page).text
    response = _post(browser, page, page + f"/questions/{question.id}/remove")
    assert response.status_code == 303
    fresh(db)
    assert db.session.scalar(select(Question)) is None


def test_bad_input_is_summarised_at_the_top_and_kept(app, world, db):
    browser = _admin(app, world)
    scheme = world.other_scheme
    page = _page(scheme)
    response = _post(
        browser,
        page,
        page + "/questions",
        unit=str(scheme.units[0].id),
        kind="multiple_choice",
        text="Kept text?",
        choices="only one",
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="summary"' in html and "Give from 2 to 6 choices." in html and "Kept text?" in html
    assert _post(browser, page, page + "/questions", unit="999999", kind="essay", text="x").status_code == 404
    assert _post(browser, page, page + "/plan/999999", methods=["written"]).status_code == 404


def test_import_page_names_bad_rows_in_indonesian_and_imports_nothing(app, world, db):
    browser = Browser(app).login(world.sysadmin)
    scheme = world.other_scheme
    page = _page(scheme)
    code = scheme.units[0].code
    data = f"kode unit;jenis;pertanyaan\n{code};esai;Baik\nXX;esai;Salah\n".encode()
    import io

    response = browser.post(
        page + "/import",
        data={"csrf_token": csrf_token(browser.get(page).text), "file": (io.BytesIO(data), "bank.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Baris 3: kolom kode unit: skema ini tidak memiliki unit XX" in response.text
    fresh(db)
    assert db.session.scalar(select(Question)) is None
    good = f"kode unit;jenis;pertanyaan\n{code};esai;Baik\n".encode()
    response = browser.post(
        page + "/import",
        data={"csrf_token": csrf_token(browser.get(page).text), "file": (io.BytesIO(good), "bank.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    template = browser.get(page + "/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"


def test_a_scheme_in_use_shows_its_instruments_frozen(app, world, db):
    app_row = world.new_application()
    world.fire(app_row, "submit", world.candidate)
    browser = _admin(app, world)
    page = _page(world.scheme)
    html = browser.get(page).text
    assert "This scheme is in use." in html and "Import questions" not in html
    response = _post(browser, page, page + "/questions", unit=str(world.scheme.units[0].id), kind="essay", text="x")
    assert response.status_code == 422


def test_the_instruments_page_runs_as_many_statements_whatever_the_size_of_the_bank(app, world, db):
    from tests.instruments_support import make_bank
    from tests.web.test_pages_support import count_queries

    browser = _admin(app, world)
    page = _page(world.scheme)
    make_bank(world.scheme, choices=1, essays=0, oral=0)
    with count_queries() as few:
        assert browser.get(page).status_code == 200
    make_bank(world.scheme, choices=10, essays=5, oral=5)
    with count_queries() as many:
        assert browser.get(page).status_code == 200
    assert many[0] == few[0]


def test_a_new_version_made_in_the_pages_carries_the_instruments(app, world, db):
    from certflow.models import Scheme
    from tests.instruments_support import make_bank

    make_bank(world.other_scheme, choices=1, essays=1, oral=0)
    browser = _admin(app, world)
    page = f"/system/schemes/{world.other_scheme.id}"
    response = _post(browser, page, page + "/version", code="PNY-V2", name="Penyuluh v2")
    assert response.status_code == 303
    fresh(db)
    copy = db.session.scalar(select(Scheme).where(Scheme.code == "PNY-V2"))
    kinds = sorted(q.kind for q in db.session.scalars(select(Question).where(Question.scheme_id == copy.id)))
    assert kinds == ["essay", "multiple_choice"]
