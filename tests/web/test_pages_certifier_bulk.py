"""The certifier's pages: bulk suspend / withdraw from the certificate list, the name correction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import Application, Certificate, TransitionLog
from tests.web.test_api_certificates import certified_in
from tests.web.test_pages_support import Browser, csrf_token, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(getattr(user, "user", user))
    browser.get("/?lang=en")
    return browser


@pytest.fixture()
def three(world, db) -> list[Certificate]:
    apps = [certified_in(world, world.batam) for _ in range(3)]
    return [db.session.scalar(select(Certificate).where(Certificate.application_id == a.id)) for a in apps]


def _statuses(db, certs) -> list[str]:
    fresh(db)
    return [db.session.get(Certificate, c.id).status for c in certs]


def test_the_list_offers_a_multi_select_and_a_bulk_action(app, world, three):
    page = _browser(app, world.certifier).get("/certifier/certificates").text
    for cert in three:
        assert f'name="numbers" value="{cert.number}"' in page
    assert 'name="event"' in page and "Apply to the selected certificates" in page


def test_bulk_withdraw_with_one_refused_does_the_others_and_says_why(app, world, db, three):
    a, b, c = three
    browser = _browser(app, world.certifier)
    token = csrf_token(browser.get("/certifier/certificates").text)
    r = browser.post(
        "/certifier/certificates/bulk",
        data={"csrf_token": token, "event": "reinstate", "numbers": [b.number], "reason": "x"},
    )
    assert r.status_code == 200 and "Not done for 1 certificates" in r.text  # b is active: nothing to reinstate
    r = browser.post(
        "/certifier/certificates/bulk",
        data={"csrf_token": token, "event": "withdraw", "numbers": [b.number], "reason": "First"},
    )
    assert _statuses(db, three) == ["active", "withdrawn", "active"]
    r = browser.post(
        "/certifier/certificates/bulk",
        data={"csrf_token": token, "event": "withdraw", "numbers": [a.number, b.number, c.number], "reason": "Fraud"},
    )
    assert r.status_code == 200
    assert "Done for 2 certificates" in r.text and "Not done for 1 certificates" in r.text
    assert "Withdrawn" in r.text and "withdraw" not in r.text.split("data-refused")[1].split("</ul>")[0]
    assert _statuses(db, three) == ["withdrawn", "withdrawn", "withdrawn"]
    reasons = db.session.scalars(
        select(TransitionLog.reason).where(
            TransitionLog.subject_id.in_([a.id, c.id]), TransitionLog.workflow == "certificate"
        )
    ).all()
    assert reasons == ["Fraud", "Fraud"]


def test_bulk_suspend_needs_an_end_date_and_a_selection_nothing_lost(app, world, db, three):
    browser = _browser(app, world.certifier)
    token = csrf_token(browser.get("/certifier/certificates").text)
    r = browser.post(
        "/certifier/certificates/bulk",
        data={"csrf_token": token, "event": "suspend", "numbers": [three[0].number], "reason": "Audit under way"},
    )
    assert r.status_code == 422
    assert "Give the day the suspension ends." in r.text and "Audit under way" in r.text
    assert f'value="{three[0].number}" checked' in r.text
    r = browser.post("/certifier/certificates/bulk", data={"csrf_token": token, "event": "suspend", "reason": ""})
    assert r.status_code == 422 and "Select at least one certificate." in r.text and "Give the reason" in r.text
    until = (clock.today() + timedelta(days=10)).isoformat()
    r = browser.post(
        "/certifier/certificates/bulk",
        data={
            "csrf_token": token,
            "event": "suspend",
            "numbers": [c.number for c in three],
            "reason": "Audit",
            "until": until,
        },
    )
    assert r.status_code == 200 and "Done for 3 certificates" in r.text
    assert _statuses(db, three) == ["suspended"] * 3


@pytest.mark.parametrize("who", ["candidate", "admin_batam", "lead", "sysadmin"])
def test_bulk_and_name_correction_are_refused_to_other_roles(app, world, db, three, who):
    browser = Browser(app).login(getattr(getattr(world, who), "user", getattr(world, who)))
    token = csrf_token(browser.get("/", follow_redirects=True).text)
    r = browser.post(
        "/certifier/certificates/bulk",
        data={"csrf_token": token, "event": "withdraw", "numbers": [three[0].number], "reason": "x"},
    )
    assert r.status_code == 403
    r = browser.post(
        f"/certifier/certificates/{three[0].number}/reissue",
        data={"csrf_token": token, "holder_name": "Other", "reason": "x", "version": "1"},
    )
    assert r.status_code == 403
    assert _statuses(db, three) == ["active"] * 3


def test_name_correction_through_the_page_keeps_both_in_history(app, world, db, three):
    old = three[0]
    browser = _browser(app, world.certifier)
    page = browser.get(f"/certifier/certificates/{old.number}").text
    assert "Correct the holder’s name" in page
    token = csrf_token(page)
    r = browser.post(
        f"/certifier/certificates/{old.number}/reissue",
        data={"csrf_token": token, "holder_name": old.holder_name, "reason": "Typo", "version": "1"},
    )
    assert r.status_code == 422 and "already carries" in r.text
    r = browser.post(
        f"/certifier/certificates/{old.number}/reissue",
        data={"csrf_token": token, "holder_name": "Dewi Lestari", "reason": "", "version": "1"},
    )
    assert r.status_code == 422 and 'value="Dewi Lestari"' in r.text  # nothing lost
    r = browser.post(
        f"/certifier/certificates/{old.number}/reissue",
        data={"csrf_token": token, "holder_name": "Dewi Lestari", "reason": "Typo in the name", "version": "1"},
    )
    assert r.status_code == 303
    fresh(db)
    new = db.session.scalar(select(Certificate).where(Certificate.holder_name == "Dewi Lestari"))
    assert r.headers["Location"].endswith(f"/certifier/certificates/{new.number}")
    page = browser.get(r.headers["Location"]).text
    assert "was re-issued as" in page
    history = page.split("data-numbers")[1].split("</ol>")[0]
    assert old.number in history and new.number in history and "Superseded" in history
    old_page = browser.get(f"/certifier/certificates/{old.number}").text
    assert "Correct the name (re-issue)" in old_page and "Typo in the name" in old_page  # in its history
    assert "Correct the holder’s name" not in old_page  # superseded: nothing more to do
    assert db.session.get(Application, old.application_id).certificate.id == new.id


def test_the_certificate_page_links_the_signed_credential(app, world, three):
    page = _browser(app, world.certifier).get(f"/certifier/certificates/{three[0].number}").text
    assert f'href="/api/v1/certificates/{three[0].number}/credential"' in page
