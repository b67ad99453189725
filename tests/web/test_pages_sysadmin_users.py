"""The system admin's user pages: finding people, creating accounts, roles and dinas, (de)activation,
the last system admin, and appointing dinas admins — and who may use them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.models import OutboxMessage, User
from tests.factories import PASSWORD, make_user
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh

USERS = "/system/users"


def _admin(app, user) -> Browser:
    browser = Browser(app).login(user)
    browser.get("/?lang=en")
    return browser


def _post(browser, page: str, action: str, **data):
    return browser.post(action, data={"csrf_token": csrf_token(browser.get(page).text), **data})


def _user(db, user_id: int) -> User:
    fresh(db)
    return db.session.get(User, user_id)


def _profile(user, **changes) -> dict:
    data = {
        "name": user.name,
        "roles": sorted(user.roles),
        "dinas": str(user.dinas_id or ""),
        "education_field": user.education_field or "",
    }
    return {**data, **changes}


# -- who may use the pages -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["candidate", "lead", "admin_batam", "admin_kepri", "certifier"])
def test_only_system_admins_may_use_the_user_pages(app, world, db, who):
    user = getattr(world, who)
    user = getattr(user, "user", user)
    browser = Browser(app).login(user)
    for url in (USERS, f"{USERS}/new", f"{USERS}/{world.candidate.id}", "/system/dinas"):
        assert browser.get(url).status_code == 403, url
    token = csrf_token(browser.get("/", follow_redirects=True).text)
    attempts = [
        (f"{USERS}/{user.id}", _profile(user, roles=["admin"])),
        (f"{USERS}/{world.sysadmin.id}/active", {"active": "0"}),
        (f"/system/dinas/{world.batam.id}/admins", {"email": user.email}),
    ]
    for url, data in attempts:
        assert browser.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    fresh(db)
    assert db.session.get(User, user.id).roles == user.roles
    assert db.session.get(User, world.sysadmin.id).active


def test_visitors_are_sent_to_log_in(app, world):
    response = Browser(app).get(USERS)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- finding people --------------------------------------------------------------------------


def test_find_people_by_name_email_role_and_status(app, world, db):
    closed = make_user("candidate", world.batam, name="Closed Person")
    closed.active = False
    db.session.commit()
    browser = _admin(app, world.sysadmin)
    everyone = browser.get(USERS).text
    for user in (world.candidate, world.admin_riau, world.sysadmin, closed):
        assert f'data-user="{user.id}"' in everyone
    found = browser.get(f"{USERS}?q=siti").text
    assert f'data-user="{world.candidate.id}"' in found and f'data-user="{world.other_candidate.id}"' not in found
    by_mail = browser.get(f"{USERS}?q={world.admin_riau.email}").text
    assert by_mail.count("data-user=") == 1
    admins = browser.get(f"{USERS}?role=dinas_admin").text
    assert admins.count("data-user=") == 3
    inactive = browser.get(f"{USERS}?status=inactive").text
    assert inactive.count("data-user=") == 1 and "Closed Person" in inactive
    assert browser.get(f"{USERS}?q=%25").text.count("data-user=") == 0  # % is a character, not a wildcard


def test_the_list_is_paginated_with_a_fixed_number_of_queries(app, world, db):
    browser = _admin(app, world.sysadmin)
    with count_queries() as few:
        assert browser.get(USERS).status_code == 200
    for n in range(40):
        make_user("candidate", world.bintan, name=f"Zz Person {n:02d}")
    db.session.commit()
    with count_queries() as many:
        first = browser.get(USERS)
    assert many[0] == few[0]
    assert first.text.count("data-user=") == 25 and "Page 1 of 3" in first.text
    last = browser.get(f"{USERS}?page=3").text
    assert "Zz Person 39" in last and "Page 3 of 3" in last


# -- creating and changing accounts -----------------------------------------------------------


def test_create_an_account_with_roles_and_dinas(app, world, db):
    browser = _admin(app, world.sysadmin)
    data = {
        "name": "Rina Assessor",
        "email": "Rina@Example.id",
        "roles": ["assessor", "dinas_admin"],
        "dinas": str(world.bintan.id),
        "education_field": "kesos",
    }
    response = browser.submit(f"{USERS}/new", **data)
    assert response.status_code == 303
    fresh(db)
    user = db.session.scalar(select(User).where(User.email == "rina@example.id"))
    assert user.roles == {"assessor", "dinas_admin"} and user.dinas_id == world.bintan.id
    assert user.education_field == "kesos" and user.password_hash is None
    assert response.headers["Location"].endswith(f"{USERS}/{user.id}")
    invite = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id))
    assert invite.event == "account_invite"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, "Enter a valid e-mail address"),
        ({"email": "USER1@example.id"}, "This e-mail address already has an account."),
        ({"roles": []}, "Choose at least one role."),
        ({"roles": ["superuser"]}, "Choose roles from the list."),
        ({"roles": ["dinas_admin"], "dinas": ""}, "Candidates and dinas admins belong to a Dinas Sosial"),
        ({"dinas": "99999"}, "Choose a Dinas Sosial from the list."),
        ({"name": " "}, "Enter the full name."),
        ({"education_field": "physics"}, "Choose a field of education from the list."),
    ],
)
def test_a_bad_account_says_what_is_wrong_and_keeps_the_input(app, world, db, data, message):
    good = {"name": "Kept Name", "email": "kept@example.id", "roles": ["candidate"], "dinas": str(world.batam.id)}
    if data.get("email") == "USER1@example.id":
        data = {"email": world.candidate.email.upper()}
    response = _admin(app, world.sysadmin).submit(f"{USERS}/new", **{**good, **data})
    assert response.status_code == 422
    assert message in response.text
    if "name" not in data:
        assert 'value="Kept Name"' in response.text
    fresh(db)
    assert db.session.scalar(select(User.id).where(User.name == "Kept Name")) is None


def test_change_roles_and_dinas(app, world, db):
    browser = _admin(app, world.sysadmin)
    person = world.other_candidate
    page = f"{USERS}/{person.id}"
    response = _post(
        browser, page, page, **_profile(person, roles=["candidate", "assessor"], dinas=str(world.pekanbaru.id))
    )
    assert response.status_code == 303
    changed = _user(db, person.id)
    assert changed.roles == {"candidate", "assessor"} and changed.dinas_id == world.pekanbaru.id
    wrong = _post(browser, page, page, **_profile(changed, roles=[]))
    assert wrong.status_code == 422 and "Choose at least one role." in wrong.text
    assert _user(db, person.id).roles == {"candidate", "assessor"}


def test_the_last_system_admin_keeps_the_role(app, world, db):
    me = world.sysadmin
    browser = _admin(app, me)
    page = f"{USERS}/{me.id}"
    response = _post(browser, page, page, **_profile(me, roles=["certifier"]))
    assert response.status_code == 422
    assert "There must always be an active system admin" in response.text
    assert _user(db, me.id).roles == {"admin"}
    # an inactive admin does not count
    dormant = make_user("admin", None)
    dormant.active = False
    db.session.commit()
    assert _post(browser, page, page, **_profile(me, roles=["certifier"])).status_code == 422
    # with a second active admin, the role may go
    make_user("admin", None)
    db.session.commit()
    assert _post(browser, page, page, **_profile(me, roles=["admin", "certifier"])).status_code == 303
    gave_up = _post(browser, page, page, **_profile(me, roles=["certifier"]))
    assert gave_up.status_code == 303 and gave_up.headers["Location"] == "/"
    assert _user(db, me.id).roles == {"certifier"}
    assert browser.get(USERS).status_code == 403  # no longer a system admin


def test_deactivate_and_reactivate_an_account(app, world, db):
    browser = _admin(app, world.sysadmin)
    person = world.candidate
    page = f"{USERS}/{person.id}"
    assert _post(browser, page, f"{page}/active", active="0").status_code == 303
    assert not _user(db, person.id).active
    login = Browser(app).submit("/login", email=person.email, password=PASSWORD)
    assert login.status_code == 422  # a deactivated person cannot log in
    assert "deactivated" in browser.get(f"{USERS}?status=inactive").text
    assert _post(browser, page, f"{page}/active", active="1").status_code == 303
    assert _user(db, person.id).active
    Browser(app).login(person)


def test_nobody_deactivates_their_own_account(app, world, db):
    make_user("admin", None)  # even with another admin
    db.session.commit()
    browser = _admin(app, world.sysadmin)
    page = f"{USERS}/{world.sysadmin.id}"
    response = _post(browser, page, f"{page}/active", active="0")
    assert response.status_code == 422 and "You cannot deactivate your own account." in response.text
    assert _user(db, world.sysadmin.id).active


def test_other_admins_may_go_while_one_remains(app, world, db):
    other, second = make_user("admin", None), make_user(["admin", "certifier"], None)
    db.session.commit()
    browser = _admin(app, world.sysadmin)
    page = f"{USERS}/{other.id}"
    assert _post(browser, page, f"{page}/active", active="0").status_code == 303
    page = f"{USERS}/{second.id}"
    assert _post(browser, page, page, **_profile(second, roles=["certifier"])).status_code == 303
    assert not _user(db, other.id).active and _user(db, second.id).roles == {"certifier"}
    # only I remain: my role stays
    me = f"{USERS}/{world.sysadmin.id}"
    assert (
        _post(browser, me, me, **_profile(world.sysadmin, roles=["candidate"], dinas=str(world.batam.id))).status_code
        == 422
    )


# -- dinas admins ----------------------------------------------------------------------------


def test_the_overview_counts_dinas_without_an_admin(app, world, db):
    page = _admin(app, world.sysadmin).get("/system/dinas").text
    # Kepri: the province's dinas and Batam have admins, Bintan has none; Riau: Pekanbaru has none
    assert page.count("1 without an admin") == 2


def test_appoint_and_dismiss_a_dinas_admin(app, world, db):
    browser = _admin(app, world.sysadmin)
    page = f"/system/dinas?province={world.kepri.id}"
    person = world.lead.user  # an assessor of Bintan
    response = _post(browser, page, f"/system/dinas/{world.bintan.id}/admins", email=person.email.upper())
    assert response.status_code == 303
    appointed = _user(db, person.id)
    assert appointed.roles == {"assessor", "dinas_admin"} and appointed.dinas_id == world.bintan.id
    assert person.email in browser.get(page).text
    # the new admin sees Bintan's figures, and not Batam's
    admin = Browser(app).login(appointed)
    assert admin.get("/admin/figures").status_code == 200
    assert admin.get(f"/admin/figures?dinas={world.batam.id}").status_code == 404
    r = _post(browser, page, f"/system/dinas/{world.bintan.id}/admins/{person.id}/dismiss")
    assert r.status_code == 303
    assert _user(db, person.id).roles == {"assessor"}


def test_appointing_says_what_is_wrong(app, world, db):
    browser = _admin(app, world.sysadmin)
    page = f"/system/dinas?province={world.riau.id}"
    unknown = _post(browser, page, f"/system/dinas/{world.pekanbaru.id}/admins", email="nobody@example.id")
    assert unknown.status_code == 422 and "No account has this e-mail address" in unknown.text
    assert 'value="nobody@example.id"' in unknown.text
    closed = make_user("candidate", world.pekanbaru)
    closed.active = False
    db.session.commit()
    refused = _post(browser, page, f"/system/dinas/{world.pekanbaru.id}/admins", email=closed.email)
    assert refused.status_code == 422 and "This account is deactivated" in refused.text
    # a dinas admin whose only role it is keeps it: deactivate the account instead
    only = _post(browser, page, f"/system/dinas/{world.dinas_riau.id}/admins/{world.admin_riau.id}/dismiss")
    assert only.status_code == 422 and "only role" in only.text
    # not an admin of that dinas
    wrong = _post(browser, page, f"/system/dinas/{world.pekanbaru.id}/admins/{world.admin_riau.id}/dismiss")
    assert wrong.status_code == 422
    assert _user(db, world.admin_riau.id).roles == {"dinas_admin"}
    assert browser.get("/system/dinas?province=99999").status_code == 404
    assert _post(browser, page, "/system/dinas/99999/admins", email=closed.email).status_code == 404
