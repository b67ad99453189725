"""Sign-in limits that fit an office (DOMAIN.md rule 9), shared storage, trusted proxies."""

from __future__ import annotations

import multiprocessing

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from certflow.core.ratelimit_storage import SQLiteFileStorage
from tests.factories import PASSWORD, make_user
from tests.web.test_pages_support import Browser, csrf_token

OFFICE = "10.77.0.1"


def _wrong_login(browser: Browser, email: str):
    page = browser.get("/login")
    return browser.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": "salah-123"})


def _api_token(app, email: str, password: str, address: str):
    with app.app_context():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client.post(
            "/api/v1/auth/tokens", json={"email": email, "password": password}, headers={"Accept-Language": "en"}
        )


def test_a_shared_address_office_signs_in_while_one_account_is_limited(app, world, db):
    staff = [make_user("candidate", world.batam, name=f"Staf {n}") for n in range(10)]
    db.session.commit()
    target = world.candidate
    attacker = Browser(app, OFFICE)
    assert [_wrong_login(attacker, target.email).status_code for _ in range(10)] == [422] * 10
    assert _wrong_login(attacker, target.email).status_code == 429  # the eleventh wrong password
    for person in staff:  # ten colleagues behind the same address, within the same minute
        assert Browser(app, OFFICE).login(person)
        assert _api_token(app, person.email, PASSWORD, OFFICE).status_code == 201
    assert _api_token(app, target.email, "salah-123", OFFICE).status_code == 429  # one bucket: the API too
    assert Browser(app, "10.77.0.2").login(target)  # the owner, elsewhere, is not locked out


def test_page_and_api_share_one_bucket(app, world, db):
    browser = Browser(app, OFFICE)
    for _ in range(5):
        assert _wrong_login(browser, world.candidate.email).status_code == 422
        assert _api_token(app, world.candidate.email, "salah-123", OFFICE).status_code == 401
    limited = _api_token(app, world.candidate.email, PASSWORD, OFFICE)
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert limited.headers["Retry-After"]
    assert _wrong_login(browser, world.candidate.email).status_code == 429


def test_successful_sign_ins_are_never_counted(app, world, db):
    for _ in range(15):
        assert _api_token(app, world.candidate.email, PASSWORD, OFFICE).status_code == 201
    assert Browser(app, OFFICE).login(world.candidate)


def test_failures_of_one_address_are_counted_over_every_account(app, world, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_ADDRESS", "4 per minute")
    people = [world.candidate, world.other_candidate, world.certifier, world.sysadmin]
    assert [_api_token(app, p.email, "salah-123", OFFICE).status_code for p in people] == [401] * 4
    assert _api_token(app, world.admin_batam.email, "salah-123", OFFICE).status_code == 429
    assert _api_token(app, world.admin_batam.email, "salah-123", "10.77.0.9").status_code == 401


def test_failures_of_one_account_are_counted_over_every_address(app, world, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_ACCOUNT", "3 per hour")
    statuses = [_api_token(app, world.candidate.email, "salah-123", f"10.78.0.{n}").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert _api_token(app, world.other_candidate.email, PASSWORD, "10.78.0.9").status_code == 201


def test_an_unknown_email_is_limited_like_a_known_one(app, world, db):
    statuses = [_api_token(app, "nobody@example.id", "salah-123", OFFICE).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]


def test_behind_a_trusted_proxy_each_client_has_its_own_address(app, world, db):
    from certflow import create_app

    settings = {k: v for k, v in app.config.items() if k.isupper()}
    proxied = create_app(type("ProxiedConfig", (), {**settings, "TRUSTED_PROXIES": 1}))

    def attempt(target_app, forwarded: str):
        with target_app.app_context():
            client = target_app.test_client()
            client.environ_base["REMOTE_ADDR"] = "10.0.0.254"  # the proxy
            return client.post(
                "/api/v1/auth/tokens",
                json={"email": world.candidate.email, "password": "salah-123"},
                headers={"X-Forwarded-For": forwarded, "Accept-Language": "en"},
            ).status_code

    assert [attempt(proxied, "203.0.113.5") for _ in range(10)] == [401] * 10
    assert attempt(proxied, "203.0.113.5") == 429
    assert attempt(proxied, "203.0.113.6") == 401  # another client behind the same proxy

    from certflow.extensions import limiter

    with app.app_context():
        limiter.reset()
    # With no trusted proxy (the default) the header is ignored: a client cannot pick its own bucket.
    assert [attempt(app, f"198.51.100.{n}") for n in range(10)] == [401] * 10
    assert attempt(app, "198.51.100.99") == 429


def _hit_many(path: str, times: int, queue) -> None:
    storage = SQLiteFileStorage(f"certflow+sqlite:///{path}")
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("15 per minute")
    queue.put(sum(limiter.hit(limit, "office") for _ in range(times)))


def test_the_embedded_storage_is_shared_by_processes(tmp_path):
    path = str(tmp_path / "limits.sqlite")
    queue = multiprocessing.get_context("fork").Queue()
    procs = [multiprocessing.get_context("fork").Process(target=_hit_many, args=(path, 10, queue)) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    assert queue.get(timeout=5) + queue.get(timeout=5) == 15  # not 20: both workers count together


def test_the_embedded_storage_forgets_an_ended_window(tmp_path, monkeypatch):
    import time as real_time

    storage = SQLiteFileStorage(f"certflow+sqlite:///{tmp_path / 'limits.sqlite'}")
    assert storage.incr("k", 60) == 1 and storage.incr("k", 60) == 2 and storage.get("k") == 2
    now = real_time.time()
    monkeypatch.setattr("certflow.core.ratelimit_storage.time.time", lambda: now + 61)
    assert storage.get("k") == 0 and storage.incr("k", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "certflow+sqlite:///"),
        ({"CELERY_BROKER_URL": "redis://cache:6379/0"}, "redis://cache:6379/0"),
        (
            {"CELERY_BROKER_URL": "redis://cache:6379/0", "RATELIMIT_STORAGE_URI": "redis://x:6379/3"},
            "redis://x:6379/3",
        ),
    ],
)
def test_the_storage_is_shared_by_default(monkeypatch, env, expected):
    from config import _ratelimit_storage

    for name in ("CELERY_BROKER_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _ratelimit_storage().startswith(expected)
