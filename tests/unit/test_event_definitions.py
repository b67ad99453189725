"""Everything about an event lives with its definition: label, title, inputs, confirmation, effect.

And the ``release`` event: its route, who may fire it, its guards.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.unit.test_guards import holding_context
from workflows import APPLICATION, DEFINITIONS, Actor, Forbidden, GuardFailed, InvalidTransition, engine_for
from workflows.guards import GUARDS, Msg
from workflows.inputs import INPUTS, KINDS

EVENTS = [pytest.param(d, ev, id=f"{d.name}.{ev.name}") for d in DEFINITIONS.values() for ev in d.events]
# The guards that judge an input: an event with the guard asks for the input.
INPUT_OF_GUARD = {i.checked_by: i for i in INPUTS.values() if i.required}


@pytest.mark.parametrize(("definition", "ev"), EVENTS)
def test_every_event_has_a_label_and_a_title(definition, ev):
    assert isinstance(ev.label, Msg) and ev.label.strip()
    assert isinstance(ev.heading, Msg) and ev.heading.strip()


@pytest.mark.parametrize("definition", list(DEFINITIONS.values()), ids=list(DEFINITIONS))
def test_every_state_and_workflow_has_a_label(definition):
    assert definition.label.strip()
    assert [s for s, _ in definition.labels] == list(definition.states)
    assert all(isinstance(label, Msg) and label.strip() for _, label in definition.labels)


def test_names_shared_by_two_workflows_share_their_words():
    """``withdraw`` and ``withdrawn`` are in the application and the certificate: one label each."""
    events: dict[str, set] = {}
    states: dict[str, set] = {}
    for d in DEFINITIONS.values():
        for ev in d.events:
            events.setdefault(ev.name, set()).add((ev.label, ev.heading))
        for state, label in d.labels:
            states.setdefault(state, set()).add(label)
    assert all(len(v) == 1 for v in events.values()), events
    assert all(len(v) == 1 for v in states.values()), states


@pytest.mark.parametrize(("definition", "ev"), EVENTS)
def test_inputs_are_well_formed_and_match_the_guards(definition, ev):
    names = ev.input_names
    assert len(set(names)) == len(names)
    for i in ev.inputs:
        assert INPUTS[i.name] is i, "inputs come from the one catalogue"
        assert i.kind in KINDS and i.label.strip()
        assert (i.kind == "choice") == bool(i.choices)
        assert i.checked_by in ev.guards, f"{ev.name}.{i.name}: nothing checks it"
    for guard in ev.guards:
        if guard in INPUT_OF_GUARD:
            assert INPUT_OF_GUARD[guard] in ev.inputs, f"{ev.name}: {guard} judges an input it does not ask for"


@pytest.mark.parametrize(("definition", "ev"), EVENTS)
def test_a_confirmed_event_asks_nothing_and_is_fired_by_a_person(definition, ev):
    if ev.confirm:
        assert ev.inputs == ()
        assert "system" not in ev.roles


def test_the_catalogue_of_inputs():
    assert set(INPUTS) == {
        "reason",
        "deadline",
        "until",
        "team",
        "override_reason",
        "recommendation",
        "recommendation_notes",
        "units",
        "notes",
    }
    assert [i.name for i in INPUTS.values() if not i.in_data] == ["reason"]
    assert {i.checked_by for i in INPUTS.values()} <= set(GUARDS)


def test_the_irreversible_events_ask_for_a_second_click():
    confirmed = {(d.name, ev.name) for d in DEFINITIONS.values() for ev in d.events if ev.confirm}
    assert confirmed == {
        ("application", "withdraw"),
        ("application", "certify"),
        ("schedule", "open"),
        ("schedule", "confirm"),
        ("schedule", "hold"),
    }


# -- the effects registry ---------------------------------------------------------------------


def test_every_effect_named_is_registered_and_every_registered_effect_is_used():
    from certflow.applications.effects import EFFECTS

    named = {ev.effect for d in DEFINITIONS.values() for ev in d.events if ev.effect is not None}
    assert named - set(EFFECTS) == set(), "an event names an effect nobody registered"
    assert set(EFFECTS) - named == set(), "a registered effect no event uses"


def test_the_notification_groups_are_known():
    from certflow.notifications.recipients import GROUPS

    assert {g for d in DEFINITIONS.values() for ev in d.events for g in ev.notify} <= set(GROUPS)


# -- release ------------------------------------------------------------------------------


def _actor(*roles, relations=()):
    return Actor(id=7, roles=frozenset(roles), relations=frozenset(relations))


ADMIN = _actor("dinas_admin", relations={"dinas_admin"})


def test_release_goes_back_from_team_assigned_to_eligible():
    ev = APPLICATION.event("release")
    assert [(r.source, r.dest) for r in ev.routes] == [("team_assigned", "eligible")]
    assert ev.input_names == ("reason",) and ev.effect == "release_team"
    assert set(ev.notify) == {"candidate", "team"}
    assert APPLICATION.version == 4  # 2: release; 3: the agreement before start_assessment; 4: resubmit guard


def test_release_is_fired_by_the_dinas_admin_of_the_candidate_or_the_system():
    engine = engine_for("application")
    for actor in (ADMIN, Actor.system()):
        record = SimpleNamespace(state="team_assigned")
        engine.fire(record, "release", actor, holding_context())
        assert record.state == "eligible"
    assert "release" in engine.allowed_events("team_assigned", ADMIN)
    for actor in (
        _actor("dinas_admin"),  # of another dinas
        _actor("candidate", relations={"owner"}),
        _actor("assessor", relations={"team_lead", "team_member"}),
        _actor("certifier", relations={"independent"}),
        _actor("admin"),
    ):
        with pytest.raises(Forbidden):
            engine.check("team_assigned", "release", actor, holding_context())


@pytest.mark.parametrize("state", [s for s in APPLICATION.states if s != "team_assigned"])
def test_release_is_possible_only_from_team_assigned(state):
    with pytest.raises(InvalidTransition):
        engine_for("application").check(state, "release", ADMIN, holding_context())


def test_release_needs_a_reason_and_an_assessment_not_started():
    engine = engine_for("application")
    ctx = holding_context()
    ctx.reason = "  "
    with pytest.raises(GuardFailed) as err:
        engine.check("team_assigned", "release", ADMIN, ctx)
    assert err.value.rule == "reason_given"
    ctx = holding_context()
    ctx.facts.scored_since_assignment = 3
    with pytest.raises(GuardFailed) as err:
        engine.check("team_assigned", "release", ADMIN, ctx)
    assert err.value.rule == "assessment_not_started" and err.value.params == {"count": 3}
