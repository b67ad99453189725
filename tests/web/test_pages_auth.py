"""Login, logout, language and the pages' security headers, through the test client."""

from __future__ import annotations

from sqlalchemy import select

from certflow.models import User
from tests.web.test_pages_support import Browser, csrf_token, fresh


def test_login_page_is_indonesian_by_default_and_english_on_request(app, world):
    browser = Browser(app)
    page = browser.get("/login")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert "Masuk" in page.text and "Kata sandi" in page.text

    english = browser.get("/login?lang=en")
    assert '<html lang="en">' in english.text
    assert "Log in" in english.text and "Password" in english.text
    # the choice sticks for the rest of the visit
    assert "Password" in browser.get("/login").text


def test_login_with_the_right_password_reaches_home(app, world):
    browser = Browser(app)
    response = browser.submit("/login", email=world.candidate.email, password="rahasia-123")
    assert response.status_code == 302 and response.headers["Location"] == "/candidate/"
    home = browser.get("/candidate/")
    assert world.candidate.name in home.text
    assert "Asesi" in home.text  # the role, translated, in the header


def test_a_new_candidate_lands_on_their_home_with_one_action(app, world):
    browser = Browser(app)
    response = browser.submit("/login", email=world.candidate.email, password="rahasia-123")
    home = browser.get(response.headers["Location"]).text
    assert home.count("Ajukan permohonan<") == 1
    assert home.index("Ajukan permohonan<") < home.index("Anda belum memiliki permohonan")


def test_a_staff_member_lands_on_the_shared_home(app, world):
    response = Browser(app).submit("/login", email=world.admin_batam.email, password="rahasia-123")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_email_is_case_insensitive(app, world):
    response = Browser(app).submit("/login", email=world.candidate.email.upper(), password="rahasia-123")
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(app, world):
    wrong = Browser(app).submit("/login", email=world.candidate.email, password="not-the-password")
    unknown = Browser(app).submit("/login", email="nobody@example.id", password="not-the-password")
    empty = Browser(app).submit("/login", email="", password="")
    huge = Browser(app).submit("/login", email=world.candidate.email, password="x" * 100_000)
    for response in (wrong, unknown, empty, huge):
        assert response.status_code == 422
        assert "E-mail atau kata sandi salah." in response.text
    # nothing in the page tells which of the two was wrong
    assert wrong.text.replace(world.candidate.email, "").count("salah") == unknown.text.count("salah")


def test_an_inactive_user_cannot_log_in(app, world, db):
    world.candidate.active = False
    db.session.commit()
    response = Browser(app).submit("/login", email=world.candidate.email, password="rahasia-123")
    assert response.status_code == 422


def test_a_form_without_its_csrf_token_is_refused(app, world):
    browser = Browser(app)
    response = browser.post("/login", data={"email": world.candidate.email, "password": "rahasia-123"})
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.text
    forged = browser.post("/login", data={"csrf_token": "forged", "email": world.candidate.email, "password": "x"})
    assert forged.status_code == 400


def test_login_is_rate_limited_with_a_friendly_page(app, world):
    browser = Browser(app)
    token = csrf_token(browser.get("/login").text)
    statuses = [
        browser.post(
            "/login", data={"csrf_token": token, "email": world.candidate.email, "password": "wrong"}
        ).status_code
        for _ in range(10)
    ]
    assert statuses == [422] * 10
    limited = browser.post(
        "/login", data={"csrf_token": token, "email": world.candidate.email, "password": "rahasia-123"}
    )
    assert limited.status_code == 429
    assert "Terlalu banyak percobaan" in limited.text
    assert limited.headers.get("Retry-After")
    # another address is not affected
    assert Browser(app).login(world.candidate)


def test_next_goes_only_to_local_paths(app, world):
    for target, expected in [
        ("/workflows/application", "/workflows/application"),
        ("https://evil.example/", "/candidate/"),
        ("//evil.example/", "/candidate/"),
        ("/\\evil.example", "/candidate/"),
        ("javascript:alert(1)", "/candidate/"),
    ]:
        browser = Browser(app)
        token = csrf_token(browser.get("/login").text)
        response = browser.post(
            "/login",
            query_string={"next": target},
            data={"csrf_token": token, "email": world.candidate.email, "password": "rahasia-123"},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target


def test_a_page_that_needs_login_sends_visitors_to_login_and_back(app, world):
    browser = Browser(app)
    response = browser.get("/applications/1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "Silakan masuk untuk melihat halaman ini." in browser.get(response.headers["Location"]).text


def test_logout_is_a_post_with_csrf(app, world):
    browser = Browser(app).login(world.candidate)
    assert browser.get("/logout").status_code == 405
    assert browser.post("/logout").status_code == 400  # no CSRF token
    assert world.candidate.name in browser.get("/", follow_redirects=True).text
    response = browser.submit("/candidate/", "/logout")
    assert response.status_code == 302
    home = browser.get("/")
    assert world.candidate.name not in home.text
    assert "Anda telah keluar." in home.text


def test_visitors_switch_language_with_links(app, world):
    page = Browser(app).get("/workflows?lang=en")
    assert 'href="/workflows?lang=id"' in page.text
    assert 'href="/workflows?lang=en"' in page.text


def test_a_logged_in_users_language_is_saved_in_their_profile(app, world, db):
    browser = Browser(app).login(world.candidate)
    assert "Permohonan" in browser.get("/", follow_redirects=True).text
    response = browser.submit("/candidate/", "/language", lang="en", next="/workflows")
    assert response.status_code == 303 and response.headers["Location"] == "/workflows"
    assert "How certification works" in browser.get("/", follow_redirects=True).text
    fresh(db)
    assert db.session.scalar(select(User.locale).where(User.id == world.candidate.id)) == "en"

    # a new session (another device) starts in the saved language
    other = Browser(app).login(world.candidate)
    assert '<html lang="en">' in other.get("/", follow_redirects=True).text


def test_language_switch_ignores_unknown_languages_and_foreign_next(app, world, db):
    browser = Browser(app).login(world.candidate)
    response = browser.submit("/candidate/", "/language", lang="fr", next="https://evil.example/")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    fresh(db)
    assert db.session.scalar(select(User.locale).where(User.id == world.candidate.id)) is None
    assert browser.post("/language", data={"lang": "en"}).status_code == 400  # CSRF


def test_pages_carry_security_headers(app, world):
    for path in ("/", "/login", "/workflows/application", "/does-not-exist"):
        response = Browser(app).get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_script(app, world):
    browser = Browser(app)
    for path in ("/", "/login", "/register", "/workflows/application"):
        assert "<script" not in browser.get(path).text
    browser.login(world.candidate)
    assert "<script" not in browser.get("/").text


def test_error_pages_are_translated_and_the_api_keeps_json(app, world):
    assert "Halaman tidak ditemukan" in Browser(app).get("/nowhere").text
    assert "Page not found" in Browser(app).get("/nowhere?lang=en").text
    api = Browser(app).get("/api/v1/nowhere")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"


def test_the_500_page_renders_without_the_database(app):
    from werkzeug.exceptions import InternalServerError

    from certflow.web.errors import error_page

    with app.test_request_context("/somewhere"):
        body, status = error_page(InternalServerError())
    assert status == 500 and "Terjadi kesalahan" in body
