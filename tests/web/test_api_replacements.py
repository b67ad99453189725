"""POST /api/v1/teams/<id>/replacements: a member replaced on the team and its open assessments, or refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.extensions import db as _db
from certflow.models import Application, OutboxMessage, Team, TeamChange
from tests.factories import make_assessor, make_team
from tests.web.test_api_reference import auth
from tests.web.test_pages_admin_support import eligible


def _replace(client, user, team, leaving, joining, reason="Sakit berkepanjangan"):
    body = {"leaving": leaving.id, "joining": joining.id, "reason": reason}
    return client.post(f"/api/v1/teams/{team.id}/replacements", json=body, headers=auth(user))


@pytest.fixture()
def assigned(world):
    app = world.new_application()
    world.advance(app, "team_assigned")
    return app


def test_a_replacement_that_holds_moves_the_open_assessments_and_tells_everyone(client, world, assigned):
    joining = make_assessor(world.dinas_kepri, [world.scheme], name="Joining Assessor")
    _db.session.commit()
    resp = _replace(client, world.admin_kepri, world.team, world.member, joining)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["applications"] == [assigned.id]
    _db.session.expire_all()
    team = _db.session.get(Team, world.team.id)
    assert team.member_ids == {world.lead.id, joining.id}
    assert _db.session.get(Application, assigned.id).team_id == team.id
    (change,) = _db.session.scalars(select(TeamChange)).all()
    assert (change.leaving_id, change.joining_id, change.reason) == (
        world.member.id,
        joining.id,
        "Sakit berkepanjangan",
    )
    told = set(_db.session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.event == "team_changed")))
    assert told == {world.candidate.id, world.member.user_id, joining.user_id}


def test_a_lead_who_leaves_is_replaced_as_lead(client, world, assigned):
    joining = make_assessor(world.dinas_kepri, [world.scheme], name="New Lead")
    _db.session.commit()
    assert _replace(client, world.admin_kepri, world.team, world.lead, joining).status_code == 201
    _db.session.expire_all()
    assert _db.session.get(Team, world.team.id).lead_id == joining.id


def test_a_replacement_in_conflict_with_a_candidate_is_refused_naming_the_rule(client, world, assigned):
    resp = _replace(client, world.admin_kepri, world.team, world.member, world.same_dinas_assessor)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "guard_failed" and error["rule"] == "no_conflict" and "Siti Candidate" in error["message"]
    _db.session.expire_all()
    assert _db.session.get(Team, world.team.id).member_ids == {world.lead.id, world.member.id}
    assert _db.session.scalars(select(TeamChange)).all() == []


def test_a_replacement_with_an_expired_licence_is_refused(client, world, assigned):
    expired = make_assessor(world.dinas_kepri, [world.scheme], expires=clock.today() - timedelta(days=1))
    _db.session.commit()
    error = _replace(client, world.admin_kepri, world.team, world.member, expired).get_json()["error"]
    assert error["code"] == "guard_failed" and error["rule"] == "licences_valid"


def test_a_replacement_at_full_load_is_refused(client, world, assigned):
    busy = make_assessor(world.dinas_kepri, [world.scheme], max_load=1, name="Busy")
    other = make_assessor(world.batam, [world.scheme], name="Other")
    busy_team = make_team(world.dinas_kepri, world.scheme, busy, [other], name="Busy team")
    _db.session.commit()
    second = eligible(world, world.other_candidate)
    world.fire(second, "assign_team", world.admin_kepri, data={"team": busy_team.id})
    error = _replace(client, world.admin_kepri, world.team, world.member, busy).get_json()["error"]
    assert error["rule"] == "within_capacity"


def test_leaving_must_be_a_member(client, world, assigned):
    joining = make_assessor(world.dinas_kepri, [world.scheme])
    _db.session.commit()
    resp = _replace(client, world.admin_kepri, world.team, world.same_dinas_assessor, joining)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"] == ["leaving"]


@pytest.mark.parametrize("who", ["candidate", "certifier"])
def test_other_roles_may_not_replace(client, world, who):
    user = getattr(world, who)
    assert _replace(client, user, world.team, world.member, world.lead).status_code == 403


def test_assessor_may_not_replace(client, world):
    assert _replace(client, world.lead.user, world.team, world.member, world.lead).status_code == 403


def test_another_province_admin_gets_404(client, world):
    assert _replace(client, world.admin_riau, world.team, world.member, world.lead).status_code == 404


def test_each_person_is_told_once_whatever_the_number_of_assessments(client, world, assigned):
    second = world.new_application()
    world.advance(second, "team_assigned")
    joining = make_assessor(world.dinas_kepri, [world.scheme], name="Joining Assessor")
    _db.session.commit()
    assert _replace(client, world.admin_kepri, world.team, world.member, joining).status_code == 201
    told = list(_db.session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.event == "team_changed")))
    assert sorted(told) == sorted({second.candidate_id, assigned.candidate_id, world.member.user_id, joining.user_id})
