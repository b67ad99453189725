"""Python calls per transition, in process: ``python -m bench.calls [--url …] [--count 50]``.

Deterministic where timings are not: the Flask test client sends ``POST …/events`` (``reject``,
by the province's dinas admin, as ``make bench`` does) to submitted applications of a benchmark
database, and the limit endpoint likewise, each under ``cProfile``; the mean number of function
calls per request (Python and C) is printed, with the SQL statements of one request and the
heaviest functions by own calls (``--top``). The applications are put back afterwards
(``bench.plan.snapshot``/``restore``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.database import DEFAULT_SERVER, bench_config, database_url
from bench.plan import TRANSITION_EVENT, restore, snapshot, transition_requests


def _calls(client, requests: list[dict], top: int) -> tuple[float, list[str]]:
    """(mean calls per request, the ``top`` functions by own calls) over ``requests`` (the first warms the caches)."""
    client.post(requests[0]["path"], json=TRANSITION_EVENT, headers=_auth(requests[0]))
    profile = cProfile.Profile()
    for req in requests[1:]:
        profile.enable()
        response = client.post(req["path"], json=TRANSITION_EVENT, headers=_auth(req))
        profile.disable()
        assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
    stats = pstats.Stats(profile)
    n = len(requests) - 1
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][1])[:top]
    heaviest = [f"{calls / n:8.1f}  {pstats.func_std_string(func)}" for func, (_, calls, *_rest) in rows]
    return stats.total_calls / n, heaviest


def _statements(client, req: dict) -> int:
    """The SQL statements of one request (counted after all profiling: a listener, once added, costs calls)."""
    seen = [0]

    def count(*_args):
        seen[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    try:
        client.post(req["path"], json=TRANSITION_EVENT, headers=_auth(req))
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return seen[0]


def _auth(req: dict) -> dict:
    return {"Authorization": f"Bearer {req['token']}"} if req.get("token") else {}


def main(argv=None) -> dict:
    """Measure; print and return the calls per request of each endpoint."""
    parser = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__.split("\n\n")[0])
    server = os.environ.get("BENCH_PG_URL", DEFAULT_SERVER)
    prefix = os.environ.get("BENCH_DB_PREFIX", "certflow_bench")
    parser.add_argument("--url", default=database_url(server, f"{prefix}_large"))
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--top", type=int, default=0)
    args = parser.parse_args(argv)

    from bench.app import create_app

    os.environ["BENCH_LIMIT_ENDPOINT"] = "true"
    app = create_app(bench_config(args.url))
    app.config["RATELIMIT_ENABLED"] = False
    real, limit, touched = transition_requests(args.url, args.count + 2)
    snap = snapshot(args.url, touched)
    result = {}
    try:
        client = app.test_client()
        for name, requests in (("events", real), ("limit", limit)):
            mean, heaviest = _calls(client, requests[:-1], args.top)
            result[name] = round(mean)
            print(f"{name}: {mean:,.0f} calls per request")
            for line in heaviest:
                print("   ", line)
        for name, requests in (("events", real), ("limit", limit)):
            print(f"{name}: {_statements(client, requests[-1])} SQL statements")
    finally:
        restore(args.url, snap)
    return result


if __name__ == "__main__":
    main()
