"""A candidate's self-registration: the happy path, and every bad input re-rendered with its message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.models import OutboxMessage, User
from certflow.notifications.messages import render_email
from tests.web.test_pages_support import Browser, csrf_token, fresh

GOOD = {
    "name": "Rina Pekerja Sosial",
    "email": "rina@example.id",
    "education_field": "kesos",
    "education_level": "S1",
    "practice_hours": "1500",
}


def _form(world, **changes):
    data = dict(GOOD, dinas=str(world.bintan.id))
    data.update(changes)
    return data


def _users(db) -> int:
    fresh(db)
    return db.session.scalar(select(func.count(User.id)))


def test_the_form_lists_every_dinas_grouped_by_province(app, world):
    page = Browser(app).get("/register")
    assert page.status_code == 200
    assert '<optgroup label="Kepulauan Riau">' in page.text and '<optgroup label="Riau">' in page.text
    for dinas in (world.dinas_kepri, world.batam, world.bintan, world.dinas_riau, world.pekanbaru):
        assert f'<option value="{dinas.id}">{dinas.name}</option>' in page.text
    # the province's own dinas comes first in its group
    group = page.text.split('<optgroup label="Kepulauan Riau">')[1].split("</optgroup>")[0]
    assert group.index(world.dinas_kepri.name) < group.index(world.batam.name)
    for level in ("SMA", "D1", "D3", "D4", "S1", "S2", "S3"):
        assert f'<option value="{level}">' in page.text
    assert "Kesejahteraan sosial (kesos)" in page.text


def _account_emails(db, event: str) -> list[OutboxMessage]:
    fresh(db)
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == event)).all()


def test_registration_creates_a_candidate_who_confirms_by_the_emailed_link(app, world, db):
    before = _users(db)
    browser = Browser(app)
    response = browser.submit("/register", **_form(world))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "rina@example.id" in browser.get("/login").text  # the flash: check your e-mail
    assert browser.get("/account").status_code == 302  # not signed in: the address is not confirmed yet

    assert _users(db) == before + 1
    user = db.session.scalar(select(User).where(User.email == "rina@example.id"))
    assert user.roles == {"candidate"}
    assert user.dinas_id == world.bintan.id
    assert (user.education_field, user.education_level, user.practice_hours) == ("kesos", "S1", 1500)
    assert user.password_hash is None
    [message] = _account_emails(db, "account_confirm")
    assert message.recipient_id == user.id
    # the e-mailed link confirms the address: the person chooses a password and is signed in
    link = (
        "/set-password/"
        + render_email(message).get_body(("plain",)).get_content().split("/set-password/")[1].split()[0]
    )
    page = browser.get(link)
    assert page.status_code == 200
    answer = browser.post(
        link, data={"csrf_token": csrf_token(page.text), "password": "panjang-sekali", "confirm": "panjang-sekali"}
    )
    assert answer.status_code == 302
    assert "Selamat datang, Rina Pekerja Sosial" in browser.get("/", follow_redirects=True).text
    fresh(db)
    assert Browser(app).login(db.session.get(User, user.id), "panjang-sekali")


def test_the_training_and_the_position_are_kept_for_the_first_application_form(app, world, db):
    """Asked by the self-check and carried here, they are kept on the account: the first APL-01 starts from them."""
    from certflow.applications.operations import create_application

    browser = Browser(app)
    assert browser.submit("/register", **_form(world, training="y", position="  Staf Dinas Sosial ")).status_code == 302
    assert browser.submit("/register", **_form(world, email="tanpa@example.id")).status_code == 302
    fresh(db)
    trained = db.session.scalar(select(User).where(User.email == "rina@example.id"))
    untrained = db.session.scalar(select(User).where(User.email == "tanpa@example.id"))
    assert (trained.training, trained.position) == (True, "Staf Dinas Sosial")
    assert (untrained.training, untrained.position) == (False, None)
    first = create_application(trained, "PSG").apl01
    assert (first["training"], first["position"]) == (True, "Staf Dinas Sosial")
    assert "position" not in create_application(untrained, "PSG").apl01
    db.session.rollback()


def test_a_position_with_a_nul_is_refused_and_nothing_written(app, world, db):
    before = _users(db)
    response = Browser(app).submit("/register", **_form(world, position="Staf\x00Dinas"))
    assert 400 <= response.status_code < 500
    assert _users(db) == before


def test_a_taken_email_answers_like_a_new_one_and_tells_its_owner(app, world, db):
    before = _users(db)
    new = Browser(app).submit("/register", **_form(world, email="baru@example.id"))
    taken = Browser(app).submit("/register", **_form(world, email=world.candidate.email.upper()))
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    assert _users(db) == before + 1  # only the new address made an account
    [told] = _account_emails(db, "register_taken")
    assert told.recipient_id == world.candidate.id
    email = render_email(told)
    assert world.candidate.email in email["To"]
    assert "/set-password/" in email.get_body(("plain",)).get_content()
    fresh(db)
    assert db.session.get(User, world.candidate.id).password_hash  # the owner's account is unchanged


def test_registering_twice_at_once_sends_one_email(app, world, db):
    first = Browser(app).submit("/register", **_form(world))
    second = Browser(app).submit("/register", **_form(world))
    assert first.status_code == second.status_code == 302
    assert len(_account_emails(db, "account_confirm")) == 1


BAD_INPUTS = [
    ("name", {"name": "  "}, "Masukkan nama lengkap Anda."),
    ("name", {"name": "x" * 161}, "Nama terlalu panjang."),
    ("email", {"email": ""}, "Masukkan alamat e-mail Anda."),
    ("email", {"email": "not-an-email"}, "Masukkan alamat e-mail yang sah"),
    ("email", {"email": "a@b"}, "Masukkan alamat e-mail yang sah"),
    ("dinas", {"dinas": ""}, "Pilih Dinas Sosial Anda."),
    ("dinas", {"dinas": "999999"}, "Pilih Dinas Sosial dari daftar."),
    ("dinas", {"dinas": "Dinas Sosial Kota Batam"}, "Pilih Dinas Sosial dari daftar."),
    ("education_field", {"education_field": ""}, "Pilih bidang pendidikan Anda."),
    ("education_field", {"education_field": "law"}, "Pilih bidang pendidikan dari daftar."),
    ("education_level", {"education_level": "S9"}, "Pilih jenjang pendidikan dari daftar."),
    ("practice_hours", {"practice_hours": ""}, "Masukkan jumlah jam praktik"),
    ("practice_hours", {"practice_hours": "-5"}, "Isi jam praktik dengan bilangan bulat"),
    ("practice_hours", {"practice_hours": "12.5"}, "Isi jam praktik dengan bilangan bulat"),
    ("practice_hours", {"practice_hours": "²"}, "Isi jam praktik dengan bilangan bulat"),
    ("practice_hours", {"practice_hours": "9" * 5000}, "Isi jam praktik dengan bilangan bulat"),
    ("position", {"position": "x" * 121}, "Jabatan terlalu panjang."),
]


@pytest.mark.parametrize(
    ("field", "changes", "message"), BAD_INPUTS, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD_INPUTS)]
)
def test_a_bad_input_is_shown_next_to_its_field_and_nothing_is_written(app, world, db, field, changes, message):
    before = _users(db)
    data = _form(world, **changes)
    response = Browser(app).submit("/register", **data)
    assert response.status_code == 422
    page = response.text
    # the message sits next to its field, and the field says it is invalid
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    assert 'aria-invalid="true"' in page
    # what was typed comes back, except the passwords
    if field != "name":
        assert 'value="Rina Pekerja Sosial"' in page
    assert "panjang-sekali" not in page
    if field != "dinas":
        assert f'<option value="{world.bintan.id}" selected>' in page
    assert _users(db) == before


def test_registration_speaks_english_too(app, world):
    browser = Browser(app)
    browser.get("/register?lang=en")
    response = browser.submit("/register", **_form(world, practice_hours="-5"))
    assert "Enter the practice hours as a whole number, 0 or more." in response.text


def test_registration_without_csrf_is_refused(app, world, db):
    before = _users(db)
    response = Browser(app).post("/register", data=_form(world))
    assert response.status_code == 400
    assert _users(db) == before


def test_a_logged_in_user_is_sent_home(app, world):
    browser = Browser(app).login(world.candidate)
    assert browser.get("/register").headers["Location"] == "/"
