"""Every event of every workflow through the engine: allowed, and refused by state, role, relation and guard.

The cases are generated from ``workflows.definitions``, so a new event, route, permission or
guard is covered without touching this file. Records are plain objects with a ``state``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.unit.test_guards import FAILURES, failing_context, holding_context
from workflows import DEFINITIONS, Actor, Forbidden, GuardFailed, InvalidTransition, WorkflowError, engine_for
from workflows.definitions import Definition, EventDef, Permission, Route

ROLES = ("candidate", "assessor", "dinas_admin", "certifier", "admin", "system")
RELATIONS = frozenset(
    {"owner", "dinas_admin", "team_member", "team_lead", "independent", "appeal_handler"}
    | {p.relation for d in DEFINITIONS.values() for ev in d.events for p in ev.who if p.relation}
)


def _events():
    return [(d, ev) for d in DEFINITIONS.values() for ev in d.events]


def _id(*parts) -> str:
    return ".".join(str(p) for p in parts if p is not None)


def record(state: str, route: Route | None = None, **kw) -> SimpleNamespace:
    """A record in ``state`` that meets the route's ``when`` condition."""
    values = {"state": state, "appealed_from": None}
    if route is not None and route.when:
        values[route.when[0]] = route.when[1]
    values.update(kw)
    return SimpleNamespace(**values)


def actor_for(p: Permission, **kw) -> Actor:
    """An actor with exactly the role and relation of permission ``p``."""
    return Actor(id=7, roles=frozenset({p.role}), relations=frozenset({p.relation} if p.relation else ()), **kw)


def permitted(ev: EventDef, roles, relations) -> bool:
    """The oracle: some permission's role is held, with its relation if it names one."""
    return any(p.role in roles and (p.relation is None or p.relation in relations) for p in ev.who)


ALLOWED = [
    pytest.param(d, ev, route, p, id=_id(d.name, ev.name, route.source, route.dest, p.role, p.relation))
    for d, ev in _events()
    for route in ev.routes
    for p in ev.who
]

WRONG_STATE = [
    pytest.param(d, ev, state, id=_id(d.name, ev.name, state))
    for d, ev in _events()
    for state in d.states
    if state not in ev.sources
]

WRONG_ROLE = [
    pytest.param(d, ev, role, id=_id(d.name, ev.name, role))
    for d, ev in _events()
    for role in ROLES
    if role not in ev.roles
]

WRONG_RELATION = [
    pytest.param(d, ev, p, id=_id(d.name, ev.name, p.role, p.relation))
    for d, ev in _events()
    for p in ev.who
    if p.relation is not None and not permitted(ev, {p.role}, RELATIONS - {p.relation})
]

GUARD_FAILS = [
    pytest.param(d, ev, guard, how, id=_id(d.name, ev.name, guard, how))
    for d, ev in _events()
    for guard in ev.guards
    for how in FAILURES[guard]
]


@pytest.mark.parametrize(("d", "ev", "route", "p"), ALLOWED)
def test_allowed(d: Definition, ev: EventDef, route: Route, p: Permission):
    engine = engine_for(d.name)
    subject = record(route.source, route)
    fired = engine.fire(subject, ev.name, actor_for(p), holding_context())
    assert subject.state == route.dest
    assert (fired.event, fired.source, fired.dest) == (ev.name, route.source, route.dest)
    assert (fired.workflow, fired.version, fired.notify) == (d.name, d.version, ev.notify)
    assert ev.name in engine.allowed_events(route.source, actor_for(p))


@pytest.mark.parametrize(("d", "ev", "route", "p"), ALLOWED)
def test_allowed_with_more_roles_and_relations_than_needed(d, ev, route, p):
    subject = record(route.source, route)
    actor = Actor(id=1, roles=frozenset(ROLES), relations=RELATIONS)
    engine_for(d.name).fire(subject, ev.name, actor, holding_context())
    assert subject.state == route.dest


@pytest.mark.parametrize(("d", "ev", "state"), WRONG_STATE)
def test_refused_by_state(d, ev, state):
    engine = engine_for(d.name)
    subject = record(state)
    everyone = Actor(id=1, roles=frozenset(ROLES), relations=RELATIONS)
    with pytest.raises(InvalidTransition) as err:
        engine.fire(subject, ev.name, everyone, holding_context())
    assert err.value.code == "invalid_transition"
    assert err.value.params == {"event": ev.name, "state": state}
    assert subject.state == state
    assert ev.name not in engine.allowed_events(state, everyone)


@pytest.mark.parametrize(("d", "ev", "role"), WRONG_ROLE)
def test_refused_by_role(d, ev, role):
    engine = engine_for(d.name)
    source = ev.routes[0]
    subject = record(source.source, source)
    actor = Actor(id=1, roles=frozenset({role}), relations=RELATIONS)
    with pytest.raises(Forbidden) as err:
        engine.fire(subject, ev.name, actor, holding_context())
    assert err.value.code == "forbidden"
    assert subject.state == source.source
    assert ev.name not in engine.allowed_events(source.source, actor)


@pytest.mark.parametrize(("d", "ev", "p"), WRONG_RELATION)
def test_refused_by_relation(d, ev, p):
    engine = engine_for(d.name)
    source = ev.routes[0]
    subject = record(source.source, source)
    actor = Actor(id=1, roles=frozenset({p.role}), relations=RELATIONS - {p.relation})
    with pytest.raises(Forbidden):
        engine.fire(subject, ev.name, actor, holding_context())
    assert subject.state == source.source
    no_relation = Actor(id=1, roles=frozenset({p.role}))
    with pytest.raises(Forbidden):
        engine.check(source.source, ev.name, no_relation, holding_context())


@pytest.mark.parametrize(("d", "ev", "guard", "how"), GUARD_FAILS)
def test_refused_by_guard(d, ev, guard, how):
    engine = engine_for(d.name)
    route = ev.routes[0]
    subject = record(route.source, route)
    with pytest.raises(GuardFailed) as err:
        engine.fire(subject, ev.name, actor_for(ev.who[0]), failing_context(guard, how))
    assert err.value.rule == guard
    assert err.value.code == "guard_failed"
    assert subject.state == route.source


@pytest.mark.parametrize(
    ("d", "ev"), [pytest.param(d, ev, id=_id(d.name, ev.name)) for d, ev in _events() if ev.guards]
)
def test_guards_are_checked_in_their_order(d, ev):
    """With every guard failing, the first one is named."""
    ctx = holding_context()
    for guard in reversed(ev.guards):
        FAILURES[guard][next(iter(FAILURES[guard]))](ctx)
    route = ev.routes[0]
    with pytest.raises(GuardFailed) as err:
        engine_for(d.name).fire(record(route.source, route), ev.name, actor_for(ev.who[0]), ctx)
    assert err.value.rule == ev.guards[0]


def _everything_wrong(ev: EventDef):
    """A context failing every guard of ``ev`` and an actor with a role that may not fire it."""
    ctx = holding_context()
    for guard in reversed(ev.guards):  # team_chosen (no team) last: the other team guards need the team
        FAILURES[guard][next(iter(FAILURES[guard]))](ctx)
    wrong = next(r for r in ROLES if r not in ev.roles)
    return ctx, Actor(id=1, roles=frozenset({wrong}))


@pytest.mark.parametrize(("d", "ev", "state"), WRONG_STATE)
def test_invalid_state_beats_forbidden_and_guards(d, ev, state):
    ctx, nobody = _everything_wrong(ev)
    with pytest.raises(InvalidTransition):
        engine_for(d.name).fire(record(state), ev.name, nobody, ctx)


@pytest.mark.parametrize(("d", "ev"), [pytest.param(d, ev, id=_id(d.name, ev.name)) for d, ev in _events()])
def test_forbidden_beats_guards(d, ev):
    ctx, nobody = _everything_wrong(ev)
    route = ev.routes[0]
    with pytest.raises(Forbidden):
        engine_for(d.name).fire(record(route.source, route), ev.name, nobody, ctx)


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_unknown_event_is_an_invalid_transition(name):
    d = DEFINITIONS[name]
    everyone = Actor(id=1, roles=frozenset(ROLES), relations=RELATIONS)
    with pytest.raises(InvalidTransition):
        engine_for(name).fire(record(d.initial), "teleport", everyone, holding_context())


# -- the routes chosen by the record: an appeal returns to where it came from --------------

APPEAL_ROUTES = [
    ("uphold_appeal", "ineligible", "submitted"),
    ("uphold_appeal", "not_yet_competent", "eligible"),
    ("dismiss_appeal", "ineligible", "ineligible"),
    ("dismiss_appeal", "not_yet_competent", "not_yet_competent"),
]


@pytest.mark.parametrize(("event", "appealed_from", "dest"), APPEAL_ROUTES)
def test_appeal_resolution_routes_by_appealed_from(event, appealed_from, dest):
    handler = Actor(id=3, roles=frozenset({"certifier"}), relations=frozenset({"independent", "appeal_handler"}))
    subject = record("under_appeal", appealed_from=appealed_from)
    fired = engine_for("application").fire(subject, event, handler, holding_context())
    assert subject.state == fired.dest == dest


@pytest.mark.parametrize("event", ["uphold_appeal", "dismiss_appeal"])
@pytest.mark.parametrize("appealed_from", [None, "submitted", "withdrawn"])
def test_appeal_resolution_without_a_matching_route_is_refused(event, appealed_from):
    handler = Actor(id=3, roles=frozenset({"certifier"}), relations=frozenset({"appeal_handler"}))
    subject = record("under_appeal", appealed_from=appealed_from)
    with pytest.raises(InvalidTransition):
        engine_for("application").fire(subject, event, handler, holding_context())
    assert subject.state == "under_appeal"


def test_appeal_from_each_decision():
    owner = Actor(id=1, roles=frozenset({"candidate"}), relations=frozenset({"owner"}))
    for state in ("ineligible", "not_yet_competent"):
        subject = record(state)
        engine_for("application").fire(subject, "appeal", owner, holding_context())
        assert subject.state == "under_appeal"


# -- allowed_events and check --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_allowed_events_agree_with_the_oracle(name):
    d = DEFINITIONS[name]
    engine = engine_for(name)
    actors = [Actor(id=1, roles=frozenset({r}), relations=frozenset({rel})) for r in ROLES for rel in RELATIONS]
    actors += [Actor(id=1, roles=frozenset({r})) for r in ROLES] + [Actor.system()]
    for state in d.states:
        assert engine.events_from(state) == [ev.name for ev in d.events if state in ev.sources]
        for actor in actors:
            expected = [
                ev.name for ev in d.events if state in ev.sources and permitted(ev, actor.roles, actor.relations)
            ]
            assert engine.allowed_events(state, actor) == expected


def test_allowed_events_leave_out_an_event_a_checked_guard_refuses():
    """``submit`` is not offered while ``apl01_complete`` refuses; unchecked guards wait for the firing."""
    engine = engine_for("application")
    owner = actor_for(Permission("candidate", "owner"))
    everything = engine.allowed_events("draft", owner)
    assert "submit" in everything
    ctx = holding_context()
    assert engine.allowed_events("draft", owner, ctx, ["apl01_complete"]) == everything
    ctx.facts.apl01_missing = ["route", "purpose"]
    assert engine.allowed_events("draft", owner, ctx, ["apl01_complete"]) == [e for e in everything if e != "submit"]
    assert engine.allowed_events("draft", owner, ctx) == everything  # nothing checked: every permitted event
    ctx.facts.missing_documents = ["diploma"]
    ctx.facts.apl01_missing = []
    assert engine.allowed_events("draft", owner, ctx, ["apl01_complete"]) == everything


def test_allowed_events_of_an_unknown_state_is_empty():
    assert engine_for("application").allowed_events("limbo", Actor.system()) == []


def test_check_returns_the_event_and_changes_nothing():
    ev = engine_for("application").check(
        "draft", "submit", actor_for(Permission("candidate", "owner")), holding_context()
    )
    assert ev is DEFINITIONS["application"].event("submit")


def test_workflow_errors_carry_code_message_and_params():
    with pytest.raises(WorkflowError) as err:
        engine_for("application").check("draft", "certify", Actor.system(), holding_context())
    assert str(err.value) == "Event certify is not possible from state draft."
    ctx = failing_context("team_big_enough", "too small")
    admin = actor_for(Permission("dinas_admin", "dinas_admin"))
    with pytest.raises(GuardFailed) as err:
        engine_for("application").check("eligible", "assign_team", admin, ctx)
    assert err.value.params == {"team": "Tim A", "size": 1, "minimum": 2}
    assert "Tim A has 1 assessors" in str(err.value)


def test_system_actor():
    system = Actor.system()
    assert system.id is None and system.roles == {"system"} and not system.relations
    assert engine_for("application").allowed_events("revision_requested", system) == ["expire_revision"]
    assert engine_for("certificate").allowed_events("active", system) == ["withdraw", "expire", "supersede"]
