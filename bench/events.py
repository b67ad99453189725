"""The assessment event's benchmark (``make bench-events``): placing 40 candidates on a schedule and the
plenary decision of 40 lines, at a small database and at 100 times its data (PostgreSQL).

For each size: a fresh database (``CERTFLOW_BENCH_EVENTS_PG_URL``, default ``certflow_test_plenary_bench``),
filled with ``FILLER`` candidates and applications (× 100 for the large one), then 40 candidates
brought to ``eligible``; timed: the 40 placements (the application's ``assign_team`` with the schedule's
team, in one transaction) and, once they are assessed and the schedule reported, ``record_plenary`` of
40 lines (certificates issued). Writes time ratios and statements per candidate to ``bench/events.json``.
Targets: each within 1.5× at 100× the data; statements per candidate the same at both sizes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

URL = os.environ.get(
    "CERTFLOW_BENCH_EVENTS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/certflow_test_plenary_bench"
)
FILLER = int(os.environ.get("CERTFLOW_BENCH_EVENTS_FILLER", "300"))
CANDIDATES = 40
OUT = Path(__file__).resolve().parent / "events.json"


def _fresh_database(url: str) -> None:
    admin_url = sa.engine.make_url(url).set(database="postgres")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(url).database
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


class _Counter:
    def __init__(self, engine):
        self.n = 0
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args, **_kwargs):
        self.n += 1


def _fill(db, world, count: int) -> None:
    """``count`` more candidates, each with a draft application, in bulk."""
    from certflow.models import Application, User

    users = sa.inspect(User).local_table
    apps = sa.inspect(Application).local_table
    template = dict(db.session.execute(sa.select(users).where(users.c.id == world.other_candidate.id)).mappings().one())
    roles = sa.Table("user_roles", db.metadata)
    for start in range(0, count, 5000):
        size = min(5000, count - start)
        rows = [
            {**{k: v for k, v in template.items() if k != "id"}, "email": f"filler{start + i}@example.id"}
            for i in range(size)
        ]
        ids = db.session.execute(sa.insert(users).returning(users.c.id), rows).scalars().all()
        db.session.execute(sa.insert(roles), [{"user_id": i, "role": "candidate"} for i in ids])
        db.session.execute(
            sa.insert(apps),
            [
                {
                    "candidate_id": i,
                    "scheme_id": world.scheme.id,
                    "dinas_id": world.bintan.id,
                    "state": "draft",
                    "apl01": {},
                }
                for i in ids
            ],
        )
    db.session.commit()


def run_size(filler: int) -> dict:
    from flask_migrate import upgrade

    from certflow import create_app
    from certflow.core.transaction import unit_of_work
    from certflow.extensions import db
    from certflow.models import Schedule, Venue
    from certflow.schedules.plenary import record_plenary
    from config import TestConfig
    from tests.factories import World, make_user

    _fresh_database(URL)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = URL
        OUTBOX_DISPATCH = False

    app = create_app(Config)
    with app.app_context():
        upgrade()
        w = World.build()
        w.scheme.max_load = 1000
        w.lead.max_load = w.member.max_load = 1000
        db.session.commit()
        _fill(db, w, filler)
        from datetime import timedelta

        from certflow import clock

        venue = Venue(dinas_id=w.batam.id, name="TUK Batam", kind="sewaktu", address="Jl. 1", capacity=40)
        db.session.add(venue)
        db.session.flush()
        schedule = Schedule(
            dinas_id=w.batam.id,
            scheme_id=w.scheme.id,
            venue_id=venue.id,
            team_id=w.team.id,
            starts_at=clock.now() + timedelta(days=7),
            quota_min=1,
            quota_max=CANDIDATES,
            registration_closes=clock.today() + timedelta(days=3),
            state="open",
        )
        db.session.add(schedule)
        db.session.commit()
        profile = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
        apps = []
        for n in range(CANDIDATES):
            app_ = w.new_application(make_user("candidate", w.batam, name=f"Calon {n}", **profile))
            w.advance(app_, "eligible")
            apps.append(app_)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.session.expire_all()

        from certflow.applications.workflow import fire_application_event

        counter = _Counter(db.engine)
        start, before = time.perf_counter(), counter.n
        with unit_of_work():
            for app_ in apps:
                fire_application_event(app_, "assign_team", w.admin_kepri, data={"team": w.team.id})
                app_.schedule_id = schedule.id
        placing = time.perf_counter() - start, counter.n - before

        for app_ in apps:
            w.declare(app_)
            w.fire(app_, "start_assessment", w.lead.user)
            w.score_all(app_, w.lead)
            w.fire(app_, "recommend", w.lead.user, data={"recommendation": "K"})
        schedule.state = "reported"
        schedule.report_notes = "Berjalan lancar."
        schedule.attendance_recorded_at = clock.now()
        db.session.commit()
        db.session.expire_all()
        lines = [{"application": a.id, "decision": "K"} for a in apps]
        schedule = db.session.get(Schedule, schedule.id)
        start, before = time.perf_counter(), counter.n
        with unit_of_work():
            record_plenary(schedule, w.certifier, "SK/BENCH/1", "2026-12-01", [w.certifier.id], lines)
        plenary = time.perf_counter() - start, counter.n - before
        applications = db.session.scalar(sa.text("SELECT count(*) FROM applications"))
        db.session.remove()
    return {
        "applications": applications,
        "placing_seconds": round(placing[0], 3),
        "placing_statements_per_candidate": round(placing[1] / CANDIDATES, 2),
        "plenary_seconds": round(plenary[0], 3),
        "plenary_statements_per_candidate": round(plenary[1] / CANDIDATES, 2),
    }


def main() -> None:
    small = run_size(FILLER)
    large = run_size(FILLER * 100)
    result = {
        "candidates": CANDIDATES,
        "small": small,
        "large": large,
        "placing_time_ratio": round(large["placing_seconds"] / small["placing_seconds"], 2),
        "plenary_time_ratio": round(large["plenary_seconds"] / small["plenary_seconds"], 2),
        "targets": "each time ratio within 1.5; statements per candidate equal at both sizes",
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
