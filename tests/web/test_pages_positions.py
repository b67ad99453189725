"""The functional positions: the public pages in both languages (with the "to confirm" note on every
marked claim about a regulation), and the system admin's pages to edit them — who may, every fault
at once, CSRF, hostile input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from certflow.positions.models import FunctionalPosition, PositionLevel
from certflow.positions.seed import seed_positions
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh
from workflows.identity import JF_LEVELS

NOTE_ID = "Perlu dikonfirmasi:"
NOTE_EN = "To be confirmed:"


def _level(track, order, name, *, asks_flag=True, cert_flag=True, codes=""):
    return PositionLevel(
        track=track,
        position=order,
        name_id=name,
        name_en=f"{name} (en)",
        asks_id=f"Syarat {name}",
        asks_en=f"Asks of {name}",
        asks_to_confirm=asks_flag,
        certification_id=f"Sertifikasi {name}",
        certification_en=f"Certification for {name}",
        certification_to_confirm=cert_flag,
        scheme_codes=codes,
    )


def make_position(db, code="pekerja-sosial", levels=None, regulation_flag=True) -> FunctionalPosition:
    """A position with two levels: one served by the open scheme PSG and an unknown code, one by none."""
    position = FunctionalPosition(
        code=code,
        name_id="Pekerja Sosial",
        name_en="Social Worker",
        summary_id="Membantu orang dengan masalah sosial.",
        summary_en="Helps people with social problems.",
        regulation_id="Diatur oleh peraturan menteri.",
        regulation_en="Set by a ministerial regulation.",
        regulation_to_confirm=regulation_flag,
        position=1,
    )
    position.levels = (
        levels
        if levels is not None
        else [
            _level("skilled", 1, "Terampil", codes="PSG, NOPE-1"),
            _level("expert", 2, "Ahli Pertama", asks_flag=False, cert_flag=False),
        ]
    )
    db.session.add(position)
    db.session.commit()
    return position


# -- the public pages ----------------------------------------------------------------------------


def test_the_list_of_positions_in_indonesian_and_english(app, world, db):
    make_position(db)
    visitor = Browser(app)
    page = visitor.get("/positions?lang=id")
    assert page.status_code == 200
    assert "Jabatan fungsional" in page.text and "Membantu orang dengan masalah sosial." in page.text
    assert 'href="/positions/pekerja-sosial"' in page.text
    page = visitor.get("/positions?lang=en")
    assert "Functional positions" in page.text and "Social Worker" in page.text
    assert "Helps people with social problems." in page.text


def test_a_position_page_shows_its_levels_schemes_and_each_note_to_confirm(app, world, db):
    make_position(db)
    visitor = Browser(app)
    page = visitor.get("/positions/pekerja-sosial?lang=id")
    assert page.status_code == 200
    html = page.text
    assert "Jalur keterampilan" in html and "Jalur keahlian" in html
    assert "Syarat Terampil" in html and "Sertifikasi Terampil" in html
    assert 'href="/schemes/PSG"' in html and "Pekerja Sosial Generalis" in html
    assert "NOPE-1" in html and 'href="/schemes/NOPE-1"' not in html
    assert "Belum ada skema sertifikasi yang melayani jenjang ini." in html
    assert 'href="/self-check"' in html
    # the regulation and Terampil's two claims are marked; Ahli Pertama's are confirmed
    assert html.count("data-to-confirm") == 3
    assert html.count(NOTE_ID) == 3
    ahli = html[html.index('data-level="Ahli Pertama"') :]
    assert "data-to-confirm" not in ahli
    english = visitor.get("/positions/pekerja-sosial?lang=en").text
    assert "Social Worker" in english and "Asks of Terampil" in english and "Terampil (en)" in english
    assert english.count(NOTE_EN) == 3 and "Skilled track" in english


def test_a_claim_without_the_flag_has_no_note(app, world, db):
    make_position(db, levels=[_level("single", 1, "Pertama", asks_flag=False, cert_flag=False)], regulation_flag=False)
    html = Browser(app).get("/positions/pekerja-sosial?lang=id").text
    assert "data-to-confirm" not in html and NOTE_ID not in html
    assert "Jenjang" in html  # the single track's heading


@pytest.mark.parametrize(
    "path",
    ["/positions/no-such-position", "/positions/" + "x" * 5000, "/positions/%00", "/positions/pekerja-sosial%00"],
)
def test_an_unknown_position_is_not_found(app, world, db, path):
    make_position(db)
    assert Browser(app).get(path).status_code == 404


def test_the_pages_run_a_constant_number_of_statements(app, world, db):
    make_position(db, code="small")
    many = [_level("skilled", n, f"L{n}", codes=f"PSG, PNY, X{n}") for n in range(8)]
    make_position(db, code="large", levels=many)
    visitor = Browser(app)
    counts = {}
    for code in ("small", "large"):
        visitor.get(f"/positions/{code}")
        with count_queries() as n:
            assert visitor.get(f"/positions/{code}").status_code == 200
        counts[code] = n[0]
    assert counts["small"] == counts["large"], counts
    with count_queries() as n:
        visitor.get("/positions")
    few = n[0]
    for i in range(5):
        make_position(db, code=f"more-{i}", levels=[])
    with count_queries() as n:
        visitor.get("/positions")
    assert n[0] == few


def test_the_landing_page_and_the_visitors_nav_link_to_the_positions(app, world, db):
    html = Browser(app).get("/?lang=id").text
    assert html.count('href="/positions"') >= 2  # the nav and the landing page's card


def test_the_demo_seed_marks_every_claim_to_confirm(app, world, db):
    assert seed_positions() == 2
    assert seed_positions() == 0  # idempotent
    db.session.commit()
    levels = db.session.scalars(select(PositionLevel)).all()
    assert len(levels) == 14
    assert all(lv.asks_to_confirm and lv.certification_to_confirm for lv in levels)
    assert all(p.regulation_to_confirm for p in db.session.scalars(select(FunctionalPosition)))
    html = Browser(app).get("/positions/penyuluh-sosial?lang=id").text
    assert "Penyuluh Sosial" in html and html.count("data-to-confirm") == 1 + 2 * 7
    # every level speaks APL-01's code, the one the staff register keeps: each code of both tracks once
    assert sorted(lv.jf_level for lv in levels) == sorted(code for code in JF_LEVELS if code != "none")
    assert 'data-level="Ahli Pertama" data-jf-level="penyuluh_ahli_pertama"' in html


# -- who may edit ------------------------------------------------------------------------------


def _urls(position) -> tuple[list[str], list[str]]:
    pages = ["/system/positions", "/system/positions/new", f"/system/positions/{position.id}"]
    posts = ["/system/positions/new", f"/system/positions/{position.id}", f"/system/positions/{position.id}/delete"]
    return pages, posts


@pytest.mark.parametrize("who", ["candidate", "lead", "admin_batam", "admin_kepri", "certifier"])
def test_only_system_admins_may_edit_the_positions(app, world, db, who):
    position = make_position(db)
    user = getattr(world, who)
    browser = Browser(app).login(getattr(user, "user", user))
    pages, posts = _urls(position)
    for url in pages:
        assert browser.get(url).status_code == 403, url
    token = csrf_token(browser.get("/", follow_redirects=True).text)
    for url in posts:
        data = {"csrf_token": token, "code": "hijack", "name_id": "X", "name_en": "X", "summary_id": "X"}
        assert browser.post(url, data=data).status_code == 403, url
    fresh(db)
    assert db.session.scalar(select(func.count(FunctionalPosition.id))) == 1
    assert db.session.scalar(select(FunctionalPosition.code)) == "pekerja-sosial"


def test_a_visitor_is_sent_to_log_in(app, world, db):
    position = make_position(db)
    visitor = Browser(app)
    pages, posts = _urls(position)
    for url in pages:
        response = visitor.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in posts:
        assert visitor.post(url, data={"code": "x"}).status_code in (302, 400), url
    fresh(db)
    assert db.session.scalar(select(func.count(FunctionalPosition.id))) == 1


def _admin(app, world) -> Browser:
    browser = Browser(app).login(world.sysadmin)
    browser.get("/?lang=en")
    return browser


def test_the_system_admin_sees_the_pages_and_the_nav(app, world, db):
    position = make_position(db)
    admin = _admin(app, world)
    pages, _posts = _urls(position)
    for url in pages:
        assert admin.get(url).status_code == 200, url
    listing = admin.get("/system/positions").text
    assert f'href="/system/positions/{position.id}"' in listing
    assert 'href="/system/positions"' in admin.get("/system/schemes").text  # in the admin's nav


def test_a_post_without_the_csrf_token_is_refused(app, world, db):
    position = make_position(db)
    admin = _admin(app, world)
    response = admin.post(f"/system/positions/{position.id}/delete")
    assert response.status_code == 400
    fresh(db)
    assert db.session.get(FunctionalPosition, position.id) is not None


NEW = {
    "code": "penyuluh-sosial",
    "name_id": "Penyuluh Sosial",
    "name_en": "Social Extension Officer",
    "summary_id": "Menyuluh masyarakat.",
    "summary_en": "Informs the public.",
    "regulation_id": "Peraturan menteri.",
    "regulation_en": "A ministerial regulation.",
    "regulation_to_confirm": "1",
    "position": "2",
    "level-0-track": "expert",
    "level-0-name_id": "Ahli Pertama",
    "level-0-name_en": "First Expert",
    "level-0-position": "1",
    "level-0-asks_id": "S1.",
    "level-0-asks_en": "A degree.",
    "level-0-asks_to_confirm": "1",
    "level-0-certification_id": "Bukti inpassing.",
    "level-0-certification_en": "Evidence for entry.",
    "level-0-scheme_codes": "PNY, PNY",
}


def test_the_system_admin_adds_a_position_with_a_level(app, world, db):
    admin = _admin(app, world)
    response = admin.submit("/system/positions/new", **NEW)
    assert response.status_code == 303
    fresh(db)
    created = db.session.scalar(select(FunctionalPosition).where(FunctionalPosition.code == "penyuluh-sosial"))
    assert created.name_en == "Social Extension Officer" and created.regulation_to_confirm
    [level] = created.levels
    assert (level.track, level.name_id, level.scheme_codes) == ("expert", "Ahli Pertama", "PNY")
    assert level.asks_to_confirm and not level.certification_to_confirm
    html = Browser(app).get("/positions/penyuluh-sosial?lang=en").text
    assert 'href="/schemes/PNY"' in html and html.count(NOTE_EN) == 2


def test_every_fault_is_in_the_summary_at_once_and_nothing_is_saved(app, world, db):
    make_position(db)
    admin = _admin(app, world)
    bad = {
        **NEW,
        "code": "pekerja-sosial",  # taken
        "name_en": "",
        "summary_id": "",
        "position": "99999999999999999999999",
        "level-0-track": "sideways",
        "level-0-name_id": "",
        "level-0-position": "-1",
        "level-0-scheme_codes": "PSG; DROP TABLE",
        "level-0-asks_en": "x" * 5000,
        "level-1-track": "skilled",
        "level-1-name_id": "Terampil",
        "level-1-name_en": "Skilled",
        "level-1-asks_id": "D3.",
        "level-2-track": "skilled",
        "level-2-name_id": "terampil",
        "level-2-name_en": "Skilled again",
        "level-2-asks_id": "D3.",
    }
    response = admin.submit("/system/positions/new", **bad)
    assert response.status_code == 422
    html = response.text
    summary = html[html.index('class="error-summary') : html.index("</div>", html.index('class="error-summary'))]
    targets = re.findall(r'<a href="#([\w-]+)"', summary)
    assert targets == [
        "code",
        "name_en",
        "summary_id",
        "position",
        "level-0-track",
        "level-0-name_id",
        "level-0-asks_en",
        "level-0-position",
        "level-0-scheme_codes",
        "level-2-name_id",
    ]
    assert "Another position has this code." in summary and "Level 1, Track" in summary
    assert 'value="99999999999999999999999"' in html  # what was typed is kept
    assert 'aria-invalid="true"' in html
    fresh(db)
    assert db.session.scalar(select(func.count(FunctionalPosition.id))) == 1
    assert db.session.scalar(select(func.count(PositionLevel.id))) == 2


def test_a_nul_in_the_form_is_refused_at_the_door(app, world, db):
    admin = _admin(app, world)
    response = admin.submit("/system/positions/new", **{**NEW, "name_id": "Pe\x00nyuluh"})
    assert response.status_code == 422
    fresh(db)
    assert db.session.scalar(select(func.count(FunctionalPosition.id))) == 0


def test_the_system_admin_edits_adds_and_removes_levels(app, world, db):
    position = make_position(db)
    terampil, ahli = position.levels
    admin = _admin(app, world)
    page = f"/system/positions/{position.id}"
    form = admin.get(page).text
    assert 'name="level-0-name_id"' in form and 'name="level-2-name_id"' in form  # the two levels and a new row
    data = {
        "code": "pekerja-sosial",
        "name_id": "Pekerja Sosial",
        "name_en": "Social Worker",
        "summary_id": "Membantu orang dan keluarga.",
        "position": "1",
        "level-0-id": str(terampil.id),
        "level-0-track": "skilled",
        "level-0-name_id": "Terampil",
        "level-0-name_en": "Skilled",
        "level-0-asks_id": "D3 dan pengalaman.",
        "level-0-scheme_codes": "PSG",
        "level-1-id": str(ahli.id),
        "level-1-remove": "1",
        "level-2-track": "skilled",
        "level-2-name_id": "Mahir",
        "level-2-name_en": "Proficient",
        "level-2-asks_id": "Mandiri.",
        "level-2-position": "2",
    }
    response = admin.submit(page, **data)
    assert response.status_code == 303
    fresh(db)
    levels = db.session.scalars(select(PositionLevel).order_by(PositionLevel.position)).all()
    assert [(lv.name_id, lv.asks_to_confirm) for lv in levels] == [("Terampil", False), ("Mahir", False)]
    html = Browser(app).get("/positions/pekerja-sosial?lang=id").text
    assert "data-to-confirm" not in html and "Membantu orang dan keluarga." in html
    assert "Ahli Pertama" not in html


def test_an_id_of_another_positions_level_is_a_new_level(app, world, db):
    mine = make_position(db)
    other = make_position(db, code="other", levels=[_level("skilled", 1, "Lain")])
    foreign = other.levels[0].id
    admin = _admin(app, world)
    data = {
        "code": "pekerja-sosial",
        "name_id": "Pekerja Sosial",
        "name_en": "Social Worker",
        "summary_id": "S.",
        "level-5-id": str(foreign),
        "level-5-remove": "1",
    }
    assert admin.submit(f"/system/positions/{mine.id}", **data).status_code == 303
    fresh(db)
    assert db.session.get(PositionLevel, foreign) is not None


def test_unknown_or_huge_ids_are_not_found(app, world, db):
    admin = _admin(app, world)
    for url in ("/system/positions/999999", "/system/positions/99999999999999999999", "/system/positions/abc"):
        assert admin.get(url).status_code == 404, url


def test_the_system_admin_removes_a_position(app, world, db):
    position = make_position(db)
    admin = _admin(app, world)
    response = admin.submit(f"/system/positions/{position.id}", f"/system/positions/{position.id}/delete")
    assert response.status_code == 303
    fresh(db)
    assert db.session.scalar(select(func.count(PositionLevel.id))) == 0
    assert Browser(app).get("/positions/pekerja-sosial").status_code == 404
