"""Benchmark: notifications from the outbox to an SMTP server, through Redis and Celery, on PostgreSQL.

    python bench/notifications.py [--burst 1000] [--steady 200] [--rate 10] [--concurrency 2]

Starts its own redis-server on a spare port, an SMTP server (aiosmtpd) in this process and a
Celery worker (prefork) as a subprocess; uses a fresh PostgreSQL database (``--db-url``, by
default ``certflow_bench_notif`` on the local server). Two runs:

* **burst**: ``--burst`` outbox messages committed in one transaction; throughput is messages
  per second from the commit to the last one accepted by the SMTP server;
* **steady**: ``--steady`` messages committed one per transaction at ``--rate`` per second;
  the delay of each is from just before its commit to its acceptance by the SMTP server.

Prints a table and writes ``bench/notifications.json``. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


class Recorder:
    """An aiosmtpd handler noting when each message (by its X-Certflow-Key) was accepted."""

    def __init__(self):
        self.arrived: dict[str, float] = {}
        self.duplicates = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        now = time.time()
        key = ""
        for line in (envelope.original_content or envelope.content).split(b"\r\n"):
            if line.lower().startswith(b"x-certflow-key:"):
                key = line.split(b":", 1)[1].strip().decode()
                break
            if not line:
                break
        with self.lock:
            if key in self.arrived:
                self.duplicates += 1
            else:
                self.arrived[key] = now
        return "250 OK"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--steady", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--db-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/certflow_bench_notif"),
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "notifications.json"))
    args = parser.parse_args()
    load_at_start = os.getloadavg()  # the machine may be shared: say how busy it was

    import sqlalchemy as sa
    from aiosmtpd.controller import Controller

    url = sa.engine.make_url(args.db_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()

    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"certflow-bench-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    redis_port, recorder = free_port(), Recorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
    procs: list[subprocess.Popen] = []

    def spawn(name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(tmp / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        return proc

    broker = f"redis://127.0.0.1:{redis_port}/0"
    env = dict(
        os.environ,
        DATABASE_URL=url.render_as_string(hide_password=False),
        CELERY_BROKER_URL=broker,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        CERTFLOW_INSTANCE=str(tmp / "instance"),
        OUTBOX_RELAY_AFTER_SECONDS="600",  # measure the direct path, not the relay
    )
    try:
        spawn("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""], env)
        smtp.start()
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "CELERY_BROKER_URL", "CERTFLOW_INSTANCE")})
        from flask_migrate import upgrade

        from certflow import create_app
        from certflow.extensions import db
        from certflow.models import OutboxMessage, User

        app = create_app()
        with app.app_context():
            upgrade()
            users = [User(email=f"bench{i}@example.id", name=f"Bench {i}", locale="id") for i in range(50)]
            db.session.add_all(users)
            db.session.commit()
            user_ids = [u.id for u in users]
        worker = spawn(
            "worker",
            [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--pool=prefork"]
            + [f"--concurrency={args.concurrency}", "--loglevel=warning", "--without-gossip", "--without-mingle"],
            env,
        )
        time.sleep(1)
        assert worker.poll() is None, (tmp / "worker.log").read_text()

        def message(key: str, i: int) -> OutboxMessage:
            return OutboxMessage(
                key=key,
                recipient_id=user_ids[i % len(user_ids)],
                event="submit",
                workflow="application",
                payload={"from": "draft", "to": "submitted"},
            )

        results = {}
        with app.app_context():
            # Warm-up: the worker's processes connect to the database and the SMTP server once.
            for i in range(args.concurrency * 2):
                db.session.add(message(f"bench:warm:{i}", i))
            db.session.commit()
            wait_for(lambda: len(recorder.arrived) >= args.concurrency * 2, 60)

            keys = [f"bench:burst:{i}" for i in range(args.burst)]
            db.session.add_all(message(k, i) for i, k in enumerate(keys))
            db.session.flush()
            started = time.time()
            db.session.commit()  # queues one task per message after the commit
            queued = time.time() - started
            wait_for(lambda: all(k in recorder.arrived for k in keys), 600, 0.2)
            got = [recorder.arrived[k] for k in keys if k in recorder.arrived]
            span = max(got) - started
            delays = [t - started for t in got]
            results["burst"] = {
                "messages": args.burst,
                "delivered": len(got),
                "commit_and_queue_seconds": round(queued, 3),
                "seconds": round(span, 3),
                "per_second": round(len(got) / span, 1),
                "delay_p50_ms": round(percentile(delays, 50) * 1000),
                "delay_p95_ms": round(percentile(delays, 95) * 1000),
            }

            committed: dict[str, float] = {}
            keys = [f"bench:steady:{i}" for i in range(args.steady)]
            t0 = time.time()
            for i, key in enumerate(keys):
                pause = t0 + i / args.rate - time.time()
                if pause > 0:
                    time.sleep(pause)
                db.session.add(message(key, i))
                db.session.flush()
                committed[key] = time.time()
                db.session.commit()
            wait_for(lambda: all(k in recorder.arrived for k in keys), 300, 0.2)
            delays = [recorder.arrived[k] - committed[k] for k in keys if k in recorder.arrived]
            results["steady"] = {
                "messages": args.steady,
                "delivered": len(delays),
                "rate_per_second": args.rate,
                "delay_p50_ms": round(percentile(delays, 50) * 1000),
                "delay_p95_ms": round(percentile(delays, 95) * 1000),
                "delay_max_ms": round(max(delays) * 1000),
                "delay_mean_ms": round(statistics.mean(delays) * 1000),
            }
            sent = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == "sent"))
            db.session.remove()
        results["setup"] = {
            "database": "postgresql",
            "broker": "redis",
            "worker": f"celery prefork, concurrency {args.concurrency}",
            "smtp": "aiosmtpd, same machine; one SMTP connection per message",
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 1) for x in load_at_start],
            "python": platform.python_version(),
            "duplicates": recorder.duplicates,
            "outbox_sent": sent,
        }
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        smtp.stop()

    b, s = results["burst"], results["steady"]
    print()
    print("| run | messages | throughput (msg/s) | delay p50 | delay p95 |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| burst (one commit) | {b['delivered']}/{b['messages']} | {b['per_second']} "
        f"| {b['delay_p50_ms']} ms | {b['delay_p95_ms']} ms |"
    )
    print(
        f"| steady ({s['rate_per_second']:g}/s, one commit each) | {s['delivered']}/{s['messages']} | — "
        f"| {s['delay_p50_ms']} ms | {s['delay_p95_ms']} ms |"
    )
    print(f"\nduplicates: {recorder.duplicates}; {results['setup']['worker']}; logs in {tmp}")
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written: {args.out}")
    ok = b["delivered"] == b["messages"] and s["delivered"] == s["messages"] and recorder.duplicates == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
