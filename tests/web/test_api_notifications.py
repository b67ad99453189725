"""API: the caller's own in-app notifications; every role sees only its own."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from certflow.extensions import db as _db
from certflow.models import Notification
from tests.factories import PASSWORD

_ip = itertools.count(1)


def token(client, user) -> dict:
    """Bearer headers for ``user`` (each token from its own address, clear of the login rate limit)."""
    n = next(_ip)
    r = client.post(
        "/api/v1/auth/tokens",
        json={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": f"10.2.{n // 250}.{n % 250 + 1}"},
    )
    assert r.status_code == 201, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def account(world, who):
    user = getattr(world, who)
    return getattr(user, "user", user)  # an assessor's account


@pytest.fixture()
def certified(world, db):
    """An application taken to ``certified``: six transitions, each notifying someone (and the candidate
    told of the agreement to sign: seven for the candidate)."""
    app = world.new_application()
    world.advance(app, "certified")
    return app


def own_ids(user) -> list[int]:
    """The user's notification ids, newest first, straight from the database."""
    return list(
        _db.session.scalars(
            select(Notification.id)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )


@pytest.mark.parametrize(
    "who, events",
    [
        (
            "candidate",
            {"submit", "approve", "assign_team", "agreement_to_sign", "start_assessment", "recommend", "certify"},
        ),
        ("admin_batam", {"submit", "recommend", "certify"}),
        ("admin_kepri", {"submit", "recommend", "certify"}),
        ("lead", {"assign_team", "start_assessment", "certify"}),
        ("certifier", {"recommend"}),
        ("admin_riau", set()),
        ("sysadmin", set()),
        ("other_candidate", set()),
    ],
)
def test_every_role_lists_only_its_own_newest_first(client, world, certified, who, events):
    user = account(world, who)
    r = client.get("/api/v1/notifications", headers=token(client, user))
    assert r.status_code == 200
    body = r.get_json()
    assert [n["id"] for n in body["items"]] == own_ids(user)
    assert {n["event"] for n in body["items"]} == events
    assert body["total"] == len(own_ids(user)) and body["unread"] == body["total"]
    assert body["page"] == 1 and body["per_page"] == 20
    for n in body["items"]:
        assert set(n) >= {"id", "event", "application", "message", "created_at", "read"}
        assert n["application"] == certified.id and n["read"] is False
        assert f"#{certified.id}" in n["message"]


def test_message_is_in_the_callers_language(client, world, certified):
    world.candidate.locale = "en"
    _db.session.commit()
    items = client.get("/api/v1/notifications", headers=token(client, world.candidate)).get_json()["items"]
    by_event = {n["event"]: n["message"] for n in items}
    assert by_event["certify"] == f"Certified competent; certificate issued — application #{certified.id}."


def test_reason_is_part_of_the_message(client, world):
    app = world.new_application()
    world.advance(app, "submitted")
    world.fire(app, "reject", world.admin_batam, reason="Diploma unreadable")
    world.candidate.locale = "en"
    _db.session.commit()
    items = client.get("/api/v1/notifications", headers=token(client, world.candidate)).get_json()["items"]
    assert items[0]["event"] == "reject"
    assert items[0]["message"].endswith("Reason: Diploma unreadable")


def test_mark_one_read_then_filter(client, world, certified):
    headers = token(client, world.candidate)
    first, second, *_ = own_ids(world.candidate)
    r = client.post(f"/api/v1/notifications/{second}/read", headers=headers)
    assert r.status_code == 200
    assert r.get_json()["id"] == second and r.get_json()["read"] is True
    # marking again keeps it read
    assert client.post(f"/api/v1/notifications/{second}/read", headers=headers).get_json()["read"] is True

    unread = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    assert second not in [n["id"] for n in unread["items"]] and unread["total"] == 6 and unread["unread"] == 6
    read = client.get("/api/v1/notifications?unread=false", headers=headers).get_json()
    assert [n["id"] for n in read["items"]] == [second] and read["items"][0]["read"] is True
    everything = client.get("/api/v1/notifications", headers=headers).get_json()
    assert everything["total"] == 7 and everything["unread"] == 6


def test_someone_elses_or_unknown_notification_is_404(client, world, certified):
    theirs = own_ids(world.admin_batam)[0]
    headers = token(client, world.candidate)
    for nid in (theirs, 999999):
        r = client.post(f"/api/v1/notifications/{nid}/read", headers=headers)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert _db.session.get(Notification, theirs).read_at is None


def test_read_all_marks_only_the_callers(client, world, certified):
    r = client.post("/api/v1/notifications/read-all", headers=token(client, world.candidate))
    assert r.status_code == 200 and r.get_json() == {"marked": 7, "unread": 0}
    unread = select(func.count(Notification.id)).where(Notification.read_at.is_(None))
    assert _db.session.scalar(unread.where(Notification.user_id == world.candidate.id)) == 0
    assert _db.session.scalar(unread.where(Notification.user_id == world.admin_batam.id)) == 3
    again = client.post("/api/v1/notifications/read-all", headers=token(client, world.candidate))
    assert again.get_json()["marked"] == 0


def test_paging_and_bad_parameters(client, world, certified):
    headers = token(client, world.candidate)
    page = client.get("/api/v1/notifications?per_page=4&page=2", headers=headers).get_json()
    assert [n["id"] for n in page["items"]] == own_ids(world.candidate)[4:]
    assert (page["total"], page["page"], page["per_page"]) == (7, 2, 4)
    for query in ("?unread=maybe", "?page=zero", "?per_page=x"):
        r = client.get(f"/api/v1/notifications{query}", headers=headers)
        assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_error"
    assert "unread" in client.get("/api/v1/notifications?unread=maybe", headers=headers).get_json()["error"]["message"]


def test_notifications_need_a_token(client, world):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/1/read").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401


def test_listing_takes_a_constant_number_of_queries(client, world, db):
    from sqlalchemy import event

    headers = token(client, world.candidate)

    def count_queries() -> int:
        seen = []

        def listener(*args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/notifications?per_page=100", headers=headers).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    app = world.new_application()
    world.advance(app, "submitted")
    few = count_queries()
    for _ in range(3):
        app = world.new_application()
        world.advance(app, "certified")
    assert count_queries() == few
