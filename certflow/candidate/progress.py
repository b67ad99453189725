"""Where an application stands on its workflow, read from the workflow definition alone.

The *main path* of a workflow is the shortest route from its initial state to the final
state farthest from it — for applications: draft → submitted → eligible → team_assigned →
in_assessment → assessed → certified. Every other state is a *side state* (revision
requested, ineligible, not yet competent, under appeal, withdrawn): a progress view shows
one only where the application has turned off the main path, after the step it turned
off from. A new state or event in ``workflows.definitions`` changes these views with no
change here. (The public scheme pages use the same functions.)
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cache

from workflows.definitions import Definition


@dataclass(frozen=True)
class Step:
    """One step of a progress view.

    ``status``: ``done`` (passed), ``current``, ``upcoming``, ``stopped`` (not reached: the
    application ended elsewhere) or ``passed`` (a side state gone through on the way here).
    """

    state: str
    status: str
    side: bool = False


@dataclass(frozen=True)
class SideState:
    """A state off the main path: the (state, event) pairs leading into it, and the (event, state) pairs out."""

    state: str
    entered_from: tuple[tuple[str, str], ...]
    leads_to: tuple[tuple[str, str], ...]


def _edges(definition: Definition) -> list[tuple[str, str, str]]:
    """(source, event, dest) of every route, in the definition's order."""
    return [(r.source, ev.name, r.dest) for ev in definition.events for r in ev.routes]


@cache
def main_path(definition: Definition) -> tuple[str, ...]:
    """The states of the main path, in order (breadth-first, so the route is the shortest one)."""
    parent: dict[str, str | None] = {definition.initial: None}
    depth = {definition.initial: 0}
    queue = deque([definition.initial])
    edges = _edges(definition)
    while queue:
        state = queue.popleft()
        for source, _event, dest in edges:
            if source == state and dest not in parent:
                parent[dest], depth[dest] = state, depth[state] + 1
                queue.append(dest)
    goals = [s for s in definition.final if s in depth] or list(depth)
    goal = max(goals, key=lambda s: depth[s])  # the first of the farthest, in the definition's order
    path = [goal]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return tuple(reversed(path))


@cache
def side_states(definition: Definition) -> tuple[SideState, ...]:
    """Every state off the main path, in the definition's order, with the ways in and out of it."""
    path = set(main_path(definition))
    edges = _edges(definition)
    result = []
    for state in definition.states:
        if state in path:
            continue
        into = tuple(dict.fromkeys((s, e) for s, e, d in edges if d == state and s != state))
        out = tuple(dict.fromkeys((e, d) for s, e, d in edges if s == state and d != state))
        result.append(SideState(state, into, out))
    return tuple(result)


def _anchor_from_definition(definition: Definition, state: str) -> tuple[str, list[str]]:
    """Without a history: the nearest main-path state leading to ``state``, and the side states between."""
    path = set(main_path(definition))
    edges = _edges(definition)
    seen, queue = {state: []}, deque([state])
    while queue:
        current = queue.popleft()
        for source, _event, dest in edges:
            if dest != current or source in seen:
                continue
            if source in path:
                return source, seen[current]
            seen[source] = [source, *seen[current]]
            queue.append(source)
    return definition.initial, []


def anchor(definition: Definition, state: str, visited: list[str]) -> tuple[str, list[str]]:
    """The main-path state an application in side state ``state`` turned off from, and the side states since.

    ``visited`` is every state the application has been in, oldest first, ending with ``state``
    (from its transition log); without it, the definition decides.
    """
    path = set(main_path(definition))
    if not visited or visited[-1] != state:
        return _anchor_from_definition(definition, state)
    between: list[str] = []
    for earlier in reversed(visited[:-1]):
        if earlier in path:
            return earlier, between
        if earlier != state and earlier not in between:
            between.insert(0, earlier)
    return _anchor_from_definition(definition, state)


def progress(definition: Definition, state: str, visited: list[str] | None = None) -> list[Step]:
    """The progress view of a record in ``state``: the main path, with the side states it is in, if any."""
    path = main_path(definition)
    if state in path:
        at = path.index(state)
        return [Step(s, "done" if i < at else "current" if i == at else "upcoming") for i, s in enumerate(path)]
    turned_at, between = anchor(definition, state, visited or [])
    at = path.index(turned_at)
    later = "stopped" if state in definition.final else "upcoming"
    steps: list[Step] = []
    for i, s in enumerate(path):
        steps.append(Step(s, "done" if i <= at else later))
        if i == at:
            steps += [Step(b, "passed", side=True) for b in between]
            steps.append(Step(state, "current", side=True))
    return steps


def visited_states(initial: str, logs) -> list[str]:
    """Every state a record has been in, oldest first, from its transition-log rows (oldest first)."""
    if not logs:
        return [initial]
    return [logs[0].from_state, *(log.to_state for log in logs)]
