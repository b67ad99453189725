"""Over random pools and candidates, every proposed team passes the assign_team guards when accepted."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certflow import clock
from certflow.assessment import proposal_accept, proposals
from certflow.extensions import db
from certflow.models import Application, AssessorRelation
from tests.factories import make_assessor, make_user

PROFILE = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}


def _eligible(world, dinas):
    candidate = make_user("candidate", dinas, **PROFILE)
    app = Application(candidate=candidate, scheme=world.scheme, dinas=dinas, state="eligible")
    db.session.add(app)
    db.session.flush()
    return app


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    assessors=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3), st.booleans()), max_size=6),
    candidates=st.lists(st.integers(1, 3), min_size=1, max_size=6),
    relations=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=3),
)
def test_every_proposed_team_passes_the_guards(world, assessors, candidates, relations):
    dinas = [world.dinas_kepri, world.batam, world.bintan, world.dinas_kepri]
    try:
        pool = [
            make_assessor(
                dinas[d],
                [world.scheme],
                max_load=cap,
                expires=clock.today() + timedelta(days=30 if valid else -1),
            )
            for d, cap, valid in assessors
        ]
        apps = [_eligible(world, dinas[d]) for d in candidates]
        for a, c in set(relations):  # a relation is declared once per assessor and candidate
            if a < len(pool) and c < len(apps):
                db.session.add(AssessorRelation(assessor_id=pool[a].id, user_id=apps[c].candidate_id))
        db.session.flush()
        proposal = proposals.propose(world.admin_kepri, {"scheme": "PSG", "applications": [a.id for a in apps]})
        teams = [
            {
                "lead": t.lead.id,
                "members": [m.assessor.id for m in t.members],
                "applications": [a.id for a in t.applications],
            }
            for t in proposal.teams
        ]
        if teams:
            created = proposal_accept.accept(world.admin_kepri, {"teams": teams})  # raises on any guard
            assert len(created) == len(teams)
        assigned = {a.id for t in proposal.teams for a in t.applications}
        assert assigned | {a.id for a, _ in proposal.unassigned} == {a.id for a in apps}
    finally:
        db.session.rollback()
