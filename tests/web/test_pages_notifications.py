"""The notifications page behind the bell: the list, unread marked, mark as read; the admin's delivery panel."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from certflow import clock
from certflow.models import Notification, OutboxMessage
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh

ITEM = re.compile(r'<li class="notification( unread)?">')
MARK_READ = re.compile(r'action="/notifications/(\d+)/read"')


def _notes(db, user, n: int, start_read: int = 0) -> list[Notification]:
    """``n`` notifications for ``user``, one a minute, the oldest first; the first ``start_read`` read."""
    base = clock.now() - timedelta(hours=1)
    rows = [
        Notification(
            user_id=user.id,
            event="submit",
            workflow="application",
            application_id=None,
            params={"reason": f"note {i}"},
            created_at=base + timedelta(minutes=i),
            read_at=base if i < start_read else None,
        )
        for i in range(n)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _unread(db, user) -> int:
    fresh(db)
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def test_visitors_are_sent_to_log_in(app, world):
    page = Browser(app).get("/notifications/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert Browser(app).post("/notifications/read-all").status_code in (302, 400)


def test_every_role_sees_its_own_notifications_with_a_link_to_the_application(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")  # tells candidate, admins, the team
    told = [world.candidate, world.admin_batam, world.admin_kepri, world.lead.user, world.member.user]
    for user in told:
        page = Browser(app).login(user).get("/notifications/")
        assert page.status_code == 200, user.name
        assert f'href="/applications/{application.id}"' in page.text
        assert 'class="bell has-unread"' in page.text
    for user in (world.admin_riau, world.certifier, world.other_candidate):
        page = Browser(app).login(user).get("/notifications/")
        assert page.status_code == 200 and f"/applications/{application.id}" not in page.text
        assert ITEM.search(page.text) is None


def test_the_list_is_newest_first_paginated_and_marks_unread(app, world, db):
    _notes(db, world.candidate, 25, start_read=3)
    browser = Browser(app).login(world.candidate)
    first = browser.get("/notifications/").text
    assert len(ITEM.findall(first)) == 20
    assert first.index("note 24") < first.index("note 5")  # newest first
    assert "note 4" not in first and "Halaman 1 dari 2" in first
    second = browser.get("/notifications/?page=2").text
    marks = ITEM.findall(second)
    assert len(marks) == 5 and marks.count(" unread") == 2  # notes 4, 3 unread; 2, 1, 0 read
    assert browser.get("/notifications/?page=99").status_code == 200  # past the end: the last page
    assert browser.get("/notifications/?page=x").status_code == 200


def test_mark_one_and_all_as_read(app, world, db):
    notes = _notes(db, world.candidate, 3)
    browser = Browser(app).login(world.candidate)
    page = browser.get("/notifications/").text
    assert 'class="count"' in page and _unread(db, world.candidate) == 3
    ids = [int(i) for i in MARK_READ.findall(page)]
    assert sorted(ids) == sorted(n.id for n in notes)

    response = browser.post(f"/notifications/{ids[0]}/read", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303 and _unread(db, world.candidate) == 2
    assert browser.post(f"/notifications/{ids[1]}/read").status_code == 400  # no CSRF token
    response = browser.post("/notifications/read-all", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303 and _unread(db, world.candidate) == 0
    assert ITEM.findall(browser.get("/notifications/").text) == ["", "", ""]


def test_someone_elses_notification_is_not_found(app, world, db):
    (theirs,) = _notes(db, world.other_candidate, 1)
    browser = Browser(app).login(world.candidate)
    token = csrf_token(browser.get("/notifications/").text)
    assert browser.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code == 404
    assert browser.post("/notifications/read-all", data={"csrf_token": token}).status_code == 303
    assert _unread(db, world.other_candidate) == 1


def test_reminders_read_as_sentences(app, world, db):
    db.session.add(
        Notification(
            user_id=world.lead.user.id,
            event="licence_expiring",
            workflow="reminder",
            params={"licence": "LIC-7", "name": "Lead Assessor", "date": "2027-01-31", "days": 30},
        )
    )
    db.session.commit()
    page = Browser(app).login(world.lead.user).get("/notifications/?lang=en").text
    assert "The assessor licence LIC-7 of Lead Assessor expires on January 31, 2027, in 30 days." in page


def test_the_page_takes_the_same_queries_for_few_or_many(app, world, db):
    browser = Browser(app).login(world.candidate)
    _notes(db, world.candidate, 2)
    with count_queries() as few:
        browser.get("/notifications/")
    _notes(db, world.candidate, 30)
    with count_queries() as many:
        browser.get("/notifications/")
    assert many[0] == few[0]


def _failed_message(db, world) -> OutboxMessage:
    msg = OutboxMessage(
        key="transition:999:x",
        recipient_id=world.candidate.id,
        event="submit",
        workflow="application",
        payload={},
        status="failed",
        attempts=10,
        last_error="SMTPDataError: (451, b'Try again later')",
    )
    db.session.add(msg)
    db.session.commit()
    return msg


def test_the_admin_sees_failed_e_mails_and_can_queue_them_again(app, world, db):
    msg = _failed_message(db, world)
    admin = Browser(app).login(world.sysadmin)
    page = admin.get("/notifications/").text
    assert 'data-status="failed">1<' in page and world.candidate.email in page and "451" in page
    response = admin.post("/notifications/outbox/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    fresh(db)
    again = db.session.get(OutboxMessage, msg.id)
    assert (again.status, again.attempts) == ("pending", 0)
    assert 'data-status="failed">0<' in admin.get("/notifications/").text


def test_only_the_system_admin_sees_the_delivery_panel_or_retries(app, world, db):
    msg = _failed_message(db, world)
    for user in (world.candidate, world.admin_kepri, world.certifier, world.lead.user):
        browser = Browser(app).login(user)
        page = browser.get("/notifications/").text
        assert "data-status" not in page and "451" not in page, user.name
        response = browser.post("/notifications/outbox/retry", data={"csrf_token": csrf_token(page)})
        assert response.status_code == 403, user.name
    fresh(db)
    assert db.session.get(OutboxMessage, msg.id).status == "failed"
