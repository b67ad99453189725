"""A gunicorn server (2 workers) of ``bench.app`` on a free 127.0.0.1 port, for one database."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``with Server(url) as base:`` serves the database of ``url`` at ``base`` until the block ends."""

    def __init__(self, url: str, *, workers: int = WORKERS, startup_seconds: float = 60):
        self.url, self.workers, self.startup_seconds = url, workers, startup_seconds
        self.process: subprocess.Popen | None = None
        self.instance = tempfile.TemporaryDirectory(prefix="certflow-bench-")

    def __enter__(self) -> str:
        port = free_port()
        env = dict(
            os.environ,
            DATABASE_URL=self.url,
            CERTFLOW_INSTANCE=self.instance.name,
            SECRET_KEY=os.urandom(16).hex(),
            RATELIMIT_LOGIN="100000 per minute",
            BENCH_COUNT_STATEMENTS="true",
            BENCH_LIMIT_ENDPOINT="true",
        )
        self.log = open(Path(self.instance.name) / "gunicorn.log", "w+")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--chdir",
                str(ROOT),
                "--log-level",
                "warning",
                "--timeout",
                "120",
                "bench.app:create_app()",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait(port)
        return f"http://127.0.0.1:{port}"

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/verify")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start: {self.output()}")

    def output(self) -> str:
        """What gunicorn wrote (its errors)."""
        self.log.seek(0)
        return self.log.read()[-4000:]

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.instance.cleanup()
