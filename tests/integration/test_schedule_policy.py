"""The policy of venues and schedules (certflow/people/policy.py): one test per rule and role."""

from __future__ import annotations

import pytest

from certflow.extensions import db as _db
from certflow.models import Schedule
from certflow.people import policy
from certflow.schedules import operations as ops
from tests.factories import make_schedule, make_user, make_venue


def _visible(user) -> set[int]:
    return set(_db.session.scalars(policy.visible_schedules(user).with_only_columns(Schedule.id)))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin_batam", True),
        ("admin_kepri", True),
        ("admin_riau", False),
        ("sysadmin", True),
        ("candidate", False),
        ("other_candidate", False),
        ("certifier", False),
    ],
)
def test_who_sees_a_planned_schedule(world, db, who, sees):
    schedule = make_schedule(world)
    assert (schedule.id in _visible(getattr(world, who))) is sees
    assert (policy.get_visible_schedule(getattr(world, who), schedule.id) is not None) is sees


def test_the_team_sees_its_schedule_and_another_assessor_does_not(world, db):
    schedule = make_schedule(world)
    assert schedule.id in _visible(world.lead.user)
    assert schedule.id in _visible(world.member.user)
    assert schedule.id not in _visible(world.same_dinas_assessor.user)


def test_a_candidate_sees_the_schedule_they_are_placed_on(world, db):
    schedule = make_schedule(world, state="open")
    app = world.new_application()
    world.advance(app, "eligible")
    ops.place_candidates(schedule, world.admin_kepri, [app.id])
    assert schedule.id in _visible(world.candidate)
    assert schedule.id not in _visible(world.other_candidate)


@pytest.mark.parametrize(("state", "sees"), [("ready", False), ("held", True), ("reported", True), ("decided", True)])
def test_a_certifier_sees_schedules_from_held_on(world, db, state, sees):
    extra = {"report_notes": "ok"} if state in ("reported", "decided") else {}
    schedule = make_schedule(world, state=state, **extra)
    assert (schedule.id in _visible(world.certifier)) is sees


def test_who_manages_a_schedule_and_who_leads_it(world, db):
    schedule = make_schedule(world)
    assert policy.may_manage_schedule(world.admin_batam, schedule)
    assert policy.may_manage_schedule(world.admin_kepri, schedule)
    assert not policy.may_manage_schedule(world.admin_riau, schedule)
    assert not policy.may_manage_schedule(world.lead.user, schedule)
    assert policy.is_schedule_lead(world.lead.user, schedule)
    assert not policy.is_schedule_lead(world.member.user, schedule)
    assert not policy.is_schedule_lead(world.admin_kepri, schedule)
    actor = policy.schedule_actor(world.lead.user, schedule)
    assert actor.relations == {"schedule_lead"}
    assert policy.schedule_actor(world.admin_kepri, schedule).relations == {"dinas_admin"}
    assert policy.schedule_actor(world.admin_riau, schedule).relations == frozenset()


@pytest.mark.parametrize(
    ("who", "sees"),
    [("admin_batam", True), ("admin_kepri", True), ("admin_riau", False), ("sysadmin", True), ("candidate", False)],
)
def test_who_keeps_a_venue(world, db, who, sees):
    venue = make_venue(world.batam)
    _db.session.commit()
    found = set(_db.session.scalars(policy.visible_venues(getattr(world, who))))
    assert (venue in found) is sees


def test_an_admin_of_a_kab_kota_does_not_keep_a_province_venue(world, db):
    venue = make_venue(world.dinas_kepri)
    bintan_admin = make_user("dinas_admin", world.bintan)
    _db.session.commit()
    assert venue not in set(_db.session.scalars(policy.visible_venues(bintan_admin)))
    assert venue not in set(_db.session.scalars(policy.visible_venues(world.admin_batam)))
