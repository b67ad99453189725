"""SECRET_KEY: refused when it is the known default outside the embedded default and the tests."""

from __future__ import annotations

import os
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from certflow import create_app
from certflow.security import InsecureSecretKey
from config import Config, TestConfig

OLD_DEFAULT = "dev-only-change-me"
UA = {"User-Agent": "probe/1.0"}


def _config(tmp_path, url: str, key: str | None, **more):
    settings = dict(
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY=key,
        UPLOAD_DIR=str(tmp_path / "uploads"),
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        MAIL_FILE_DIR=str(tmp_path / "mail"),
        OUTBOX_DISPATCH=False,
        TESTING=False,
    )
    settings.update(more)
    return type("DeployConfig", (Config,), settings)


@pytest.fixture()
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("CERTFLOW_INSTANCE", str(tmp_path / "instance"))
    return tmp_path / "instance"


@pytest.mark.parametrize("key", [None, "", OLD_DEFAULT])
def test_postgresql_with_the_default_key_refuses_to_start(tmp_path, instance, key):
    with pytest.raises(InsecureSecretKey):
        create_app(_config(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:5432/nowhere", key))


def test_a_set_key_starts_anywhere(tmp_path, instance):
    app = create_app(_config(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:5432/nowhere", "k" * 40))
    assert app.config["SECRET_KEY"] == "k" * 40


@pytest.mark.parametrize("key", [None, OLD_DEFAULT])
def test_the_embedded_default_keeps_its_own_random_key(tmp_path, instance, key):
    url = f"sqlite:///{tmp_path / 'embedded.sqlite'}"
    first = create_app(_config(tmp_path, url, key))
    key_file = instance / "secret_key"
    assert first.config["SECRET_KEY"] not in (None, "", OLD_DEFAULT)
    assert len(first.config["SECRET_KEY"]) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = create_app(_config(tmp_path, url, key))  # the next start, or the other worker
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_the_tests_keep_their_own_key(tmp_path, instance):
    app = create_app(type("T", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.sqlite'}"}))
    assert app.config["SECRET_KEY"] == "test"
    assert not (instance / "secret_key").exists()


def test_a_session_forged_with_the_old_default_key_is_not_accepted(tmp_path, instance):
    """The probe's attack: a system-admin session signed with the once-default key."""
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'embedded.sqlite'}"
    app = create_app(_config(tmp_path, url, None))
    with app.app_context():
        upgrade()
        from certflow.extensions import db
        from certflow.people.users import create_user

        admin = create_user("root@example.id", "Root", "a-long-password-1", ["admin"])
        db.session.commit()
        admin_id = admin.id
        db.session.remove()

    with app.test_request_context("/", headers=UA, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        from flask_login.utils import _create_identifier

        ident = _create_identifier()  # what session protection compares: the attacker can compute it

    def forged_with(key: str) -> str:
        signer = type("Signer", (), {"secret_key": key, "config": app.config})()
        serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
        return serializer.dumps({"_user_id": f"{admin_id}:0", "_fresh": True, "_id": ident})  # epoch 0: guessable

    control = app.test_client()
    control.set_cookie("session", forged_with(app.config["SECRET_KEY"]))
    assert control.get("/system/users", headers=UA).status_code == 200  # the cookie is well made: only the key matters

    client = app.test_client()
    client.set_cookie("session", forged_with(OLD_DEFAULT))
    answer = client.get("/system/users", headers=UA)
    assert answer.status_code == 302  # to the login page: not signed in
    assert "/login" in answer.headers["Location"]
