"""Random event sequences by random actors on plain records, against an oracle built from the definitions.

After every step: the record's state is one its definition has; it changed only through a
successful fire, along a route of the definition; a refused event left the record exactly
as it was, with the error the check order (state, then actor, then guards) predicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from hypothesis import HealthCheck, settings
from hypothesis import event as note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.unit.test_engine import RELATIONS, ROLES, permitted
from tests.unit.test_guards import FAILURES, holding_context
from workflows import DEFINITIONS, Actor, Forbidden, GuardFailed, InvalidTransition, engine_for
from workflows.definitions import Definition

NAMES = sorted(DEFINITIONS)
GUARD_NAMES = sorted(FAILURES)
APPEALED_FROM = (None, "ineligible", "not_yet_competent", "draft")


@dataclass
class Tracked:
    """A record and what the test knows happened to it."""

    definition: Definition
    record: SimpleNamespace
    states: list[str]
    log: list[tuple[str, str, str]] = field(default_factory=list)


def expected_outcome(d: Definition, rec, event: str, actor: Actor, failing: list[str]):
    """What the engine must do: (error class, rule) or (None, destination)."""
    ev = d.event(event)
    if ev is None or rec.state not in ev.sources:
        return InvalidTransition, None
    if not permitted(ev, actor.roles, actor.relations):
        return Forbidden, None
    failed = [g for g in ev.guards if g in failing]
    if failed:
        return GuardFailed, failed[0]
    routes = [
        r for r in ev.routes if r.source == rec.state and (r.when is None or getattr(rec, r.when[0]) == r.when[1])
    ]
    if not routes:
        return InvalidTransition, None
    return None, routes[0].dest


def context_failing(failing: dict[str, int]):
    """The holding context with each named guard made to fail (one of its ways, by index)."""
    ctx = holding_context()
    # "no team" last: the other team guards' failures need a team to change
    for guard in sorted(failing, key=lambda g: g == "team_chosen"):
        ways = list(FAILURES[guard].values())
        ways[failing[guard] % len(ways)](ctx)
    return ctx


class EngineStateMachine(RuleBasedStateMachine):
    """A record of each workflow, fired at by random actors under random facts; a finished one may be replaced."""

    def __init__(self):
        super().__init__()
        self.tracked: list[Tracked] = []
        self.current: dict[str, Tracked] = {}

    def _track(self, name: str) -> Tracked:
        d = DEFINITIONS[name]
        t = Tracked(d, SimpleNamespace(state=d.initial, appealed_from=None), [d.initial])
        self.tracked.append(t)
        self.current[name] = t
        return t

    @initialize()
    def one_record_of_each_workflow(self):
        for name in NAMES:
            self._track(name)

    @rule(name=st.sampled_from(NAMES), appealed_from=st.sampled_from(APPEALED_FROM))
    def tamper_appealed_from(self, name, appealed_from):
        """What the record says it was appealed from decides the resolution's route."""
        self.current[name].record.appealed_from = appealed_from

    @rule(data=st.data())
    def fire(self, data):
        # the application workflow is the long one: give it most of the steps
        name = data.draw(st.sampled_from(["application"] * 4 + NAMES), label="workflow")
        t = self.current[name]
        d, rec = t.definition, t.record
        if rec.state in d.final and data.draw(st.booleans(), label="restart"):
            t = self._track(name)
            d, rec = t.definition, t.record
        possible = [ev.name for ev in d.events if rec.state in ev.sources]
        onward = [n for n in possible if any(r.dest not in d.final for r in d.event(n).routes)]
        every = [ev.name for ev in d.events] + ["unknown"]
        # mostly events possible from the state (leading on rather than to an end), by their rightful
        # actor, with the guards holding, so records travel deep into their workflow; else anything goes
        step = data.draw(st.integers(0, 5), label="kind of step")
        choices = (onward or possible) if step < 3 else possible if step < 5 else every
        event = data.draw(st.sampled_from(choices or every), label="event")
        ev = d.event(event)
        if ev is not None and data.draw(st.integers(0, 3), label="stranger") != 3:
            p = data.draw(st.sampled_from(ev.who), label="permission")
            roles = {p.role} | data.draw(st.frozensets(st.sampled_from(ROLES), max_size=2), label="more roles")
            relations = ({p.relation} if p.relation else set()) | data.draw(
                st.frozensets(st.sampled_from(sorted(RELATIONS)), max_size=2), label="more relations"
            )
        else:
            roles = data.draw(st.frozensets(st.sampled_from(ROLES), max_size=3), label="roles")
            relations = data.draw(st.frozensets(st.sampled_from(sorted(RELATIONS)), max_size=3), label="relations")
        actor = Actor(id=data.draw(st.integers(1, 5)), roles=frozenset(roles), relations=frozenset(relations))
        failing = {}
        if data.draw(st.integers(0, 3), label="guards fail") == 3:
            failing = data.draw(
                st.dictionaries(st.sampled_from(GUARD_NAMES), st.integers(0, 4), min_size=1, max_size=3),
                label="failing guards",
            )

        error, result = expected_outcome(d, rec, event, actor, list(failing))
        before = dict(vars(rec))
        try:
            fired = engine_for(d.name).fire(rec, event, actor, context_failing(failing))
        except (InvalidTransition, Forbidden, GuardFailed) as exc:
            assert type(exc) is error, (event, before, actor, failing, exc)
            if error is GuardFailed:
                assert exc.rule == result
            assert vars(rec) == before, "a refused event changed the record"
            return
        assert error is None, f"{event} from {before['state']} succeeded; expected {error.__name__}"
        assert fired.dest == rec.state == result
        assert fired.source == before["state"]
        note(f"reached {d.name}.{rec.state}")
        t.log.append((event, fired.source, fired.dest))
        t.states.append(rec.state)
        # the application layer's effect that the appeal routes read
        if d.name == "application" and event == "appeal":
            rec.appealed_from = fired.source
        elif d.name == "application" and event in ("uphold_appeal", "dismiss_appeal"):
            rec.appealed_from = None

    @invariant()
    def states_follow_the_definition(self):
        for t in self.tracked:
            d = t.definition
            assert t.record.state in d.states
            assert t.record.state == t.states[-1]
            assert len(t.states) == len(t.log) + 1 and t.states[0] == d.initial
            for (event, source, dest), before, after in zip(t.log, t.states[:-1], t.states[1:], strict=True):
                assert (source, dest) == (before, after)
                assert any(r.source == source and r.dest == dest for r in d.event(event).routes)
            if t.log and t.log[-1][2] in d.final:
                assert engine_for(d.name).events_from(t.record.state) == []

    @invariant()
    def no_record_is_bound_to_a_machine(self):
        for name in NAMES:
            assert engine_for(name).machine.models == []


EngineStateMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestEngineStateMachine = EngineStateMachine.TestCase
