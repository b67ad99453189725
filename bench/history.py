"""The applications' histories: a path of workflow events to each state, padded to the log's size.

Every generated application reached its state through events the workflow allows, in
order (checked against the engine's definition), so its transition-log rows, version and
timestamps agree with each other as if the real service had written them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cache

from workflows import APPLICATION, engine_for

# Share of applications in each state (every state is present), in percent.
STATE_WEIGHTS = {
    "draft": 10,
    "submitted": 8,
    "revision_requested": 3,
    "eligible": 6,
    "ineligible": 4,
    "team_assigned": 3,
    "in_assessment": 3,
    "assessed": 4,
    "certified": 45,
    "not_yet_competent": 4,
    "under_appeal": 2,
    "withdrawn": 8,
}
_ASSESSED = ["submit", "approve", "assign_team", "start_assessment", "recommend"]
BASE_PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "revision_requested": ["submit", "request_revision"],
    "eligible": ["submit", "approve"],
    "ineligible": ["submit", "reject"],
    "team_assigned": _ASSESSED[:3],
    "in_assessment": _ASSESSED[:4],
    "assessed": _ASSESSED,
    "certified": [*_ASSESSED, "certify"],
    "not_yet_competent": [*_ASSESSED, "decline"],
    "under_appeal": ["submit", "reject", "appeal"],
    "withdrawn": ["submit", "withdraw"],
}
REVISION_CYCLE = ["request_revision", "resubmit"]
LOGS_PER_APPLICATION = 10  # 1,000,000 rows for 100,000 applications
TEAM_STATES = {"team_assigned", "in_assessment", "assessed", "certified", "not_yet_competent"}


@cache
def destination(state: str, event: str) -> str:
    """Where ``event`` takes an application from ``state`` (ValueError if the workflow forbids it)."""
    ev = APPLICATION.event(event)
    if ev is None or event not in engine_for(APPLICATION.name).events_from(state):
        raise ValueError(f"{event} is not possible from {state}")
    routes = [r for r in ev.routes if r.source == state]
    return routes[0].dest


def states(rng: random.Random, n: int) -> list[str]:
    """The state of each of ``n`` applications, drawn with ``STATE_WEIGHTS``; every state at least once."""
    names = list(STATE_WEIGHTS)
    drawn = rng.choices(names, weights=[STATE_WEIGHTS[s] for s in names], k=n)
    # A small run still covers every state; the tiniest still has a certificate and a submission.
    first = ["certified", "submitted", *(s for s in names if s not in ("certified", "submitted"))]
    for i, state in enumerate(first[: min(n, len(first))]):
        drawn[i] = state
    return drawn


def paths(rng: random.Random, final_states: list[str], total_logs: int) -> list[list[str]]:
    """An event path per application reaching its state, padded with revision cycles to ``total_logs`` rows."""
    result = [list(BASE_PATHS[s]) for s in final_states]
    paddable = [i for i, p in enumerate(result) if p]
    missing = max(0, total_logs - sum(len(p) for p in result))
    cycles = missing // len(REVISION_CYCLE)
    if paddable and cycles:
        each, extra = divmod(cycles, len(paddable))
        lucky = set(rng.sample(paddable, extra))
        for i in paddable:
            k = each + (1 if i in lucky else 0)
            if k:
                result[i] = ["submit", *(REVISION_CYCLE * k), *result[i][1:]]
    for state, path in zip(final_states, result, strict=True):
        _check(path, state)
    return result


def _check(path: list[str], final: str) -> None:
    state = APPLICATION.initial
    for event in path:
        state = destination(state, event)
    if state != final:
        raise ValueError(f"path {path} ends in {state}, not {final}")


def timeline(rng: random.Random, now: datetime, steps: int) -> tuple[datetime, list[datetime]]:
    """A creation time within the last six years and ``steps`` increasing event times after it."""
    created = now - timedelta(seconds=rng.uniform(86400, 6 * 365 * 86400))
    span = (now - created).total_seconds() * 0.95
    offsets = sorted(rng.uniform(0, span) for _ in range(steps))
    return created, [created + timedelta(seconds=s) for s in offsets]
