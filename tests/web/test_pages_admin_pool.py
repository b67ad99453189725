"""The assessor pool and team pages: registering, editing, deactivating assessors; forming and disbanding teams."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from certflow import clock
from certflow.models import Assessor, Team, User
from tests.factories import make_assessor, make_user
from tests.web.test_pages_admin_support import admin_browser, eligible
from tests.web.test_pages_support import count_queries, csrf_token, fresh


def _post(browser, page, action=None, **data):
    token = csrf_token(browser.get(page).text)
    return browser.post(action or page, data={"csrf_token": token, **data})


def _assessor_form(**overrides):
    data = {
        "dinas": "",
        "licence_number": "MET.123.2025",
        "licence_expires": (clock.today() + timedelta(days=700)).isoformat(),
        "schemes": ["PSG"],
        "max_load": "4",
    }
    data.update(overrides)
    return data


# -- the assessor pool -------------------------------------------------------------------------------


def test_an_admin_registers_a_person_of_its_dinas_as_assessor(app, world, db):
    staff = make_user("candidate", world.batam, name="Staf Batam")
    db.session.commit()
    browser = admin_browser(app, world.admin_batam)
    response = _post(browser, "/admin/assessors/new", user=staff.email.upper(), **_assessor_form(dinas=world.batam.id))
    assert response.status_code == 303
    fresh(db)
    record = db.session.scalar(select(Assessor).where(Assessor.user_id == staff.id))
    assert record.licence_number == "MET.123.2025" and record.max_load == 4 and record.dinas_id == world.batam.id
    assert {r.scheme.code for r in record.scheme_rows} == {"PSG"}
    assert db.session.get(User, staff.id).roles == {"candidate", "assessor"}
    assert "Staf Batam" in browser.get("/admin/assessors").text


def test_the_registration_form_says_what_is_wrong_and_keeps_the_input(app, world, db):
    outsider = make_user("candidate", world.pekanbaru, name="Orang Riau")
    bintan_staff = make_user("candidate", world.bintan, name="Staf Bintan")
    db.session.commit()
    browser = admin_browser(app, world.admin_batam)
    cases = [
        ({"user": "nobody@example.id"}, "There is no account with this e-mail address in a dinas you administer."),
        ({"user": outsider.email}, "There is no account with this e-mail address in a dinas you administer."),
        ({"user": bintan_staff.email}, "There is no account with this e-mail address in a dinas you administer."),
        ({"user": world.same_dinas_assessor.user.email}, "is already registered as an assessor"),
        ({"licence_expires": "2020-01-01"}, "Licence valid until must not be in the past."),
        ({"licence_expires": "31/12/2030"}, "Licence valid until must be a date as YYYY-MM-DD."),
        ({"licence_number": ""}, "Licence number is required."),
        ({"schemes": []}, "Schemes covered must be a non-empty list of scheme codes."),
        ({"max_load": "0"}, "Maximum load must be a whole number from 1 to 50."),
        ({"dinas": world.pekanbaru.id}, "Choose a dinas from the list."),
    ]
    users_before = db.session.scalar(select(Assessor.id).order_by(Assessor.id.desc()).limit(1))
    staff = make_user("candidate", world.batam, name="Staf Batam")
    db.session.commit()
    for change, message in cases:
        data = {"user": staff.email, **_assessor_form(dinas=world.batam.id, licence_number="KEEP-ME-42"), **change}
        response = _post(browser, "/admin/assessors/new", **data)
        assert response.status_code == 422, change
        assert message in response.text, (change, response.text[-2500:])
        assert "has-error" in response.text
        if "licence_number" not in change:
            assert 'value="KEEP-ME-42"' in response.text
    fresh(db)
    assert db.session.scalar(select(Assessor.id).order_by(Assessor.id.desc()).limit(1)) == users_before


def test_an_assessor_is_edited_and_a_bad_value_changes_nothing(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    page = f"/admin/assessors/{world.lead.id}"
    refused = _post(browser, page, **_assessor_form(dinas=world.bintan.id, max_load="99", licence_number="NEW-1"))
    assert refused.status_code == 422 and "Maximum load must be a whole number from 1 to 50." in refused.text
    fresh(db)
    assert db.session.get(Assessor, world.lead.id).licence_number == world.lead.licence_number
    done = _post(browser, page, **_assessor_form(dinas=world.batam.id, max_load="6", schemes=["PSG", "PNY"]))
    assert done.status_code == 303
    fresh(db)
    lead = db.session.get(Assessor, world.lead.id)
    assert (lead.max_load, lead.dinas_id, lead.licence_number) == (6, world.batam.id, "MET.123.2025")


def test_an_assessor_is_deactivated_and_activated_again(app, world, db):
    browser = admin_browser(app, world.admin_batam)
    url = f"/admin/assessors/{world.same_dinas_assessor.id}/active"
    assert _post(browser, "/admin/assessors", url, active="0").status_code == 303
    fresh(db)
    assert db.session.get(Assessor, world.same_dinas_assessor.id).active is False
    assert "Deactivated" in browser.get("/admin/assessors").text
    assert _post(browser, "/admin/assessors", url, active="1").status_code == 303
    fresh(db)
    assert db.session.get(Assessor, world.same_dinas_assessor.id).active is True


def test_the_pool_shows_load_and_singles_out_expiring_and_expired_licences(app, world, db):
    make_assessor(world.batam, [world.scheme], name="Soon Expiring", expires=clock.today() + timedelta(days=30))
    expired = make_assessor(world.batam, [world.scheme], name="Long Expired")
    expired.licence_expires = clock.today() - timedelta(days=1)
    db.session.commit()
    page = admin_browser(app, world.admin_batam).get("/admin/assessors").text
    rows = {name: page.split(name)[1].split("</tr>")[0] for name in ("Soon Expiring", "Long Expired", "Batam Assessor")}
    assert "Expires in 30 days" in rows["Soon Expiring"]
    assert "Licence expired" in rows["Long Expired"]
    assert "Licence expired" not in rows["Batam Assessor"] and "Expires in" not in rows["Batam Assessor"]
    kepri = admin_browser(app, world.admin_kepri)
    application = eligible(world, world.candidate)
    world.fire(application, "assign_team", world.admin_kepri, data={"team": world.team.id})
    lead_row = kepri.get("/admin/assessors").text.split("Lead Assessor")[1].split("</tr>")[0]
    assert "1 of 3" in lead_row


def test_the_pool_page_runs_the_same_number_of_queries_for_3_or_20_assessors(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    with count_queries() as few:
        assert browser.get("/admin/assessors").status_code == 200
    for n in range(17):
        make_assessor(world.bintan, [world.scheme, world.other_scheme], name=f"Extra {n}")
    db.session.commit()
    with count_queries() as many:
        assert browser.get("/admin/assessors").status_code == 200
    assert many[0] == few[0]


# -- teams ------------------------------------------------------------------------------------------


def _team_form(world, **overrides):
    data = {"name": "Tim Kepri 2", "scheme": "PSG", "dinas": world.dinas_kepri.id, "lead": world.member.id}
    data["members"] = [world.lead.id]
    data.update(overrides)
    return data


def test_a_province_admin_forms_a_team_from_several_dinas(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    response = _post(
        browser, "/admin/teams/new", **_team_form(world, members=[world.lead.id, world.same_dinas_assessor.id])
    )
    assert response.status_code == 303
    fresh(db)
    team = db.session.scalar(select(Team).where(Team.name == "Tim Kepri 2"))
    assert team.lead_id == world.member.id
    assert team.member_ids == {world.member.id, world.lead.id, world.same_dinas_assessor.id}
    assert "Tim Kepri 2" in browser.get("/admin/teams").text


def test_team_rules_are_form_errors_naming_the_assessor_and_the_rule(app, world, db):
    expired = make_assessor(world.dinas_kepri, [world.scheme], name="Expired Eka")
    expired.licence_expires = clock.today() - timedelta(days=1)
    pny_only = make_assessor(world.dinas_kepri, [world.other_scheme], name="Penyuluh Only")
    outsider = make_assessor(world.pekanbaru, [world.scheme], name="Riau Rudi")
    db.session.commit()
    kepri = admin_browser(app, world.admin_kepri)
    cases = [
        ({"members": [expired.id]}, "The licence of assessor Expired Eka has expired."),
        ({"members": [pny_only.id]}, "The licence of assessor Penyuluh Only does not cover scheme PSG."),
        ({"members": [outsider.id]}, f"Assessor #{outsider.id} is unknown or not of a dinas you administer"),
        ({"members": []}, "The team has 1 assessors; scheme PSG needs at least 2."),
        ({"lead": expired.id}, "The licence of assessor Expired Eka has expired."),
        ({"name": ""}, "Team name is required."),
        ({"scheme": "NOPE"}, "unknown scheme codes: NOPE"),
    ]
    for change, message in cases:
        response = _post(kepri, "/admin/teams/new", **_team_form(world, **change))
        assert response.status_code == 422, change
        assert message in response.text, (change, response.text[-3000:])
        assert 'value="Tim Kepri 2"' in response.text or change == {"name": ""}
    rule = _post(kepri, "/admin/teams/new", **_team_form(world, members=[expired.id])).text
    assert "every assessor&#39;s licence is valid and covers the scheme" in rule
    batam = admin_browser(app, world.admin_batam)
    other = make_assessor(world.batam, [world.scheme], name="Batam Dua")
    db.session.commit()
    refused = _post(
        batam,
        "/admin/teams/new",
        name="Tim Batam",
        scheme="PSG",
        dinas=world.batam.id,
        lead=other.id,
        members=[world.same_dinas_assessor.id, world.lead.id],
    )
    assert refused.status_code == 422 and f"Assessor #{world.lead.id} is unknown" in refused.text
    fresh(db)
    assert db.session.scalar(select(Team.id).where(Team.name.in_(["Tim Kepri 2", "Tim Batam"]))) is None


def test_a_team_is_renamed_and_recomposed(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    page = f"/admin/teams/{world.team.id}"
    response = _post(browser, page, name="Tim Inti", lead=world.lead.id, members=[world.member.id])
    assert response.status_code == 303
    response = _post(
        browser, page, name="Tim Inti", lead=world.member.id, members=[world.lead.id, world.same_dinas_assessor.id]
    )
    assert response.status_code == 303
    fresh(db)
    team = db.session.get(Team, world.team.id)
    assert team.name == "Tim Inti" and team.lead_id == world.member.id
    assert team.member_ids == {world.member.id, world.lead.id, world.same_dinas_assessor.id}


def test_a_team_with_an_open_assessment_keeps_its_members_and_is_not_disbanded(app, world, db):
    application = eligible(world)
    world.fire(application, "assign_team", world.admin_kepri, data={"team": world.team.id})
    browser = admin_browser(app, world.admin_kepri)
    page = f"/admin/teams/{world.team.id}"
    assert "1 open assessment" in browser.get(page).text
    recompose = _post(browser, page, name="Tim Kepri 1", lead=world.member.id, members=[world.lead.id])
    assert recompose.status_code == 409 and "its members cannot change now" in recompose.text
    renamed = _post(browser, page, name="Tim Kepri Satu", lead=world.lead.id, members=[world.member.id])
    assert renamed.status_code == 303
    disband = _post(browser, page, f"{page}/active", active="0")
    assert disband.status_code == 409
    assert "Team Tim Kepri Satu has open assessments and cannot be disbanded." in disband.text
    fresh(db)
    team = db.session.get(Team, world.team.id)
    assert team.active and team.name == "Tim Kepri Satu" and team.lead_id == world.lead.id


def test_a_team_without_open_assessments_is_disbanded_and_formed_again(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    page = f"/admin/teams/{world.team.id}"
    assert _post(browser, page, f"{page}/active", active="0").status_code == 303
    fresh(db)
    assert db.session.get(Team, world.team.id).active is False
    assert "Disbanded" in browser.get("/admin/teams").text
    assert _post(browser, page, f"{page}/active", active="1").status_code == 303
    fresh(db)
    assert db.session.get(Team, world.team.id).active is True


def test_the_teams_page_runs_the_same_number_of_queries_for_1_or_10_teams(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    with count_queries() as few:
        assert browser.get("/admin/teams").status_code == 200
    from tests.factories import make_team

    for n in range(9):
        a = make_assessor(world.bintan, [world.scheme], name=f"A{n}")
        b = make_assessor(world.batam, [world.scheme], name=f"B{n}")
        make_team(world.bintan, world.scheme, a, [b], name=f"Tim {n}")
    db.session.commit()
    with count_queries() as many:
        assert browser.get("/admin/teams").status_code == 200
    assert many[0] == few[0]


def test_every_error_of_the_team_form_is_shown_at_once_with_a_summary_linking_to_each_field(app, world, db):
    kepri = admin_browser(app, world.admin_kepri)
    response = _post(kepri, "/admin/teams/new", name="", scheme="NOPE", dinas="", lead="", members=["x"])
    assert response.status_code == 422
    page = response.text
    summary = page.split('class="error-summary')[1].split("</div>")[0]
    assert page.index('class="error-summary') < page.index('id="f-name"')  # at the top of the form
    links = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    assert links == ["f-name", "f-scheme", "f-dinas", "f-lead", "f-members"]
    for fid in links:
        assert f'id="{fid}"' in page and f'id="{fid}-error"' in page or fid == "f-members"
    assert 'id="f-members-error"' in page
    assert "Team name is required." in summary and "unknown scheme codes: NOPE" in summary
    assert "Choose a dinas from the list." in summary
    blank = _post(kepri, "/admin/teams/new", name="Tim", scheme="", dinas="", lead=str(world.lead.id))
    summary = blank.text.split('class="error-summary')[1].split("</div>")[0]
    assert "Choose a scheme from the list." in summary and "Choose a dinas from the list." in summary
    # On a team's own page too: a blank name and a bad lead are both shown.
    edit = _post(kepri, f"/admin/teams/{world.team.id}", name="", lead="", members=[str(world.member.id)])
    assert edit.status_code == 422
    summary = edit.text.split('class="error-summary')[1].split("</div>")[0]
    assert [p.split('"')[0] for p in summary.split('href="#')[1:]] == ["f-name", "f-lead"]
    fresh(db)
    assert db.session.scalar(select(Team.id).where(Team.name == "")) is None
