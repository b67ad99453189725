"""The workflow definitions as data, and the one shared Machine the engine builds for each."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from tests.unit.test_guards import holding_context
from workflows import APPEAL, APPLICATION, CERTIFICATE, DEFINITIONS, SCHEDULE, Actor, Engine, engine_for
from workflows.definitions import Definition, EventDef, Permission, Route
from workflows.engine import all_engines
from workflows.guards import GUARDS
from workflows.inputs import Input

NAMES = sorted(DEFINITIONS)


def from_dict(data: dict) -> Definition:
    """Rebuild a definition from ``as_dict()`` (the inverse the API's readers rely on)."""
    return Definition(
        name=data["name"],
        version=data["version"],
        label=data["label"],
        initial=data["initial"],
        states=tuple(data["states"]),
        labels=tuple(data["labels"].items()),
        final=tuple(data["final"]),
        events=tuple(
            EventDef(
                name=ev["name"],
                routes=tuple(
                    Route(r["from"], r["to"], next(iter(r["when"].items())) if "when" in r else None)
                    for r in ev["routes"]
                ),
                who=tuple(Permission(p["role"], p["relation"]) for p in ev["who"]),
                guards=tuple(ev["guards"]),
                notify=tuple(ev["notify"]),
                label=ev["label"],
                title=ev["title"],
                inputs=tuple(Input(**{**i, "choices": tuple(i["choices"])}) for i in ev["inputs"]),
                confirm=ev["confirm"],
                effect=ev["effect"],
            )
            for ev in data["events"]
        ),
    )


def test_the_four_workflows():
    assert DEFINITIONS == {
        "application": APPLICATION,
        "appeal": APPEAL,
        "certificate": CERTIFICATE,
        "schedule": SCHEDULE,
    }


@pytest.mark.parametrize("name", NAMES)
def test_as_dict_round_trips_through_json(name):
    d = DEFINITIONS[name]
    data = json.loads(json.dumps(d.as_dict()))
    assert from_dict(data) == d
    assert data["states"] == list(d.states)
    for ev, ev_data in zip(d.events, data["events"], strict=True):
        assert ev_data["from"] == list(ev.sources)
        assert ev_data["to"] == sorted({r.dest for r in ev.routes})
        assert ev_data["roles"] == list(ev.roles)


@pytest.mark.parametrize("name", NAMES)
def test_states_and_events_are_well_formed(name):
    d = DEFINITIONS[name]
    assert len(set(d.states)) == len(d.states)
    assert d.initial in d.states
    assert set(d.final) <= set(d.states)
    assert len({ev.name for ev in d.events}) == len(d.events)
    for ev in d.events:
        assert ev.routes and ev.who
        assert set(ev.guards) <= set(GUARDS)
        assert len(set(ev.guards)) == len(ev.guards)
        for route in ev.routes:
            assert route.source in d.states and route.dest in d.states
        # a source has either one unconditional route or conditional routes only
        for source in ev.sources:
            routes = [r for r in ev.routes if r.source == source]
            assert len(routes) == 1 or all(r.when for r in routes), (ev.name, source)
        assert d.event(ev.name) is ev
    assert d.event("no_such_event") is None


@pytest.mark.parametrize("name", NAMES)
def test_every_state_is_reachable(name):
    assert engine_for(name).reachable() == set(DEFINITIONS[name].states)


@pytest.mark.parametrize("name", NAMES)
def test_final_states_have_no_outgoing_event_and_the_others_have_one(name):
    d = DEFINITIONS[name]
    engine = engine_for(name)
    for state in d.states:
        if state in d.final:
            assert engine.events_from(state) == [], state
        else:
            assert engine.events_from(state), f"{state} is a dead end but not final"


def test_application_workflow_matches_domain_md():
    """The event table of DOMAIN.md, spelt out once."""
    table = {
        "submit": ({"draft"}, {"submitted"}, "candidate"),
        "request_revision": ({"submitted"}, {"revision_requested"}, "dinas_admin"),
        "resubmit": ({"revision_requested"}, {"submitted"}, "candidate"),
        "expire_revision": ({"revision_requested"}, {"withdrawn"}, "system"),
        "approve": ({"submitted"}, {"eligible"}, "dinas_admin"),
        "reject": ({"submitted"}, {"ineligible"}, "dinas_admin"),
        "assign_team": ({"eligible"}, {"team_assigned"}, "dinas_admin"),
        "release": ({"team_assigned"}, {"eligible"}, ("dinas_admin", "system")),
        "start_assessment": ({"team_assigned"}, {"in_assessment"}, "assessor"),
        "recommend": ({"in_assessment"}, {"assessed"}, "assessor"),
        "return_assessment": ({"assessed"}, {"in_assessment"}, "certifier"),
        "certify": ({"assessed"}, {"certified"}, "certifier"),
        "decline": ({"assessed"}, {"not_yet_competent"}, "certifier"),
        "request_reassessment": ({"not_yet_competent"}, {"eligible"}, "candidate"),
        "appeal": ({"ineligible", "not_yet_competent"}, {"under_appeal"}, "candidate"),
        "uphold_appeal": ({"under_appeal"}, {"submitted", "eligible"}, "certifier"),
        "dismiss_appeal": ({"under_appeal"}, {"ineligible", "not_yet_competent"}, "certifier"),
        "withdraw": (
            {"draft", "submitted", "revision_requested", "eligible", "team_assigned"},
            {"withdrawn"},
            "candidate",
        ),
    }
    actual = {ev.name: (set(ev.sources), {r.dest for r in ev.routes}, ev.roles) for ev in APPLICATION.events}
    expected = {
        name: (src, dst, role if isinstance(role, tuple) else (role,)) for name, (src, dst, role) in table.items()
    }
    assert actual == expected


# -- one shared Machine per definition -------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_engine_for_returns_one_engine_and_one_machine(name):
    assert engine_for(name) is engine_for(name)
    assert engine_for(name).machine is engine_for(name).machine
    assert engine_for(name).definition is DEFINITIONS[name]
    assert {e.definition.name for e in all_engines()} == set(NAMES)
    assert [e for e in all_engines() if e.definition.name == name][0] is engine_for(name)


def test_machines_are_distinct_per_definition():
    machines = {id(engine_for(n).machine) for n in NAMES}
    assert len(machines) == len(NAMES)


def test_firing_on_many_records_adds_no_model_to_the_machine():
    engine = engine_for("application")
    before = list(engine.machine.models)
    owner = Actor(id=1, roles=frozenset({"candidate"}), relations=frozenset({"owner"}))
    records = [SimpleNamespace(state="draft") for _ in range(500)]
    for r in records:
        engine.fire(r, "submit", owner, holding_context())
        engine.fire(r, "withdraw", owner, holding_context())
    assert all(r.state == "withdrawn" for r in records)
    assert engine.machine.models == before == []
    # nothing was bound to the records either (no trigger methods, no is_<state>)
    assert all(set(vars(r)) == {"state"} for r in records)


def test_the_machine_has_no_auto_transitions():
    machine = engine_for("application").machine
    assert not any(name.startswith("to_") for name in machine.events)
    assert set(machine.events) == {ev.name for ev in APPLICATION.events}


def test_an_engine_refuses_a_definition_with_an_unknown_guard_or_state():
    bad_guard = Definition(
        "x", 1, "a", ("a", "b"), (EventDef("go", (Route("a", "b"),), (Permission("admin"),), ("nope",)),)
    )
    with pytest.raises(ValueError, match="unknown guards"):
        Engine(bad_guard)
    bad_state = Definition("x", 1, "a", ("a",), (EventDef("go", (Route("a", "b"),), (Permission("admin"),)),))
    with pytest.raises(ValueError, match="unknown state"):
        Engine(bad_state)


def test_the_shared_machine_serves_many_threads_at_once():
    """gthread workers share the one Machine: records fired from many threads each end where they should."""
    import threading

    engine = engine_for("application")
    owner = Actor(id=1, roles=frozenset({"candidate"}), relations=frozenset({"owner"}))
    admin = Actor(id=2, roles=frozenset({"dinas_admin"}), relations=frozenset({"dinas_admin"}))
    records = [SimpleNamespace(state="draft") for _ in range(400)]
    barrier = threading.Barrier(8)
    errors = []

    def work(mine):
        barrier.wait()
        try:
            for r in mine:
                engine.fire(r, "submit", owner, holding_context())
                engine.fire(r, "approve", admin, holding_context())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(records[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and {r.state for r in records} == {"eligible"}
    assert engine.machine.models == []
