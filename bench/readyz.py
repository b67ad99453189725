"""How fast ``/readyz`` answers when everything is up (target: within 50 ms).

Usage: ``python bench/readyz.py --url http://127.0.0.1:8000`` measures a running server over HTTP;
without ``--url`` it starts gunicorn (one worker) itself on a migrated database in a temp instance
— PostgreSQL and Redis when ``DATABASE_URL`` / ``CELERY_BROKER_URL`` are set, else the embedded
default — and measures that. ``--s3`` stores files in a bucket on an S3-protocol server (moto's
server mode, started here) so that the storage check makes its real round trip; ``STORAGE_URL`` /
``STORAGE_OPTIONS`` set in the environment are used as they are. Prints the median, the 95th
percentile and the maximum; ``--down storage`` stops the S3 server first and checks that
``/readyz`` answers 503 naming it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def down(url: str) -> tuple[int, dict, float]:
    """(status, body, seconds) of one GET of ``url``/readyz."""
    import json
    import urllib.error

    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=10) as response:
            return response.status, json.loads(response.read()), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), time.perf_counter() - started


def measure(url: str, count: int) -> list[float]:
    """``count`` sequential GETs of ``url``/readyz (after 20 warm-ups); the seconds each took."""
    took = []
    for i in range(count + 20):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
            response.read()
            assert response.status == 200, response.status
        if i >= 20:
            took.append(time.perf_counter() - started)
    return took


def _s3() -> tuple[object, dict]:
    """A moto S3 server with a fresh bucket: (the server, the environment naming it)."""
    import json

    sys.path.insert(0, str(ROOT))
    from tests.storage_support import new_bucket, s3_options, start_s3_server

    server, endpoint = start_s3_server()
    return server, {
        "STORAGE_URL": f"s3://{new_bucket(endpoint)}/uploads",
        "STORAGE_OPTIONS": json.dumps(s3_options(endpoint)),
    }


def _serve(instance: str, extra: dict) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "CERTFLOW_INSTANCE": instance, "FLASK_APP": "certflow", "LOG_LEVEL": "WARNING", **extra}
    if env.get("DATABASE_URL"):  # outside the embedded default a key is required
        env.setdefault("SECRET_KEY", secrets.token_hex(32))
    subprocess.run([str(ROOT / ".venv/bin/flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "certflow:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--s3", action="store_true", help="files in a bucket on a moto S3 server started here")
    parser.add_argument("--down", choices=["storage"], help="then stop the S3 server and check /readyz names it")
    args = parser.parse_args(argv)
    proc = server = None
    extra = {}
    with tempfile.TemporaryDirectory() as instance:
        url = args.url
        if args.s3 or args.down:
            server, extra = _s3()
        if not url:
            proc, url = _serve(instance, extra)
        try:
            took = sorted(measure(url, args.count))
            if args.down and server is not None:
                server.stop()
                server = None
                status, body, seconds = down(url)
                print(f"/readyz with the object store stopped: {status} {body} in {seconds * 1000:.0f} ms")
                if status != 503 or body.get("down") != ["storage"]:
                    return 1
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=15)
            if server is not None:
                server.stop()
    p95 = took[int(len(took) * 0.95) - 1]
    print(
        f"/readyz over {len(took)} requests: median {statistics.median(took) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {took[-1] * 1000:.1f} ms (target: 50 ms)"
    )
    return 0 if p95 < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
