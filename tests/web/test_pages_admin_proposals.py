"""Forming teams on the pages: propose from the pool, edit, accept all or nothing; people in a form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from certflow import clock
from certflow.models import Application, Assessor, OutboxMessage, Team, User
from tests.web.test_pages_admin_support import admin_browser, candidate_in, eligible, form_fields
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh


def _propose(browser, apps):
    page = browser.get("/admin/assignment").text
    data = MultiDict([("csrf_token", csrf_token(page))] + [("application", str(a.id)) for a in apps])
    return browser.post("/admin/assignment/propose", data=data)


def _accept(browser, page, **changes):
    fields = MultiDict(form_fields(page, "/admin/assignment/proposals/accept"))
    for key, value in changes.items():
        fields.setlist(key, value if isinstance(value, list) else [value])
    return browser.post("/admin/assignment/proposals/accept", data=fields)


@pytest.mark.parametrize("who", ["candidate", "certifier", "sysadmin"])
def test_other_roles_may_not_use_the_proposal_pages(app, world, who):
    browser = Browser(app).login(getattr(world, who))
    assert browser.post("/admin/assignment/propose", data={}).status_code in (400, 403)
    assert browser.get("/admin/people/new").status_code == 403


def test_anonymous_is_sent_to_login(app, world):
    assert Browser(app).get("/admin/people/new").status_code == 302


def test_province_admin_proposes_sees_reasons_and_accepts(app, world, db):
    apps = [eligible(world), eligible(world, candidate_in(world.batam))]
    browser = admin_browser(app, world.admin_kepri)
    response = _propose(browser, apps)
    assert response.status_code == 200
    page = response.text
    assert "Lead: " in page and "Load after this proposal" in page and world.lead.user.name in page
    done = _accept(browser, page)
    assert done.status_code == 200 and 'id="proposal-done"' in done.text
    fresh(db)
    assert {db.session.get(Application, a.id).state for a in apps} == {"team_assigned"}


def test_an_edited_team_that_breaks_a_rule_is_refused_and_nothing_is_written(app, world, db):
    application = eligible(world)
    browser = admin_browser(app, world.admin_kepri)
    page = _propose(browser, [application]).text
    # the admin swaps a member for the Batam assessor: a conflict of interest with the Batam candidate
    response = _accept(browser, page, **{"member-1": [str(world.same_dinas_assessor.id)]})
    assert response.status_code == 422
    assert 'id="proposal-error"' in response.text and "Batam Assessor" in response.text
    assert 'name="team" value="1"' in response.text  # the edited team is shown again
    fresh(db)
    assert db.session.get(Application, application.id).state == "eligible"
    assert db.session.scalar(select(Team).where(Team.name.like("Tim PSG%"))) is None


def test_kabupaten_admin_sees_the_shortfall_and_the_remedies(app, world):
    application = eligible(world)
    page = _propose(admin_browser(app, world.admin_batam), [application]).text
    assert f"2 more assessors licensed for PSG from outside {world.batam.name}." in page
    assert 'id="remedy-add-person"' in page and f'id="unassigned-{application.id}"' in page


def test_override_field_only_where_the_scheme_allows_it(app, world, db):
    eligible(world)
    page = admin_browser(app, world.admin_kepri).get("/admin/assignment").text
    assert 'name="override_reason"' not in page
    world.scheme.allow_same_dinas = True
    db.session.commit()
    page = admin_browser(app, world.admin_kepri).get("/admin/assignment").text
    assert 'name="override_reason"' in page


def test_suggestions_without_a_fitting_team_offer_the_proposal(app, world, db):
    application = eligible(world)
    world.team.active = False
    db.session.commit()
    browser = admin_browser(app, world.admin_kepri)
    page = browser.get("/admin/assignment").text
    data = MultiDict([("csrf_token", csrf_token(page)), ("application", str(application.id))])
    response = browser.post("/admin/assignment/suggest", data=data)
    assert 'id="remedy-propose"' in response.text


# -- people in a form ------------------------------------------------------------------------------
def test_admin_adds_a_person_as_candidate_and_assessor_and_they_are_invited(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    until = (clock.today() + timedelta(days=400)).isoformat()
    response = browser.submit(
        "/admin/people/new",
        name="Rina Baru",
        email="rina@example.id",
        dinas=str(world.batam.id),
        candidate="1",
        assessor="1",
        licence_number="LIC-9",
        licence_expires=until,
        schemes="PSG",
        max_load="4",
    )
    assert response.status_code == 303, response.text
    fresh(db)
    user = db.session.scalar(select(User).where(User.email == "rina@example.id"))
    assert user.roles == {"candidate", "assessor"} and user.password_hash is None
    assessor = db.session.scalar(select(Assessor).where(Assessor.user_id == user.id))
    assert assessor.max_load == 4 and assessor.dinas_id == world.batam.id
    invite = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == user.id))
    assert invite.event == "account_invite"


def test_bad_person_form_names_every_problem_and_keeps_what_was_typed(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    response = browser.submit(
        "/admin/people/new", name="Rina", email="not-an-address", dinas=str(world.pekanbaru.id), assessor="1"
    )
    assert response.status_code == 422
    page = response.text
    assert 'id="person-errors"' in page and 'value="Rina"' in page and 'value="not-an-address"' in page
    for label in ("E-mail address:", "Dinas", "Licence number:", "Licence valid until:", "Schemes covered:"):
        assert label in page
    assert "licence_number" not in page.split('id="person-errors"')[1].split("</div>")[0]
    fresh(db)
    assert db.session.scalar(select(User).where(User.name == "Rina")) is None


def test_a_person_needs_a_role(app, world):
    response = admin_browser(app, world.admin_batam).submit(
        "/admin/people/new", name="Rina", email="r@example.id", dinas=str(world.batam.id)
    )
    assert response.status_code == 422 and "Choose candidate, assessor or both." in response.text


# -- replacements --------------------------------------------------------------------------------
def test_admin_replaces_a_member_on_the_page_and_sees_the_history(app, world, db):
    from tests.factories import make_assessor

    application = world.new_application()
    world.advance(application, "team_assigned")
    joining = make_assessor(world.dinas_kepri, [world.scheme], name="Joining Assessor")
    db.session.commit()
    browser = admin_browser(app, world.admin_kepri)
    url = f"/admin/teams/{world.team.id}/replace"
    response = browser.submit(url, leaving=str(world.member.id), joining=str(joining.id), reason="Cuti melahirkan")
    assert response.status_code == 303
    page = browser.get(url).text
    assert 'id="replacement-history"' in page and "Cuti melahirkan" in page and "Joining Assessor" in page


def test_a_refused_replacement_names_the_rule_and_keeps_the_reason(app, world, db):
    application = world.new_application()
    world.advance(application, "team_assigned")
    browser = admin_browser(app, world.admin_kepri)
    url = f"/admin/teams/{world.team.id}/replace"
    response = browser.submit(
        url, leaving=str(world.member.id), joining=str(world.same_dinas_assessor.id), reason="Pindah tugas"
    )
    assert response.status_code == 422
    assert 'id="replace-error"' in response.text and 'value="Pindah tugas"' in response.text


def test_replacement_page_of_another_province_is_404(app, world):
    assert admin_browser(app, world.admin_riau).get(f"/admin/teams/{world.team.id}/replace").status_code == 404


@pytest.mark.parametrize("who", ["candidate", "certifier"])
def test_other_roles_may_not_open_the_replacement_page(app, world, who):
    assert Browser(app).login(getattr(world, who)).get(f"/admin/teams/{world.team.id}/replace").status_code == 403


def test_the_proposal_page_costs_the_same_statements_whatever_the_number_of_candidates(app, world, db):
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 100
    db.session.commit()
    counts = []
    for n in (2, 9):
        apps = [eligible(world) for _ in range(n)]
        browser = admin_browser(app, world.admin_kepri)
        page = browser.get("/admin/assignment").text
        data = MultiDict([("csrf_token", csrf_token(page))] + [("application", str(a.id)) for a in apps])
        with count_queries() as seen:
            answer = browser.post("/admin/assignment/propose", data=data)
        assert answer.status_code == 200 and 'id="accept-proposal"' in answer.text
        counts.append(seen[0])
        for a in apps:  # out of the next round's list
            a.state = "withdrawn"
        db.session.commit()
    assert counts[0] == counts[1], counts
