"""A team proposed for a schedule on its page: formed from the pool at the schedule's date, made the
schedule's team, its candidates placed — all or nothing; who may use it and when."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from certflow.models import Application, Schedule, Team
from tests.factories import make_schedule
from tests.web.test_pages_admin_support import admin_browser, candidate_in, eligible, form_fields
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh

ACCEPT = "/admin/assignment/proposals/accept"


def _propose(browser, schedule, apps):
    page = browser.get(f"/admin/schedules/{schedule.id}").text
    data = MultiDict([("csrf_token", csrf_token(page))] + [("application", str(a.id)) for a in apps])
    return browser.post(f"/admin/schedules/{schedule.id}/propose", data=data)


def _accept(browser, page, **changes):
    fields = MultiDict(form_fields(page, ACCEPT))
    for key, value in changes.items():
        fields.setlist(key, value if isinstance(value, list) else [value])
    return browser.post(ACCEPT, data=fields)


def test_the_open_schedule_offers_a_proposal_for_the_chosen_candidates(app, world):
    eligible(world)
    schedule = make_schedule(world, state="open")
    page = admin_browser(app, world.admin_kepri).get(f"/admin/schedules/{schedule.id}").text
    assert 'id="propose-team"' in page and f'formaction="/admin/schedules/{schedule.id}/propose"' in page


def test_the_proposal_is_accepted_as_the_schedules_team_and_places_the_candidates(app, world, db):
    apps = [eligible(world), eligible(world, candidate_in(world.batam))]
    schedule = make_schedule(world, state="open")
    old_team = schedule.team_id
    browser = admin_browser(app, world.admin_kepri)
    proposed = _propose(browser, schedule, apps)
    assert proposed.status_code == 200
    assert f'name="schedule" value="{schedule.id}"' in proposed.text
    assert "A team for the schedule of" in proposed.text and 'name="team" value="1"' in proposed.text
    done = _accept(browser, proposed.text, **{"name-1": "Tim Jadwal Batam"})
    assert done.status_code == 303 and done.headers["Location"] == f"/admin/schedules/{schedule.id}"
    fresh(db)
    team = db.session.scalar(select(Team).where(Team.name == "Tim Jadwal Batam"))
    assert team is not None and team.id != old_team
    assert db.session.get(Schedule, schedule.id).team_id == team.id
    for a in apps:
        row = db.session.get(Application, a.id)
        assert (row.state, row.team_id, row.schedule_id) == ("team_assigned", team.id, schedule.id)
    page = browser.get(f"/admin/schedules/{schedule.id}").text
    assert "is formed and is the schedule" in page and 'id="propose-team"' not in page  # placed: no new team


def test_a_refused_member_keeps_everything_as_it_was(app, world, db):
    application = eligible(world)
    schedule = make_schedule(world, state="open")
    browser = admin_browser(app, world.admin_kepri)
    page = _propose(browser, schedule, [application]).text
    # the Batam assessor for the Batam candidate: a conflict of interest
    refused = _accept(browser, page, **{"member-1": [str(world.same_dinas_assessor.id)]})
    assert refused.status_code == 422 and 'id="proposal-error"' in refused.text
    assert f'name="schedule" value="{schedule.id}"' in refused.text  # the same schedule's form again
    fresh(db)
    assert db.session.get(Schedule, schedule.id).team_id == world.team.id
    row = db.session.get(Application, application.id)
    assert (row.state, row.schedule_id) == ("eligible", None)


def test_a_schedule_takes_one_team(app, world, db):
    application = eligible(world)
    schedule = make_schedule(world, state="open")
    browser = admin_browser(app, world.admin_kepri)
    page = _propose(browser, schedule, [application]).text
    fields = MultiDict(form_fields(page, ACCEPT))
    fields.add("team", "2")
    fields.add("scheme-2", world.scheme.code)
    fields.add("lead-2", str(world.lead.id))
    answer = browser.post(ACCEPT, data=fields)
    assert answer.status_code == 422 and "A schedule has one team" in answer.text
    fresh(db)
    assert db.session.get(Application, application.id).state == "eligible"


def test_no_new_team_once_candidates_are_placed_or_when_not_open(app, world, db):
    from certflow.schedules import operations as ops

    placed, waiting = eligible(world), eligible(world)
    schedule = make_schedule(world, state="open")
    assert ops.place_candidates(schedule, world.admin_kepri, [placed.id]).placed == [placed.id]
    browser = admin_browser(app, world.admin_kepri)
    answer = _propose(browser, schedule, [waiting])
    assert answer.status_code == 422 and "nobody is placed yet" in answer.text
    planned = make_schedule(world)
    page = browser.get(f"/admin/schedules/{planned.id}").text
    answer = browser.post(
        f"/admin/schedules/{planned.id}/propose", data={"csrf_token": csrf_token(page), "application": waiting.id}
    )
    assert answer.status_code == 422
    fresh(db)
    assert db.session.get(Application, waiting.id).state == "eligible"


def test_candidates_not_chosen_or_not_eligible_are_not_proposed(app, world):
    schedule = make_schedule(world, state="open")
    browser = admin_browser(app, world.admin_kepri)
    page = browser.get(f"/admin/schedules/{schedule.id}").text
    answer = browser.post(f"/admin/schedules/{schedule.id}/propose", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 422 and "Choose at least one candidate." in answer.text
    draft = world.new_application()
    answer = browser.post(
        f"/admin/schedules/{schedule.id}/propose", data={"csrf_token": csrf_token(page), "application": draft.id}
    )
    assert answer.status_code == 422


@pytest.mark.parametrize("who", ["candidate", "lead", "certifier", "sysadmin"])
def test_other_roles_may_not_propose_for_a_schedule(app, world, who):
    schedule = make_schedule(world, state="open")
    user = getattr(world, who)
    browser = Browser(app).login(getattr(user, "user", user))
    token = csrf_token(browser.get("/account").text)
    answer = browser.post(f"/admin/schedules/{schedule.id}/propose", data={"csrf_token": token})
    assert answer.status_code == 403


def test_an_admin_of_another_region_does_not_see_the_schedule(app, world):
    schedule = make_schedule(world, state="open")
    browser = admin_browser(app, world.admin_riau)
    token = csrf_token(browser.get("/admin/schedules").text)
    answer = browser.post(f"/admin/schedules/{schedule.id}/propose", data={"csrf_token": token})
    assert answer.status_code == 404
    answer = browser.post(ACCEPT, data={"csrf_token": token, "schedule": schedule.id, "team": "1"})
    assert answer.status_code == 404


def test_the_proposal_page_costs_the_same_statements_whatever_the_number_of_candidates(app, world, db):
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 100
    db.session.commit()
    counts = []
    for n in (2, 8):
        apps = [eligible(world) for _ in range(n)]
        schedule = make_schedule(world, state="open")
        browser = admin_browser(app, world.admin_kepri)
        page = browser.get(f"/admin/schedules/{schedule.id}").text
        data = MultiDict([("csrf_token", csrf_token(page))] + [("application", str(a.id)) for a in apps])
        with count_queries() as seen:
            assert browser.post(f"/admin/schedules/{schedule.id}/propose", data=data).status_code == 200
        counts.append(seen[0])
        for a in apps:  # out of the next round's eligible list
            a.state = "withdrawn"
        db.session.commit()
    assert counts[0] == counts[1], counts
