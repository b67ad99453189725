"""The engine's own cost: µs per event fired in process, on a plain object, without a database.

The events of the main path (submit → approve → assign_team → start_assessment → recommend →
certify), each with its guards, fired through ``workflows.engine_for("application").fire`` on a
plain object with plain facts; the record goes back to ``draft`` after each round.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from statistics import median
from types import SimpleNamespace

from workflows import Actor, engine_for
from workflows.guards import GuardContext

PATH = ("submit", "approve", "assign_team", "start_assessment", "recommend", "certify")


def _facts():
    today = datetime.now(UTC).date()
    member = SimpleNamespace(
        name="A", active=True, licence_expires=today + timedelta(days=365), schemes={"PS-GEN"}, conflicts=[], load=0
    )
    member.max_load = 5
    return SimpleNamespace(
        apl01_missing=[],
        missing_documents=[],
        unanswered_criteria=0,
        documents_not_valid=[],
        education_field="peksos",
        accepted_education=["peksos", "kesos"],
        practice_hours=2000,
        min_practice_hours=1344,
        team=SimpleNamespace(name="T", scheme_code="PS-GEN", members=[member, member]),
        scheme_code="PS-GEN",
        min_team_size=2,
        conflicted_members=[],
        undeclared_members=[],
        unscored_criteria=0,
        unit_results={"U1": "K", "U2": "K"},
        recommendation="K",
        agreement_unsigned=[],
    )


def engine_us_per_event(events: int = 30_000, repeats: int = 5) -> float:
    """The median over ``repeats`` runs of the µs per event fired, ``events`` events per run."""
    engine = engine_for("application")
    actor = Actor(
        id=1,
        roles=frozenset({"candidate", "dinas_admin", "assessor", "certifier"}),
        relations=frozenset({"owner", "dinas_admin", "team_lead", "independent"}),
    )
    now = datetime.now(UTC)
    ctx = GuardContext(reason="ok", data={"recommendation": "K", "team": 1}, now=now, day=now.date(), facts=_facts())
    record = SimpleNamespace(state="draft", appealed_from=None)
    rounds = max(1, events // len(PATH))
    results = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(rounds):
            record.state = "draft"
            for event in PATH:
                engine.fire(record, event, actor, ctx)
        results.append((time.perf_counter() - started) * 1e6 / (rounds * len(PATH)))
    return round(median(results), 1)
