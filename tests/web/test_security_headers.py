"""Password rules, security headers, Allow on 405, certificate numbers in any case."""

from __future__ import annotations

from pathlib import Path

import pytest

from certflow.people.passwords import common_passwords, password_problem, password_token
from certflow.security import issue_token
from certflow.web.errors import CONTENT_SECURITY_POLICY
from tests.factories import PASSWORD
from tests.web.test_pages_support import Browser, csrf_token

ROOT = Path(__file__).resolve().parents[2]


# -- password rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password", ["12345678", "password", "Password1", "qwertyuiop", "iloveyou", "bismillah", "aaaaaaaa", "abababab"]
)
def test_common_and_simple_passwords_are_refused(password):
    assert password_problem(password, "rina@example.id", "Rina Wati") is not None


@pytest.mark.parametrize("password", ["rina@example.id", "RINA@example.id", "rina2026!", "Rina Wati", "rinawati99"])
def test_the_email_and_the_name_are_refused(password):
    assert password_problem(password, "rina@example.id", "Rina Wati") is not None


@pytest.mark.parametrize("password", ["lembayung-senja-42", "kopi tubruk pagi", PASSWORD])
def test_good_passwords_pass(password):
    assert password_problem(password, "rina@example.id", "Rina Wati") is None


def test_the_list_ships_with_the_code_and_holds_thousands():
    words = common_passwords()
    assert len(words) > 5000
    assert "12345678" in words and "password" in words
    assert all(w == w.lower() and len(w) >= 8 for w in words)


def test_the_set_password_page_refuses_a_common_password_and_the_email(app, world, db):
    link = f"/set-password/{password_token(world.candidate)}"
    browser = Browser(app)
    for bad, message in (("12345678", "paling banyak dipakai"), (world.candidate.email, "e-mail atau nama")):
        page = browser.get(link)
        answer = browser.post(link, data={"csrf_token": csrf_token(page.text), "password": bad, "confirm": bad})
        assert answer.status_code == 422
        assert message in answer.text
    page = browser.get(link)
    good = "lembayung-senja-42"
    assert (
        browser.post(link, data={"csrf_token": csrf_token(page.text), "password": good, "confirm": good}).status_code
        == 302
    )


def test_the_account_page_refuses_the_name_as_password(app, world, db):
    browser = Browser(app).login(world.candidate)
    bad = "sitiCandidate1"  # the name, "Siti Candidate", in it
    answer = browser.submit("/account", "/account/password", current=PASSWORD, password=bad, confirm=bad)
    assert answer.status_code == 422
    assert "e-mail atau nama" in answer.text


# -- headers -------------------------------------------------------------------------------------
def test_pages_send_permissions_policy_and_a_csp_without_inline_styles(app, world):
    page = Browser(app).get("/login")
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "style-src 'self'" in CONTENT_SECURITY_POLICY


def test_no_page_template_has_an_inline_style():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts:  # e-mails are read by mail clients, which need inline styles and ignore the CSP
            continue
        text = path.read_text(encoding="utf-8")
        if "style=" in text or "<style" in text:
            found.append(str(path.relative_to(ROOT)))
    assert not found


def test_hsts_only_when_secure(app, world):
    with app.app_context():
        secure = app.test_client().get("/login", base_url="https://certflow.test")
        plain = app.test_client().get("/login")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in plain.headers


def test_pages_with_personal_data_are_not_stored(app, world, db):
    browser = Browser(app).login(world.candidate)
    for path in ("/candidate/", "/account", "/notifications/"):
        answer = browser.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == "no-store", path
    assert Browser(app).get(f"/set-password/{password_token(world.candidate)}").headers["Cache-Control"] == "no-store"
    public = Browser(app).get("/login")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    static = browser.get("/static/certflow.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_api_answers_are_not_stored(client, world, db):
    token, _row = issue_token(world.candidate)
    db.session.commit()
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/logout", {"POST"}),
        ("DELETE", "/login", {"GET", "POST"}),
        ("PUT", "/verify", {"GET"}),
        ("GET", "/account/sign-out-everywhere", {"POST"}),
        ("POST", "/api/v1/me", {"GET"}),
        ("GET", "/api/v1/auth/tokens", {"POST"}),
        ("POST", "/api/v1/auth/tokens/current", {"DELETE"}),
    ],
)
def test_a_405_says_what_is_allowed(app, world, method, path, allowed):
    with app.app_context():
        answer = app.test_client().open(path, method=method)
    assert answer.status_code == 405
    assert allowed <= {m.strip() for m in answer.headers["Allow"].split(",")}


# -- certificate numbers -------------------------------------------------------------------------
@pytest.fixture()
def cert(world, db):
    app = world.new_application()
    world.advance(app, "certified")
    db.session.commit()
    return app.certificate


def test_certificate_numbers_are_matched_whatever_the_case(client, cert):
    for number in (cert.number.lower(), cert.number.title(), f" {cert.number.lower()} "):
        api = client.get(f"/api/v1/certificates/{number.strip()}")
        assert api.status_code == 200, number
        assert api.json["number"] == cert.number
        assert client.get(f"/verify/{number.strip()}").status_code == 200
