"""Assigning teams through the pages: every rule refuses with its own message, batches, suggestions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from certflow import clock
from certflow.models import Application, AssessorRelation, ConflictDeclaration, TransitionLog
from tests.factories import make_assessor, make_team
from tests.web.test_pages_admin_support import admin_browser, candidate_in, eligible, form_fields
from tests.web.test_pages_support import count_queries, csrf_token, fresh


def _assign(browser, applications, team, **extra):
    page = browser.get("/admin/assignment").text
    data = MultiDict([("csrf_token", csrf_token(page)), ("team", str(team.id if team else ""))])
    for application in applications:
        data.add("application", str(application.id))
    for key, value in extra.items():
        data.add(key, value)
    return browser.post("/admin/assignment/assign", data=data)


def _states(db, *applications) -> list[str]:
    fresh(db)
    return [db.session.get(Application, a.id).state for a in applications]


def _outcome(page: str, application) -> str:
    return page.split(f'id="outcome-{application.id}"')[1].split("</li>")[0]


# -- each rule refuses with its own message ------------------------------------------------------------


def _self(world, db, application):
    own = make_assessor(world.batam, [world.scheme], user=application.candidate)
    return make_team(world.dinas_kepri, world.scheme, world.member, [own], name="Tim Self")


def _relation(world, db, application):
    db.session.add(AssessorRelation(assessor_id=world.member.id, user_id=application.candidate_id, kind="relative"))
    return world.team


def _declared(world, db, application):
    db.session.add(ConflictDeclaration(application_id=application.id, assessor_id=world.member.id, conflict=True))
    return world.team


def _same_dinas(world, db, application):
    return make_team(world.dinas_kepri, world.scheme, world.member, [world.same_dinas_assessor], name="Tim Batam")


def _same_dinas_allowed(world, db, application):
    world.scheme.allow_same_dinas = True
    return _same_dinas(world, db, application)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (_self, "Conflict of interest: assessor Siti Candidate — an assessor may not assess themself."),
        (
            _relation,
            "Conflict of interest: assessor Member Assessor — the assessor declared a relation to this candidate.",
        ),
        (
            _declared,
            "Conflict of interest: assessor Member Assessor — "
            "the assessor declared a conflict of interest with this candidate.",
        ),
        (
            _same_dinas,
            "Conflict of interest: assessor Batam Assessor — the assessor works in the candidate&#39;s own dinas.",
        ),
        (
            _same_dinas_allowed,
            "Conflict of interest: assessor Batam Assessor — the assessor works in the candidate&#39;s own dinas; "
            "the scheme allows it only with an override reason.",
        ),
    ],
    ids=["self", "relation", "declared", "same_dinas", "same_dinas_without_override"],
)
def test_each_conflict_of_interest_refuses_with_its_own_message(app, world, db, setup, message):
    application = eligible(world)
    team = setup(world, db, application)
    db.session.commit()
    response = _assign(admin_browser(app, world.admin_kepri), [application], team)
    assert response.status_code == 422
    outcome = _outcome(response.text, application)
    assert "Not assigned" in outcome and message in outcome, response.text[-3000:]
    assert "Rule: no assessor has a conflict of interest" in outcome
    assert _states(db, application) == ["eligible"]


def test_the_override_of_a_scheme_that_allows_it_is_recorded(app, world, db):
    application = eligible(world)
    team = _same_dinas_allowed(world, db, application)
    db.session.commit()
    reason = "Only licensed assessor for this scheme in the area"
    response = _assign(admin_browser(app, world.admin_kepri), [application], team, override_reason=reason)
    assert response.status_code == 200 and "Assigned to Tim Batam." in response.text
    assert _states(db, application) == ["team_assigned"]
    log = db.session.scalar(
        select(TransitionLog).where(
            TransitionLog.application_id == application.id, TransitionLog.event == "assign_team"
        )
    )
    assert log.data["override_reason"] == reason and log.data["team"] == team.id
    assert log.actor_id == world.admin_kepri.id


def test_an_assessor_at_full_capacity_refuses_the_assignment(app, world, db):
    world.member.max_load = 1
    db.session.commit()
    first, second = eligible(world), eligible(world, candidate_in(world.batam), world.other_scheme)
    other_team = make_team(world.dinas_kepri, world.other_scheme, world.member, [world.lead], name="Tim PNY")
    db.session.commit()
    browser = admin_browser(app, world.admin_kepri)
    assert _assign(browser, [first], world.team).status_code == 200
    refused = _assign(browser, [second], other_team)
    assert refused.status_code == 422
    outcome = _outcome(refused.text, second)
    assert "Assessor Member Assessor is at full capacity (1 of 1)." in outcome
    assert "Rule: no assessor is over capacity" in outcome
    assert _states(db, first, second) == ["team_assigned", "eligible"]


def test_an_expired_licence_refuses_the_assignment(app, world, db):
    application = eligible(world)
    world.lead.licence_expires = clock.today() - timedelta(days=1)
    db.session.commit()
    refused = _assign(admin_browser(app, world.admin_kepri), [application], world.team)
    assert refused.status_code == 422
    outcome = _outcome(refused.text, application)
    assert "The licence of assessor Lead Assessor has expired." in outcome
    assert "Rule: every assessor&#39;s licence is valid and covers the scheme" in outcome
    assert _states(db, application) == ["eligible"]


def test_a_team_of_another_scheme_is_refused(app, world, db):
    application = eligible(world, world.candidate, world.other_scheme)
    response = _assign(admin_browser(app, world.admin_kepri), [application], world.team)
    assert "Team Tim Kepri 1 is for scheme PSG, not PNY." in _outcome(response.text, application)


# -- batches -----------------------------------------------------------------------------------------


def test_a_batch_with_one_bad_candidate_assigns_the_others(app, world, db):
    first = eligible(world)
    bintan = eligible(world, world.other_candidate)  # the lead works in Bintan: a conflict
    third = eligible(world, candidate_in(world.batam, "Tiga Batam"))
    response = _assign(admin_browser(app, world.admin_kepri), [first, bintan, third], world.team)
    assert response.status_code == 200
    assert "2 of 3 candidates assigned." in response.text
    assert "Assigned to Tim Kepri 1." in _outcome(response.text, first)
    assert "Assigned to Tim Kepri 1." in _outcome(response.text, third)
    refused = _outcome(response.text, bintan)
    assert (
        "Conflict of interest: assessor Lead Assessor — the assessor works in the candidate&#39;s own dinas." in refused
    )
    assert _states(db, first, bintan, third) == ["team_assigned", "eligible", "team_assigned"]
    logs = db.session.scalars(select(TransitionLog.application_id).where(TransitionLog.event == "assign_team")).all()
    assert sorted(logs) == sorted([first.id, third.id])


def test_a_batch_refuses_what_the_admin_may_not_assign_and_says_so(app, world, db):
    mine = eligible(world)
    stale_version = mine.version
    riau_candidate = candidate_in(world.pekanbaru, "Rina Pekanbaru")
    riau_app = world.new_application(riau_candidate)
    world.fire(riau_app, "submit", riau_candidate)
    world.mark_documents(riau_app, "valid")
    world.fire(riau_app, "approve", world.admin_riau)
    draft = world.new_application(candidate_in(world.batam))
    browser = admin_browser(app, world.admin_batam)
    response = _assign(browser, [mine, riau_app, draft], world.team, **{f"version-{mine.id}": str(stale_version)})
    assert response.status_code == 422
    assert "Choose an active assessor team of a dinas you administer." in _outcome(response.text, mine)
    assert "Not found." in _outcome(response.text, riau_app)
    assert "Event Assign team is not possible from state Draft." in _outcome(response.text, draft)
    assert _states(db, mine, riau_app, draft) == ["eligible", "eligible", "draft"]


def test_a_batch_with_a_changed_record_refuses_only_that_one(app, world, db):
    first, second = eligible(world), eligible(world, candidate_in(world.batam))
    response = _assign(
        admin_browser(app, world.admin_kepri), [first, second], world.team, **{f"version-{first.id}": "1"}
    )
    assert "The record was changed by someone else" in _outcome(response.text, first)
    assert _states(db, first, second) == ["eligible", "team_assigned"]


def test_the_form_says_what_is_missing_and_keeps_the_choice(app, world, db):
    application = eligible(world)
    browser = admin_browser(app, world.admin_kepri)
    nothing = _assign(browser, [], world.team)
    assert nothing.status_code == 422 and "Choose at least one candidate." in nothing.text
    no_team = _assign(browser, [application], None)
    assert no_team.status_code == 422 and "Choose the assessor team to assign." in no_team.text
    assert f'value="{application.id}" checked' in no_team.text


def test_the_eligible_list_runs_the_same_number_of_queries_for_2_or_20(app, world, db):
    browser = admin_browser(app, world.admin_kepri)
    for _ in range(2):
        eligible(world, candidate_in(world.batam))
    with count_queries() as few:
        assert browser.get("/admin/assignment").status_code == 200
    for _ in range(18):
        eligible(world, candidate_in(world.bintan))
    with count_queries() as many:
        page = browser.get("/admin/assignment")
    assert page.status_code == 200 and page.text.count('name="application"') == 20
    assert many[0] == few[0]


# -- suggestions ---------------------------------------------------------------------------------------


def _suggest(browser, applications):
    page = browser.get("/admin/assignment").text
    data = MultiDict([("csrf_token", csrf_token(page))] + [("application", str(a.id)) for a in applications])
    return browser.post("/admin/assignment/suggest", data=data)


def test_suggest_picks_the_lowest_load_conflict_free_team_and_one_click_assigns_it(app, world, db):
    busy = eligible(world, candidate_in(world.batam))
    world.fire(busy, "assign_team", world.admin_kepri, data={"team": world.team.id})  # Tim Kepri 1: load 2
    related = [make_assessor(world.dinas_kepri, [world.scheme], name=f"Kin {n}") for n in (1, 2)]
    idle = [make_assessor(world.bintan, [world.scheme], name=f"Idle {n}") for n in (1, 2)]
    kin_team = make_team(world.dinas_kepri, world.scheme, related[0], related[1:], name="Tim A Kin")  # load 0
    idle_team = make_team(world.bintan, world.scheme, idle[0], idle[1:], name="Tim B Idle")  # load 0
    application = eligible(world)
    db.session.add(AssessorRelation(assessor_id=related[1].id, user_id=world.candidate.id, kind="relative"))
    db.session.commit()

    browser = admin_browser(app, world.admin_kepri)
    page = _suggest(browser, [application])
    assert page.status_code == 200
    card = page.text.split(f'id="suggestion-{application.id}"')[1].split("</li>\n    \n")[0]
    assert "Proposed: Tim B Idle (load 0)." in card
    assert "Tim A Kin: Conflict of interest: assessor Kin 2 — the assessor declared a relation" in card
    fields = form_fields(page.text, "/admin/assignment/assign")
    assert (f"team-{application.id}", str(idle_team.id)) in fields and ("application", str(application.id)) in fields

    done = browser.post("/admin/assignment/assign", data=MultiDict(fields))
    assert done.status_code == 200 and "Assigned to Tim B Idle." in done.text
    fresh(db)
    stored = db.session.get(Application, application.id)
    assert (stored.state, stored.team_id) == ("team_assigned", idle_team.id)
    assert kin_team.id != idle_team.id


def test_suggest_says_when_no_team_fits(app, world, db):
    application = eligible(world, world.other_candidate)  # Tim Kepri 1's lead works in Bintan
    pny = eligible(world, world.candidate, world.other_scheme)
    page = _suggest(admin_browser(app, world.admin_kepri), [application, pny])
    assert page.status_code == 200
    card = page.text.split(f'id="suggestion-{application.id}"')[1]
    assert (
        "No team fits this candidate." in card and "Tim Kepri 1: Conflict of interest: assessor Lead Assessor" in card
    )
    assert "No active team of your dinas is formed for scheme PNY." in page.text
    assert "Assign as proposed" not in page.text
    assert form_fields(page.text, "/admin/assignment/assign") == [("csrf_token", csrf_token(page.text))]
