"""The benchmark (bench/) at a tiny scale, so it never rots: its instruments, its data, its whole run.

The instruments (the statement counter and the limit endpoint) run on the test database; the
generator and the whole run (gunicorn servers, the load generator) need PostgreSQL and use
databases of their own, named ``certflow_bench_ci…`` after the test database, dropped afterwards.
"""

from __future__ import annotations

import json
from collections import Counter
from statistics import median

import pytest
import sqlalchemy as sa

from bench.app import STATEMENTS_HEADER
from bench.app import create_app as create_bench_app
from bench.database import database_url, migrate, recreate
from bench.engine_overhead import engine_us_per_event
from bench.generate import generate, pg_conninfo
from certflow.extensions import db as _db
from certflow.models import OutboxMessage, TransitionLog
from tests.conftest import DB_KIND, PG_URL, _pg_admin_url, pg_available, require_service
from workflows import APPLICATION

RESULT_KEYS = {"scale", "transitions", "pages", "engine_us_per_event"}
TRANSITION_KEYS = {"per_second", "limit_per_second", "ratio", "p50_ms", "p95_ms"}
PAGE_KEYS = {"name", "p95_ms_small", "p95_ms_large", "ratio", "statements_small", "statements_large"}


def _bench_app(app, monkeypatch, **flags):
    for name in ("BENCH_COUNT_STATEMENTS", "BENCH_LIMIT_ENDPOINT"):
        monkeypatch.setenv(name, "true" if flags.get(name) else "false")
    config = type("BenchTestConfig", (), {k: v for k, v in app.config.items() if k.isupper()})
    return create_bench_app(config)


def test_the_instruments_exist_only_when_their_flags_are_on(app, db, monkeypatch):
    plain = _bench_app(app, monkeypatch)
    assert "bench_limit.limit" not in plain.view_functions
    response = plain.test_client().get("/verify")
    assert response.status_code == 200 and STATEMENTS_HEADER not in response.headers

    instrumented = _bench_app(app, monkeypatch, BENCH_COUNT_STATEMENTS=True, BENCH_LIMIT_ENDPOINT=True)
    assert "bench_limit.limit" in instrumented.view_functions
    response = instrumented.test_client().get("/verify/NO-SUCH-NUMBER")
    assert response.status_code == 404 and response.headers[STATEMENTS_HEADER] == "1"


def test_the_limit_endpoint_writes_a_transition_with_three_statements(app, db, world, monkeypatch):
    bench = _bench_app(app, monkeypatch, BENCH_COUNT_STATEMENTS=True, BENCH_LIMIT_ENDPOINT=True)
    application = world.new_application()
    world.advance(application, "submitted")
    version = application.version
    db.session.commit()
    client = bench.test_client()
    response = client.post(f"/bench/limit/{application.id}", json={"event": "reject", "reason": "limit"})
    again = client.post(f"/bench/limit/{application.id}", json={"event": "reject", "reason": "limit"})
    assert response.status_code == 200, response.text
    assert response.headers[STATEMENTS_HEADER] == "3"  # UPDATE, INSERT log, INSERT outbox (then COMMIT)
    assert again.status_code == 409  # the state is checked like the real transition's
    db.session.expire_all()
    assert (application.state, application.version) == ("ineligible", version + 1)
    log = db.session.scalars(sa.select(TransitionLog).order_by(TransitionLog.id.desc())).first()
    assert (log.event, log.from_state, log.to_state, log.application_id) == (
        "reject",
        "submitted",
        "ineligible",
        application.id,
    )
    outbox = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.key == f"transition:{log.id}:{application.candidate_id}")
    )
    assert outbox is not None and outbox.recipient_id == application.candidate_id


def test_the_engine_overhead_is_measured_in_process():
    us = engine_us_per_event(events=600, repeats=1)
    assert 0 < us < 10_000


# -- on PostgreSQL: the generator and the whole run ------------------------------------------------
def _bench_prefix() -> str:
    name = sa.engine.make_url(PG_URL).database or "certflow_test"
    suffix = name[len("certflow_test") :] if name.startswith("certflow_test") else "_" + name
    return f"certflow_bench_ci{suffix}"


@pytest.fixture()
def postgresql_only():
    if DB_KIND != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (the PostgreSQL pass runs it)")
    require_service(pg_available(), "PostgreSQL")


def _drop(*names: str) -> None:
    admin = sa.create_engine(_pg_admin_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_the_generator_writes_consistent_histories_with_copy(postgresql_only, app):
    import psycopg

    name = _bench_prefix() + "_gen"
    url = database_url(PG_URL, name)
    try:
        recreate(url)
        migrate(url)
        made = generate(url, 240)
        with psycopg.connect(pg_conninfo(url)) as conn:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            assert one("SELECT count(*) FROM provinces") == 38
            assert one("SELECT count(*) FROM dinas WHERE kind <> 'provinsi'") == 514
            assert one("SELECT count(*) FROM applications") == 240
            states = dict(conn.execute("SELECT state, count(*) FROM applications GROUP BY state").fetchall())
            assert set(states) == set(APPLICATION.states)
            assert one("SELECT count(*) FROM transition_logs") == 2400 == made["rows"]["transition_logs"]
            assert one("SELECT count(*) FROM certificates") == states["certified"]
            # Every history leads, transition by transition, to the application's state and version.
            apps = {a: (s, v) for a, s, v in conn.execute("SELECT id, state, version FROM applications")}
            paths: dict[int, list] = {a: [] for a in apps}
            for app_id, source, dest in conn.execute(
                "SELECT application_id, from_state, to_state FROM transition_logs ORDER BY application_id, at, id"
            ):
                paths[app_id].append((source, dest))
            for app_id, steps in paths.items():
                state = APPLICATION.initial
                for source, dest in steps:
                    assert source == state, (app_id, steps)
                    state = dest
                assert (state, len(steps) + 1) == apps[app_id]
            assert Counter(s for s, _ in apps.values())["certified"] == states["certified"]
        _medians_agree(app, url)
    finally:
        _drop(name)


def _medians_agree(app, url: str) -> None:
    """PostgreSQL's medians equal the ones added up in Python, on generated histories."""
    from certflow import clock
    from certflow.reports import medians

    config = type("GeneratedDb", (), {**{k: v for k, v in app.config.items() if k.isupper()}})
    config.SQLALCHEMY_DATABASE_URI = url
    from certflow import create_app

    other = create_app(config)
    with other.app_context():
        try:
            now = clock.now()
            for scope, scheme in ((None, None), ([1, 2, 3, 9, 40], None), (None, 1)):
                in_db = medians._in_database(scope, scheme, now)
                in_python = medians._in_python(scope, scheme, now)
                assert {s: median(v) for s, v in in_db.items()} == {s: median(v) for s, v in in_python.items()}
        finally:
            _db.session.remove()
            _db.engine.dispose()


def test_the_whole_benchmark_at_a_tiny_scale(postgresql_only, tmp_path):
    from bench.run import main

    prefix = _bench_prefix()
    out = tmp_path / "results.json"
    try:
        results = main(
            [
                "--scale",
                "0.003",
                "--server",
                PG_URL,
                "--prefix",
                prefix,
                "--requests",
                "3",
                "--warmup",
                "1",
                "--transitions",
                "6",
                "--deadline",
                "120",
                "--out",
                str(out),
            ]
        )
    finally:
        _drop(f"{prefix}_small", f"{prefix}_large")
    written = json.loads(out.read_text())
    assert written == results
    assert set(written) == RESULT_KEYS and written["scale"] == 0.003
    assert set(written["transitions"]) == TRANSITION_KEYS
    assert written["transitions"]["per_second"] > 0 and written["transitions"]["limit_per_second"] > 0
    assert written["pages"] and all(set(p) == PAGE_KEYS for p in written["pages"])
    for page in written["pages"]:
        assert page["p95_ms_small"] > 0 and page["p95_ms_large"] > 0, page
        assert isinstance(page["statements_large"], int), page
    assert written["engine_us_per_event"] > 0
    details = json.loads((tmp_path / "results.details.json").read_text())
    assert details["sizes"] == {"small": 3, "large": 300}
    assert all(set(p.get("statuses", [200])) == {200} for p in details["pages"]), details["pages"]
    assert details["transitions"]["errors"] == 0 and details["transitions"]["limit_errors"] == 0
