"""The engine: one shared ``transitions`` Machine per workflow definition.

Records are never added to the Machine (``model=None``): an event is fired on
a record by triggering the Machine's event with the record as the model, so
the same Machine serves every record of every process. Before the Machine
moves the record, the engine checks, in order:

1. the event exists from the record's state — else ``InvalidTransition``;
2. the actor has a role allowed to fire it *and* that role's relation to the
   record — else ``Forbidden``;
3. every guard holds — else ``GuardFailed`` naming the rule.

Persisting the change (state, version, log, outbox) is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transitions import Machine

from workflows.definitions import DEFINITIONS, Definition, EventDef
from workflows.guards import GUARDS, Failure, GuardContext, Msg


class WorkflowError(Exception):
    """An event that may not happen; ``code`` is the API error code."""

    code = "workflow_error"

    def __init__(self, message: Msg, params: dict[str, Any] | None = None):
        super().__init__(message % (params or {}) if params else message)
        self.message = message
        self.params = params or {}


class InvalidTransition(WorkflowError):
    """The event is unknown or not possible from the record's current state."""

    code = "invalid_transition"


class Forbidden(WorkflowError):
    """The actor's roles or relation to the record do not allow the event."""

    code = "forbidden"


class GuardFailed(WorkflowError):
    """A guard does not hold; ``rule`` names it."""

    code = "guard_failed"

    def __init__(self, failure: Failure):
        super().__init__(failure.message, failure.params)
        self.rule = failure.rule


@dataclass(frozen=True)
class Actor:
    """Who fires an event: their id, roles, and relations to this record."""

    id: int | None
    roles: frozenset[str] = field(default_factory=frozenset)
    relations: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls) -> Actor:
        """The scheduler, acting for no person."""
        return cls(id=None, roles=frozenset({"system"}))


@dataclass(frozen=True)
class Fired:
    """The outcome of a fired event."""

    event: str
    source: str
    dest: str
    notify: tuple[str, ...]
    workflow: str
    version: int
    effect: str | None = None


def _when(attribute: str, value: str) -> Callable[[Any], bool]:
    def condition(event_data) -> bool:
        return getattr(event_data.model, attribute, None) == value

    return condition


class Engine:
    """Runs one workflow definition for any number of records."""

    def __init__(self, definition: Definition, guards: dict[str, Callable] = GUARDS):
        unknown = {g for ev in definition.events for g in ev.guards} - set(guards)
        if unknown:
            raise ValueError(f"{definition.name}: unknown guards {sorted(unknown)}")
        states = set(definition.states)
        for ev in definition.events:
            for route in ev.routes:
                if route.source not in states or route.dest not in states:
                    raise ValueError(f"{definition.name}.{ev.name}: unknown state in {route}")
        self.definition = definition
        self.guards = guards
        self.machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
            name=definition.name,
        )
        for ev in definition.events:
            for route in ev.routes:
                conditions = [_when(*route.when)] if route.when else []
                self.machine.add_transition(ev.name, route.source, route.dest, conditions=conditions)
        self._events = {ev.name: ev for ev in definition.events}
        self._sources = {ev.name: frozenset(ev.sources) for ev in definition.events}
        self._by_state = {s: tuple(ev for ev in definition.events if s in self._sources[ev.name]) for s in states}

    @staticmethod
    def permitted(ev: EventDef, actor: Actor) -> bool:
        """Whether the actor's roles and relations allow the event (state aside)."""
        return any(p.role in actor.roles and (p.relation is None or p.relation in actor.relations) for p in ev.who)

    def allowed_events(
        self, state: str, actor: Actor, ctx: GuardContext | None = None, checked: Iterable[str] = ()
    ) -> list[str]:
        """The events this actor may fire from ``state``; guards are checked on firing.

        ``checked``: guards evaluated now against ``ctx`` (those of the record's own standing, such as
        a complete form, that need no event input): an event one of them refuses is not listed.
        """
        checked = frozenset(checked) if ctx is not None else frozenset()
        return [
            ev.name
            for ev in self._by_state.get(state, ())
            if self.permitted(ev, actor) and not any(self.guards[g](ctx) for g in ev.guards if g in checked)
        ]

    def events_from(self, state: str) -> list[str]:
        """Every event possible from ``state``, whoever fires it."""
        return [ev.name for ev in self._by_state.get(state, ())]

    def check(self, state: str, event: str, actor: Actor, ctx: GuardContext) -> EventDef:
        """Raise the first reason the event may not be fired; return its definition."""
        ev = self._events.get(event)
        if ev is None or state not in self._sources[event]:
            raise InvalidTransition(
                Msg("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": state}
            )
        if not self.permitted(ev, actor):
            raise Forbidden(Msg("You may not do %(event)s on this record."), {"event": event})
        for name in ev.guards:
            failure = self.guards[name](ctx)
            if failure is not None:
                raise GuardFailed(failure)
        return ev

    def fire(self, subject: Any, event: str, actor: Actor, ctx: GuardContext) -> Fired:
        """Check the event, then move ``subject.state`` with the shared Machine."""
        source = subject.state
        ev = self.check(source, event, actor, ctx)
        if not self.machine.events[event].trigger(subject, ctx):
            raise InvalidTransition(
                Msg("Event %(event)s is not possible from state %(state)s."), {"event": event, "state": source}
            )
        return Fired(event, source, subject.state, ev.notify, self.definition.name, self.definition.version, ev.effect)

    def reachable(self) -> set[str]:
        """Every state reachable from the initial state (for checking definitions)."""
        seen, todo = {self.definition.initial}, [self.definition.initial]
        while todo:
            state = todo.pop()
            for ev in self._by_state.get(state, ()):
                for route in ev.routes:
                    if route.source == state and route.dest not in seen:
                        seen.add(route.dest)
                        todo.append(route.dest)
        return seen


@cache
def engine_for(name: str) -> Engine:
    """The one shared engine (and Machine) of the workflow called ``name``."""
    return Engine(DEFINITIONS[name])


def all_engines() -> Iterable[Engine]:
    """The engines of every workflow."""
    return (engine_for(name) for name in DEFINITIONS)
