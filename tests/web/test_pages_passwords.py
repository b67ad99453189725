"""Setting a password from an e-mailed link: invitations and forgotten passwords."""

import re

from sqlalchemy import select

from certflow.extensions import db as _db
from certflow.models import OutboxMessage, User
from certflow.notifications.messages import render_email
from certflow.people.passwords import password_token
from certflow.people.users import create_user
from certflow.security import authenticate


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _link_in(email) -> str:
    body = email.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/set-password/\S+", body).group(0)


def _invited(world) -> User:
    user = create_user("undangan@example.id", "Tamu Undangan", None, ["assessor"], world.bintan)
    _db.session.add(
        OutboxMessage(
            key=f"invite:{user.id}", recipient_id=user.id, event="account_invite", workflow="account", payload={}
        )
    )
    _db.session.commit()
    return user


def test_an_invited_person_sets_a_password_once_from_the_emailed_link(client, world):
    user = _invited(world)
    msg = _db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"invite:{user.id}"))
    email = render_email(msg)
    assert email["To"] == "undangan@example.id"
    path = "/" + _link_in(email).split("/", 3)[3]

    page = client.get(path)
    assert page.status_code == 200 and "undangan@example.id" in page.text
    bad = client.post(path, data={"csrf_token": _csrf(page.text), "password": "short", "confirm": "short"})
    assert bad.status_code == 422
    ok = client.post(
        path, data={"csrf_token": _csrf(page.text), "password": "kata-sandi-baru", "confirm": "kata-sandi-baru"}
    )
    assert ok.status_code == 302
    _db.session.expire_all()  # the request changed the user in its own session
    assert authenticate("undangan@example.id", "kata-sandi-baru") is not None

    client.post("/logout", data={"csrf_token": _csrf(client.get("/").text)})
    again = client.get(path)
    assert again.status_code == 404  # single use: the password changed


def test_a_tampered_token_is_refused(client, world):
    user = _invited(world)
    token = password_token(user)
    assert client.get(f"/set-password/{token[:-2]}xx").status_code == 404
    assert client.get("/set-password/not-a-token").status_code == 404


def test_forgot_password_says_the_same_whether_or_not_the_email_is_known(client, world):
    page = client.get("/forgot-password")
    known = client.post(
        "/forgot-password", data={"csrf_token": _csrf(page.text), "email": world.candidate.email}, follow_redirects=True
    )
    page = client.get("/forgot-password")
    unknown = client.post(
        "/forgot-password", data={"csrf_token": _csrf(page.text), "email": "nobody@example.id"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    flash = re.compile(r'class="flash[^"]*"[^>]*>([^<]+)<')
    assert flash.findall(known.text) == flash.findall(unknown.text)
    rows = _db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "password_reset")).all()
    assert [r.recipient_id for r in rows] == [world.candidate.id]
    link = _link_in(render_email(rows[0]))
    assert "/set-password/" in link


def test_forgot_password_rejects_a_malformed_address(client, world):
    page = client.get("/forgot-password")
    r = client.post("/forgot-password", data={"csrf_token": _csrf(page.text), "email": "not-an-email"})
    assert r.status_code == 422
    assert _db.session.scalar(select(OutboxMessage.id)) is None
