"""The team services on a real database: the rules agree with the assign_team guards; nothing is committed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.assessment.teams import create_team, list_teams, open_assessments, update_team
from certflow.core.errors import AppError
from certflow.models import Team
from tests.factories import make_assessor
from workflows import GuardFailed


def _team_body(world, **overrides):
    body = {
        "dinas": world.batam.id,
        "scheme": "PSG",
        "name": "Tim Batam",
        "lead": world.lead.id,
        "members": [world.member.id],
    }
    body.update(overrides)
    return body


def test_a_formed_team_can_be_assigned(world, db):
    team = create_team(world.admin_kepri, _team_body(world))
    db.session.commit()
    app = world.new_application()
    world.advance(app, "eligible")
    world.fire(app, "assign_team", world.admin_kepri, data={"team": team.id})
    assert app.state == "team_assigned" and app.team_id == team.id
    assert open_assessments([team.id, world.team.id]) == {team.id: 1}


def test_a_disbanded_team_cannot_be_assigned(world, db):
    update_team(world.admin_kepri, world.team, {"active": False})
    db.session.commit()
    app = world.new_application()
    world.advance(app, "eligible")
    with pytest.raises(GuardFailed) as failed:
        world.fire(app, "assign_team", world.admin_kepri, data={"team": world.team.id})
    assert failed.value.rule == "team_chosen"


def test_services_flush_and_never_commit(world, db):
    team = create_team(world.admin_kepri, _team_body(world))
    assert team.id is not None
    db.session.rollback()
    assert db.session.scalar(select(Team).where(Team.name == "Tim Batam")) is None


def test_a_refusal_names_the_assessor_and_the_rule(world, db):
    world.member.licence_expires = clock.today() - timedelta(days=1)
    with pytest.raises(AppError) as refused:
        create_team(world.admin_kepri, _team_body(world))
    err = refused.value
    assert (err.status, err.code, err.rule, err.extra) == (
        422,
        "validation_error",
        "licences_valid",
        {"assessor": world.member.id},
    )
    assert err.params["assessor"] == "Member Assessor"


def test_a_licence_expiring_today_is_still_valid(world, db):
    world.member.licence_expires = clock.today()
    assert create_team(world.admin_kepri, _team_body(world)).member_ids == {world.lead.id, world.member.id}


def test_recomposing_keeps_the_rows_of_members_who_stay(world, db):
    extra = make_assessor(world.dinas_kepri, [world.scheme], name="Extra")
    update_team(world.admin_kepri, world.team, {"members": [world.member.id, extra.id]})
    db.session.commit()
    db.session.expire_all()
    team = db.session.get(Team, world.team.id)
    assert team.member_ids == {world.lead.id, world.member.id, extra.id} and team.lead_id == world.lead.id
    update_team(world.admin_kepri, team, {"lead": extra.id, "members": [world.member.id]})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Team, world.team.id).member_ids == {extra.id, world.member.id}


def test_a_lead_not_in_the_scope_is_refused(world, db):
    riau = make_assessor(world.pekanbaru, [world.scheme], name="Riau")
    with pytest.raises(AppError) as refused:
        create_team(world.admin_kepri, _team_body(world, lead=riau.id))
    assert refused.value.rule == "member_in_scope" and refused.value.params["assessor"] == f"#{riau.id}"


def test_lists_are_scoped_and_filtered(world, db):
    create_team(world.admin_kepri, _team_body(world, scheme="PNY", name="Tim PNY"))
    assert [t.name for t in list_teams(world.admin_kepri)] == ["Tim Kepri 1", "Tim PNY"]
    assert [t.name for t in list_teams(world.admin_kepri, scheme=world.other_scheme)] == ["Tim PNY"]
    assert [t.name for t in list_teams(world.admin_batam)] == ["Tim PNY"]
    assert [t.name for t in list_teams(world.admin_kepri, dinas_id=world.dinas_kepri.id)] == ["Tim Kepri 1"]
    assert list_teams(world.admin_riau) == [] and list_teams(world.candidate) == []
