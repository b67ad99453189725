"""Sessions and tokens that end: a password change, a reset, "sign out everywhere", a token revoked."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from certflow.extensions import db as _db
from certflow.models import ApiToken, User
from certflow.people.passwords import password_token
from certflow.security import issue_token
from tests.factories import PASSWORD
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh

NEW_PASSWORD = "lembayung-senja-42"


def _token(user) -> dict:
    token, _row = issue_token(user)
    _db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _signed_in(browser: Browser) -> bool:
    return browser.get("/account").status_code == 200


def _api_works(app, headers) -> bool:
    with app.app_context():
        return app.test_client().get("/api/v1/me", headers={**headers, "Accept-Language": "en"}).status_code == 200


def test_the_account_page_needs_a_signed_in_user(app, world):
    answer = Browser(app).get("/account")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    for path in ("/account/password", "/account/sign-out-everywhere"):
        assert Browser(app).post(path).status_code in (302, 400)


def test_every_role_reaches_the_account_page(app, world):
    for user in (world.candidate, world.admin_batam, world.certifier, world.sysadmin, world.lead.user):
        page = Browser(app).login(user).get("/account")
        assert page.status_code == 200
        assert user.email in page.text


def test_a_password_change_ends_every_other_session_and_token(app, world, db):
    here, elsewhere = Browser(app).login(world.candidate), Browser(app).login(world.candidate)
    headers = _token(world.candidate)
    assert _api_works(app, headers)
    answer = here.submit("/account", "/account/password", current=PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert answer.status_code == 303
    assert _signed_in(here)  # this session stays
    assert not _signed_in(elsewhere)
    assert not _api_works(app, headers)
    assert Browser(app).login(world.candidate, NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(app, world, db):
    elsewhere = Browser(app).login(world.candidate)
    here = Browser(app).login(world.candidate)
    answer = here.submit(
        "/account", "/account/password", current="salah-sekali", password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert _signed_in(elsewhere)
    assert Browser(app).login(world.candidate, PASSWORD)


def test_a_reset_ends_every_session_and_token(app, world, db):
    elsewhere = Browser(app).login(world.candidate)
    headers = _token(world.candidate)
    link = f"/set-password/{password_token(world.candidate)}"
    here = Browser(app)
    page = here.get(link)
    answer = here.post(
        link, data={"csrf_token": csrf_token(page.text), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert answer.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert not _api_works(app, headers)


def test_sign_out_everywhere_ends_every_session_and_token(app, world, db):
    here, elsewhere = Browser(app).login(world.certifier), Browser(app).login(world.certifier)
    other_person = Browser(app).login(world.candidate)
    headers = _token(world.certifier)
    answer = here.submit("/account", "/account/sign-out-everywhere")
    assert answer.status_code == 303 and "/login" in answer.headers["Location"]
    assert not _signed_in(here)
    assert not _signed_in(elsewhere)
    assert not _api_works(app, headers)
    assert _signed_in(other_person)
    assert Browser(app).login(world.certifier)  # signing in again works


def test_sign_out_everywhere_without_the_csrf_token_is_refused(app, world, db):
    here = Browser(app).login(world.candidate)
    assert here.post("/account/sign-out-everywhere").status_code == 400
    assert _signed_in(here)


def test_a_session_cookie_of_an_earlier_epoch_or_without_one_loads_nobody(app, world, db):
    from certflow.auth.user_loader import load_user

    user_id = world.candidate.id
    assert load_user(f"{user_id}:0") is not None
    assert load_user(str(user_id)) is None  # a cookie made before epochs existed
    assert load_user(f"{user_id}:1") is None
    assert load_user(f"{'9' * 30}:0") is None


def test_the_user_loader_reads_the_user_in_one_statement(app, world, db):
    from certflow.auth.user_loader import load_user

    key = world.candidate.get_id()
    _db.session.expunge_all()
    with count_queries() as statements:
        assert load_user(key) is not None
    assert statements[0] == 1


def test_delete_current_token_revokes_only_the_calling_token(client, world, db):
    first, second = _token(world.candidate), _token(world.candidate)
    answer = client.delete("/api/v1/auth/tokens/current", headers=first)
    assert answer.status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_delete_current_token_without_a_token_is_401(client, world):
    answer = client.delete("/api/v1/auth/tokens/current")
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"


def test_tokens_are_stored_hashed(client, world, db):
    answer = client.post("/api/v1/auth/tokens", json={"email": world.candidate.email, "password": PASSWORD})
    token = answer.json["token"]
    fresh(db)
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored


def test_the_epoch_rises_with_each_ending(app, world, db):
    from certflow.people.sessions import end_every_session

    user = db.session.get(User, world.candidate.id)
    before = user.session_epoch
    end_every_session(user)
    db.session.commit()
    assert user.session_epoch == before + 1
