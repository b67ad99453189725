"""The team-proposal service path at province scale (``python -m bench.proposals_service``, PostgreSQL).

``bench.proposals`` times the optimiser alone; this times what a province admin's click costs: a fresh
database (``CERTFLOW_BENCH_PROPOSALS_PG_URL``, default ``certflow_test_proposals_bench``) with a province of
18 kab/kota, **1,000 eligible candidates** spread over them and **300 assessors** licensed for the scheme
(every dinas, load cap 10), then
- ``proposals.propose`` for all 1,000 (scope, pool, loads, completed counts, conflicts, the optimiser,
  the reasons) — the page's and the API's proposal, target < 5 s;
- accepting every proposed team in one ``unit_of_work`` (``proposal_accept.accept``: each team formed by
  the composition rules, each candidate assigned by ``assign_team`` with all its guards).
Statements are counted for both. Writes ``bench/proposals_service.json``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

URL = os.environ.get(
    "CERTFLOW_BENCH_PROPOSALS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/certflow_test_proposals_bench"
)
CANDIDATES = int(os.environ.get("CERTFLOW_BENCH_PROPOSALS_CANDIDATES", "1000"))
ASSESSORS = int(os.environ.get("CERTFLOW_BENCH_PROPOSALS_ASSESSORS", "300"))
TARGET_SECONDS = 5.0
OUT = Path(__file__).resolve().parent / "proposals_service.json"


def _fill(db, w, rng) -> list[int]:
    """18 kab/kota, the assessors and the eligible candidates, inserted in bulk; the applications' ids."""
    from certflow import clock
    from certflow.models import Application, Assessor, AssessorScheme, User
    from tests.factories import make_dinas

    areas = [make_dinas(w.kepri, "kabupaten", f"Bench {i}") for i in range(18)]
    db.session.flush()
    dinas = [d.id for d in areas] + [w.dinas_kepri.id]
    users = sa.inspect(User).local_table
    roles = sa.Table("user_roles", db.metadata)
    template = dict(db.session.execute(sa.select(users).where(users.c.id == w.other_candidate.id)).mappings().one())

    def people(prefix: str, count: int, where: list[int], role: str) -> list[tuple[int, int]]:
        rows = [
            {
                **{k: v for k, v in template.items() if k != "id"},
                "email": f"{prefix}{i}@example.id",
                "name": f"{prefix.title()} {i}",
                "dinas_id": rng.choice(where),
            }
            for i in range(count)
        ]
        made = db.session.execute(sa.insert(users).returning(users.c.id, users.c.dinas_id), rows).all()
        db.session.execute(sa.insert(roles), [{"user_id": i, "role": role} for i, _ in made])
        return [(i, d) for i, d in made]

    expires = clock.today() + timedelta(days=365)
    for user_id, dinas_id in people("asesor", ASSESSORS, dinas, "assessor"):
        assessor = Assessor(
            user_id=user_id, dinas_id=dinas_id, licence_number=f"LIC-B{user_id}", licence_expires=expires, max_load=10
        )
        db.session.add(assessor)
        db.session.flush()
        db.session.add(AssessorScheme(assessor_id=assessor.id, scheme_id=w.scheme.id))
    apps = sa.inspect(Application).local_table
    rows = [
        {
            "candidate_id": user_id,
            "scheme_id": w.scheme.id,
            "dinas_id": dinas_id,
            "state": "eligible",
            "apl01": {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000},
        }
        for user_id, dinas_id in people("calon", CANDIDATES, dinas[:-1], "candidate")
    ]
    ids = db.session.execute(sa.insert(apps).returning(apps.c.id), rows).scalars().all()
    db.session.commit()
    return list(ids)


def main() -> None:
    from flask_migrate import upgrade

    from bench.events import _Counter, _fresh_database
    from certflow import create_app
    from certflow.assessment import proposal_accept, proposals
    from certflow.core.transaction import unit_of_work
    from certflow.extensions import db
    from config import TestConfig
    from tests.factories import World

    _fresh_database(URL)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = URL
        OUTBOX_DISPATCH = False

    app = create_app(Config)
    with app.app_context():
        upgrade()
        w = World.build()
        w.scheme.max_load = 10
        db.session.commit()
        ids = _fill(db, w, random.Random(12))
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.session.expire_all()
        admin = db.session.get(type(w.admin_kepri), w.admin_kepri.id)
        counter = _Counter(db.engine)

        start, before = time.perf_counter(), counter.n
        proposal = proposals.propose(admin, {"scheme": w.scheme.code, "applications": ids})
        propose = time.perf_counter() - start, counter.n - before
        teams = [
            {
                "lead": t.lead.id,
                "members": [m.assessor.id for m in t.members],
                "applications": [a.id for a in t.applications],
            }
            for t in proposal.teams
        ]
        db.session.rollback()  # nothing was written; a fresh transaction for the accept

        start, before = time.perf_counter(), counter.n
        with unit_of_work():
            created = proposal_accept.accept(admin, {"teams": teams})
        accept = time.perf_counter() - start, counter.n - before
        assigned = db.session.scalar(sa.text("SELECT count(*) FROM applications WHERE state = 'team_assigned'"))
        db.session.remove()
    result = {
        "candidates": CANDIDATES,
        "assessors": ASSESSORS,
        "propose_seconds": round(propose[0], 3),
        "propose_statements": propose[1],
        "teams": len(teams),
        "unassigned": len(proposal.unassigned),
        "optimal": proposal.optimal,
        "accept_seconds": round(accept[0], 3),
        "accept_statements_per_candidate": round(accept[1] / max(assigned, 1), 2),
        "teams_formed": len(created),
        "assigned": assigned,
        "propose_within_target": propose[0] < TARGET_SECONDS,
        "target": "propose < 5 s for 1,000 candidates and 300 assessors",
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
