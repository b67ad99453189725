"""The schedule workflow (workflows/schedule.py) as DOMAIN.md "Assessment events" describes it.

The generated engine and guard tests (test_engine, test_guards) cover every event, route and guard
of it too; here the definition itself, spelt out once, and the placement rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from workflows import SCHEDULE, Actor, engine_for
from workflows.guards import GuardContext
from workflows.schedule import PERSON_EVENTS, PLACEMENT_GUARDS, placement_failure

TODAY = date(2026, 3, 10)


def test_the_schedule_workflow_matches_domain_md():
    table = {
        "open": ({"planned"}, {"open"}, ("dinas_admin",)),
        "confirm": ({"open"}, {"ready"}, ("dinas_admin",)),
        "hold": ({"ready"}, {"held"}, ("assessor", "dinas_admin")),
        "report": ({"held"}, {"reported"}, ("assessor",)),
        "cancel": ({"planned", "open", "ready"}, {"cancelled"}, ("dinas_admin",)),
        "decide": ({"reported"}, {"decided"}, ("certifier", "system")),
    }
    actual = {ev.name: (set(ev.sources), {r.dest for r in ev.routes}, ev.roles) for ev in SCHEDULE.events}
    assert actual == table
    assert SCHEDULE.initial == "planned" and set(SCHEDULE.final) == {"decided", "cancelled"}


def test_the_guards_of_each_step():
    guards = {ev.name: ev.guards for ev in SCHEDULE.events}
    assert guards["open"] == ("registration_open", "team_licensed")
    assert guards["confirm"] == ("quota_reached", "team_licensed", "agreements_signed")
    assert guards["hold"] == ("attendance_recorded",)
    assert guards["report"] == ("attendance_recorded", "notes_given")
    assert guards["cancel"] == ("reason_given",)


def test_decide_is_the_plenarys_and_not_a_persons_event():
    assert "decide" not in PERSON_EVENTS
    engine = engine_for("schedule")
    certifier = Actor(id=1, roles=frozenset({"certifier"}))
    assert engine.allowed_events("reported", certifier) == []
    plenary = Actor(id=1, roles=frozenset({"certifier"}), relations=frozenset({"plenary"}))
    assert engine.allowed_events("reported", plenary) == ["decide"]


def test_who_may_fire_what_from_each_state():
    engine = engine_for("schedule")
    admin = Actor(id=1, roles=frozenset({"dinas_admin"}), relations=frozenset({"dinas_admin"}))
    lead = Actor(id=2, roles=frozenset({"assessor"}), relations=frozenset({"schedule_lead"}))
    other_admin = Actor(id=3, roles=frozenset({"dinas_admin"}))
    member = Actor(id=4, roles=frozenset({"assessor"}))
    assert engine.allowed_events("planned", admin) == ["open", "cancel"]
    assert engine.allowed_events("ready", admin) == ["hold", "cancel"]
    assert engine.allowed_events("ready", lead) == ["hold"]
    assert engine.allowed_events("held", lead) == ["report"]
    assert engine.allowed_events("held", admin) == []
    assert engine.allowed_events("planned", other_admin) == []
    assert engine.allowed_events("ready", member) == []
    assert engine.allowed_events("cancelled", admin) == []


def _ctx(**facts):
    values = dict(registration_closes=TODAY, placed=3, quota_max=4)
    values.update(facts)
    return GuardContext(day=TODAY, facts=SimpleNamespace(**values))


def test_placement_keeps_the_registration_deadline_then_the_quota():
    assert PLACEMENT_GUARDS == ("registration_open", "quota_not_full")
    assert placement_failure(_ctx()) is None
    assert placement_failure(_ctx(registration_closes=TODAY - timedelta(days=1))).rule == "registration_open"
    assert placement_failure(_ctx(placed=4)).rule == "quota_not_full"
    both = placement_failure(_ctx(placed=4, registration_closes=TODAY - timedelta(days=1)))
    assert both.rule == "registration_open"
