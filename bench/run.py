"""``make bench [SCALE=…]``: generate, serve, drive, measure; print the table; write ``bench/results.json``.

    python -m bench.run --scale 0.01

Two databases: large (100,000 × SCALE applications) and small (a hundredth of that), named
``<prefix>_large`` and ``<prefix>_small`` (default prefix ``certflow_bench``), on the PostgreSQL
server of ``--server`` (default: ``$BENCH_PG_URL`` or ``postgres@127.0.0.1:5432``). Each is served
by gunicorn with 2 workers on a free 127.0.0.1 port, both at once, and a separate load-generator
process (``bench.load``) measures the pages on both, side by side, then the transitions on the
large one against the limit endpoint. The transitions are undone afterwards, so ``--reuse`` can
measure the same databases again without generating them anew.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench import report
from bench.database import DEFAULT_SERVER, bench_config, database_url, migrate, recreate
from bench.engine_overhead import engine_us_per_event
from bench.generate import generate, pg_conninfo
from bench.plan import (
    PAGES,
    choose_queue_filter,
    choose_region,
    fixtures,
    logins,
    page_targets,
    restore,
    snapshot,
    transition_requests,
)
from bench.server import Server

HERE = Path(__file__).resolve().parent
FULL_APPLICATIONS = 100_000


def sizes_for(scale: float) -> dict[str, int]:
    """The number of applications of the large and the small database at ``scale``."""
    if scale <= 0:
        raise ValueError("the scale must be above 0")
    large = max(1, round(FULL_APPLICATIONS * scale))
    return {"small": max(1, round(large / 100)), "large": large}


def _applications_in(url: str) -> int | None:
    try:
        with psycopg.connect(pg_conninfo(url), connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM applications").fetchone()[0]
    except psycopg.Error:
        return None


def prepare(url: str, applications: int, reuse: bool) -> dict | None:
    """A migrated database with ``applications`` generated applications; None if an existing one was reused."""
    if reuse and _applications_in(url) == applications:
        migrate(url)  # new migrations (indexes) apply to the reused data
        with psycopg.connect(pg_conninfo(url), autocommit=True) as conn:
            conn.execute("ANALYZE")
        return None
    recreate(url)
    migrate(url)
    return generate(url, applications)


def build_plan(urls: dict, fx: dict, args) -> tuple[dict, dict, list[int]]:
    """(the load generator's plan without servers, pages skipped with their note, applications transitioned)."""
    from certflow import create_app

    app = create_app(bench_config(urls["large"]))
    pages, skipped = [], {}
    for page in PAGES:
        targets = {size: page_targets(app, page, fx[size]) for size in urls}
        if targets["large"] is None:
            skipped[page.name] = f"endpoint {page.endpoint} does not exist in this build"
            continue
        pages.append({"name": page.name, "targets": targets, "warmup": args.warmup, "requests": args.requests})
    if args.only == "transitions":
        pages = []
    real, limit, touched = transition_requests(urls["large"], 0 if args.only == "pages" else args.transitions)
    plan = {
        "deadline_seconds": args.deadline,
        "logins": {size: logins(fx[size]) for size in urls},
        "pages": pages,
        "transitions": {
            "server": "large",
            "concurrency": args.concurrency,
            "rounds": 10,
            "real": real,
            "limit": limit,
        },
    }
    return plan, skipped, touched


def drive(urls: dict, plan: dict) -> dict:
    """Serve both databases and run the load generator against them; its measurements."""
    with tempfile.TemporaryDirectory(prefix="certflow-bench-plan-") as tmp:
        plan_path, out_path = Path(tmp) / "plan.json", Path(tmp) / "measured.json"
        with Server(urls["small"]) as small, Server(urls["large"]) as large:
            plan["servers"] = {"small": small, "large": large}
            plan_path.write_text(json.dumps(plan))
            subprocess.run(
                [sys.executable, "-m", "bench.load", str(plan_path), str(out_path)],
                check=True,
                cwd=HERE.parent,
                timeout=plan["deadline_seconds"] + 120,
            )
        return json.loads(out_path.read_text())


def parse_args(argv=None):
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "1")))
    parser.add_argument("--server", default=os.environ.get("BENCH_PG_URL", DEFAULT_SERVER))
    parser.add_argument("--prefix", default=os.environ.get("BENCH_DB_PREFIX", "certflow_bench"))
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page and size")
    parser.add_argument("--warmup", type=int, default=5, help="requests per page and size before measuring")
    parser.add_argument("--transitions", type=int, default=1000, help="real transitions (and as many limit ones)")
    parser.add_argument("--concurrency", type=int, default=2, help="clients at once for the transitions")
    parser.add_argument("--deadline", type=int, default=900, help="seconds the load generator may run")
    parser.add_argument("--reuse", action="store_true", help="measure existing databases of the right size again")
    parser.add_argument("--only", choices=("all", "pages", "transitions"), default="all", help="what to measure")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    """Run the benchmark; return results.json's content."""
    args = parse_args(argv)
    started = time.perf_counter()
    sizes = sizes_for(args.scale)
    if not args.prefix.startswith("certflow_bench"):
        raise SystemExit("--prefix must start with certflow_bench")
    urls = {size: database_url(args.server, f"{args.prefix}_{size}") for size in sizes}
    generated = {}
    for size in ("large", "small"):
        print(f"preparing {size}: {sizes[size]:,} applications …", flush=True)
        generated[size] = prepare(urls[size], sizes[size], args.reuse)
    province = choose_region(urls["small"], urls["large"])
    fx_large = fixtures(urls["large"], province)
    fx_small = fixtures(urls["small"], province)
    # The same admin, province, dinas and scheme at both sizes (their ids are the same).
    queue = choose_queue_filter(urls["small"], urls["large"], fx_large["province"])
    if queue is not None:
        fx_large["dinas"], fx_large["scheme"] = queue
    shared = {k: fx_large[k] for k in ("province", "admin", "dinas", "scheme", "scheme_code", "state", "per_page")}
    fx = {"large": fx_large, "small": {**fx_small, **shared}}
    plan, skipped, touched = build_plan(urls, fx, args)
    snap = snapshot(urls["large"], touched)
    print(f"measuring {len(plan['pages'])} pages and {len(plan['transitions']['real'])} transitions …", flush=True)
    try:
        measured = drive(urls, plan)
    finally:
        restore(urls["large"], snap)
    print("measuring the engine …", flush=True)
    transitions, transition_details = report.transition_figures(measured.get("transitions"))
    pages, page_details = report.page_rows(measured.get("pages", {}), skipped)
    results = {
        "scale": args.scale,
        "transitions": transitions,
        "pages": pages,
        "engine_us_per_event": engine_us_per_event(),
    }
    details = {
        "sizes": sizes,
        "generated": generated,
        "pages": page_details,
        "transitions": transition_details,
        "truncated": measured.get("truncated", False),
        "machine": report.machine(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    details["targets_met"] = report.targets_met(results)
    out = Path(args.out)
    out.write_text(json.dumps(results, indent=2) + "\n")
    out.with_name(out.stem + ".details.json").write_text(json.dumps(details, indent=2, default=str) + "\n")
    print(report.table(results, details))
    return results


if __name__ == "__main__":
    main()
