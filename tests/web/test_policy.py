"""The one policy module (``certflow.people.policy``): each rule for each role, the scope rule's two
forms agreeing, and the recommendation shown alike by the application page and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certflow.models import Dinas
from certflow.people import policy
from tests.web.test_api_applications_support import Api
from tests.web.test_pages_support import Browser

ROLES = [
    "candidate",  # the owner
    "other_candidate",
    "lead",  # on the team
    "member",  # on the team
    "same_dinas_assessor",  # an assessor not on the team
    "admin_batam",  # the kab/kota admin of the candidate's dinas
    "admin_kepri",  # the province's admin (Batam is in Kepulauan Riau)
    "admin_riau",  # a dinas admin out of scope
    "certifier",
    "sysadmin",
]


def _user(world, who):
    user = getattr(world, who)
    return getattr(user, "user", user)  # assessors are reached through their user


def _expect(seen: set[str]) -> list:
    return [pytest.param(who, who in seen, id=who) for who in ROLES]


@pytest.fixture()
def assessed(world):
    return world.advance(world.new_application(), "assessed")


# -- the scope of a dinas admin: one definition, two forms -----------------------------------------


@pytest.mark.parametrize(
    ("who", "dinas"),
    [
        ("admin_batam", {"batam"}),
        ("admin_kepri", {"dinas_kepri", "batam", "bintan"}),
        ("admin_riau", {"dinas_riau", "pekanbaru"}),
        ("candidate", None),
        ("certifier", None),
        ("sysadmin", None),
        ("lead", None),
    ],
)
def test_the_sql_and_python_forms_of_the_scope_agree(world, db, who, dinas):
    user = _user(world, who)
    every = list(db.session.scalars(select(Dinas)))
    names = {getattr(world, name).id: name for name in ("dinas_kepri", "batam", "bintan", "dinas_riau", "pekanbaru")}
    scope = policy.dinas_scope(user)
    in_sql = set() if scope is None else set(db.session.scalars(select(Dinas.id).where(Dinas.id.in_(scope))))
    in_python = {d.id for d in every if policy.in_dinas_scope(user, d)}
    assert in_sql == in_python
    assert (scope is None) is (dinas is None)
    assert {names[i] for i in in_python} == (dinas or set())
    assert policy.sees_whole_province(user) is (who in {"admin_kepri", "admin_riau"})


def test_a_dinas_admin_without_a_dinas_has_no_scope(world, db):
    from tests.factories import make_user

    user = make_user("dinas_admin", None, name="Admin Tanpa Dinas")
    db.session.commit()
    assert policy.dinas_scope(user) is None
    assert not any(policy.in_dinas_scope(user, d) for d in db.session.scalars(select(Dinas)))


# -- each rule, each role --------------------------------------------------------------------------

VISIBLE = {"candidate", "lead", "member", "admin_batam", "admin_kepri", "certifier", "sysadmin"}


@pytest.mark.parametrize(("who", "allowed"), _expect(VISIBLE))
def test_who_sees_the_application(world, assessed, who, allowed):
    assert (policy.get_visible_application(_user(world, who), assessed.id) is not None) is allowed


@pytest.mark.parametrize(("who", "allowed"), _expect({"lead", "member", "certifier"}))
def test_who_sees_the_scores(world, assessed, who, allowed):
    assert policy.may_see_scores(_user(world, who), assessed) is allowed


@pytest.mark.parametrize(("who", "allowed"), _expect({"candidate", "lead", "member", "certifier", "sysadmin"}))
def test_who_sees_the_recommendation(world, assessed, who, allowed):
    user = _user(world, who)
    assert policy.may_see_recommendation(user, assessed) is allowed
    assert policy.may_see_recommendation(user, assessed, policy.application_actor(user, assessed)) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"), _expect({"candidate", "lead", "member", "admin_batam", "admin_kepri", "certifier"})
)
def test_who_opens_the_documents(world, assessed, who, allowed):
    assert policy.may_read_documents(_user(world, who), assessed) is allowed


@pytest.mark.parametrize(("who", "allowed"), _expect({"admin_batam", "admin_kepri", "sysadmin"}))
def test_who_administers_the_candidates_dinas(world, assessed, who, allowed):
    assert policy.may_administer(_user(world, who), assessed.dinas) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"), _expect({"candidate", "admin_batam", "admin_kepri", "certifier", "sysadmin"})
)
def test_who_downloads_the_certificate(world, who, allowed):
    certified = world.advance(world.new_application(), "certified")
    assert policy.may_download_certificate(_user(world, who), certified.certificate) is allowed


@pytest.mark.parametrize(("who", "allowed"), _expect({"candidate", "other_candidate"}))
def test_who_may_apply(world, who, allowed):
    assert policy.may_apply(_user(world, who)) is allowed


def test_a_visitor_may_not_apply():
    from flask_login import AnonymousUserMixin

    assert policy.may_apply(AnonymousUserMixin()) is False


# -- the recommendation: the same on the page and in the API ---------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_page_and_the_api_show_the_recommendation_to_the_same_people(app, client, world, assessed, who):
    user = _user(world, who)
    page = Browser(app).login(user).get(f"/applications/{assessed.id}")
    answer = Api(client).as_(user).get(f"/applications/{assessed.id}")
    assert page.status_code == answer.status_code  # both see the application, or neither
    on_page = page.status_code == 200 and "Rekomendasi tim" in page.text
    in_api = answer.status_code == 200 and answer.get_json().get("recommendation") == "K"
    assert on_page is in_api
    assert on_page is (answer.status_code == 200 and policy.may_see_recommendation(user, assessed))


def test_the_admins_who_see_a_dinas_are_those_whose_scope_holds_it(world, db):
    """``dinas_covers`` (from a dinas to its admins, for joins) agrees with ``in_dinas_scope`` on every pair."""
    from sqlalchemy.orm import aliased

    from tests.factories import make_user

    every = list(db.session.scalars(select(Dinas)))
    admins = {d.id: make_user("dinas_admin", d, name=f"Admin {d.name}") for d in every}
    db.session.commit()
    admin_dinas, target = aliased(Dinas), aliased(Dinas)
    pairs = set(
        db.session.execute(select(admin_dinas.id, target.id).join(target, policy.dinas_covers(admin_dinas, target)))
    )
    assert pairs == {(a.id, d.id) for a in every for d in every if policy.in_dinas_scope(admins[a.id], d)}
    for d in every:  # and with a loaded dinas as the target
        seen_by = set(db.session.scalars(select(Dinas.id).where(policy.dinas_covers(Dinas, d))))
        assert seen_by == {a for a, t in pairs if t == d.id}


def test_the_certifiers_record_shows_scores_only_to_those_who_may_see_them(app, world, db):
    """The record page asks ``may_see_scores``: a certifier sees them, not on their own application."""
    from tests.factories import make_user

    profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    own = make_user(["candidate", "certifier"], world.batam, name="Sari Certifier", **profile)
    db.session.commit()
    theirs = world.advance(world.new_application(own), "assessed")
    mine = world.advance(world.new_application(), "assessed")
    browser = Browser(app).login(own)
    page = browser.get(f"/certifier/applications/{theirs.id}")
    assert page.status_code == 200 and "Sari Certifier" in page.text
    assert 'id="scores-title"' not in page.text
    assert 'id="scores-title"' in browser.get(f"/certifier/applications/{mine.id}").text
