"""Helpers for the notification tests: a real SMTP server (aiosmtpd) and real processes.

No tests here. ``SmtpServer`` records every message it *accepted* (answered 250 to), and can
refuse messages with 451 or hold the answer to a message's DATA until the client goes away
(the moment a worker is killed mid-delivery). ``Processes`` starts gunicorn, Celery workers,
beat and redis-server as subprocesses on free ports and always stops what it started.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


def require_aiosmtpd():
    """The aiosmtpd module (requirements-dev.txt); skip without it — but fail in CI."""
    try:
        import aiosmtpd.controller  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("aiosmtpd is not installed, and CI requires it", pytrace=False)
        pytest.skip("aiosmtpd is not installed")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, every: float = 0.2) -> bool:
    """Poll ``predicate`` until it holds or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


class SmtpServer:
    """An aiosmtpd server on a free port that keeps what it accepted, per ``X-Certflow-Key``."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.accepted: list[email.message.EmailMessage] = []
        self.refused: list[str] = []
        self.dropped: list[str] = []
        self.refuse_for: dict[str, int] = {}  # recipient address → how many more times to answer 451
        self.refuse_all = False
        self.hold_for: str | None = None  # hold the DATA answer of the next message to this address
        self.holding = threading.Event()
        self.delay = 0.0
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        """Accept, refuse (451) or hold one message."""
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        key = str(message.get("X-Certflow-Key", ""))
        to = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            refuse = self.refuse_all or self.refuse_for.get(to, 0) > 0
            if refuse:
                if self.refuse_for.get(to, 0) > 0:
                    self.refuse_for[to] -= 1
                self.refused.append(key)
            hold = not refuse and self.hold_for == to
            if hold:
                self.hold_for = None
        if refuse:
            return "451 4.3.0 Try again later"
        if hold:
            self.holding.set()
            try:
                await asyncio.sleep(120)  # until the client goes away: aiosmtpd cancels this then
            except asyncio.CancelledError:
                self.dropped.append(key)
                raise
            return "451 4.4.2 Held too long"
        with self._lock:
            self.accepted.append(message)
        return "250 OK"

    def keys(self) -> list[str]:
        """The idempotency keys of the accepted messages (one per accepted message)."""
        with self._lock:
            return [str(m["X-Certflow-Key"]) for m in self.accepted]

    def duplicates(self) -> dict[str, int]:
        """Keys accepted more than once."""
        return {k: n for k, n in Counter(self.keys()).items() if n > 1}

    def by_key(self, key: str) -> email.message.EmailMessage:
        """The accepted message with idempotency key ``key``."""
        return next(m for m in self.accepted if m["X-Certflow-Key"] == key)


def process_env(database_url: str, broker_url: str, smtp_port: int, tmp_path: Path, **settings) -> dict:
    """The environment of a certflow process in a test: the test database, a broker, the test SMTP server."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        MAIL_TIMEOUT="10",
        CERTFLOW_INSTANCE=str(tmp_path / "instance"),
        SECRET_KEY="process-test",
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_COST="1024",
        BASE_URL="http://certflow.test",
        OUTBOX_RETRY_BASE_SECONDS="0.5",
        OUTBOX_RETRY_MAX_SECONDS="2",
        OUTBOX_RELAY_SECONDS="1",
        OUTBOX_RELAY_AFTER_SECONDS="2",
        SCHEDULED_JOBS_SECONDS="3600",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in settings.items()})
    return env


class Processes:
    """Subprocesses of one test, each with a log file; ``stop_all`` ends them all."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        """Start ``args`` in its own process group, its output in ``<tmp>/<name>.log``."""
        path = self.tmp_path / f"{name}.log"
        with open(path, "ab") as log:
            proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.procs.append(proc)
        self.logs[proc.pid] = path
        return proc

    def log_of(self, proc: subprocess.Popen) -> str:
        """What ``proc`` printed so far."""
        return self.logs[proc.pid].read_text(errors="replace")

    def worker(self, env: dict, name: str = "worker", pool: str = "solo", beat: bool = False) -> subprocess.Popen:
        """A Celery worker (``--beat`` embeds the scheduler); returns once it is ready."""
        args = [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", f"--pool={pool}", "--loglevel=info"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}-{free_port()}@%h"]
        if pool != "solo":
            args.append("--concurrency=2")
        if beat:
            args += ["--beat", f"--schedule={self.tmp_path / (name + '-beat-schedule')}"]
        proc = self.start(name, args, env)
        assert wait_for(lambda: " ready." in self.log_of(proc) or proc.poll() is not None, 60), self.log_of(proc)
        assert proc.poll() is None, self.log_of(proc)
        return proc

    def beat(self, env: dict) -> subprocess.Popen:
        """Celery beat, alone."""
        schedule = self.tmp_path / "beat-schedule"
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "celery_worker",
            "beat",
            "--loglevel=info",
            f"--schedule={schedule}",
        ]
        return self.start("beat", args, env)

    def gunicorn(self, env: dict) -> tuple[subprocess.Popen, str]:
        """gunicorn serving certflow on a free port; returns once it answers."""
        port = free_port()
        args = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        proc = self.start("gunicorn", args + ["certflow:create_app()"], env)
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return True
            except OSError:
                return proc.poll() is not None

        assert wait_for(up, 60), self.log_of(proc)
        assert proc.poll() is None, self.log_of(proc)
        return proc, base

    def redis(self, port: int | None = None) -> tuple[subprocess.Popen, int]:
        """Our own redis-server (no persistence) on a spare port; never the machine's shared one."""
        import redis

        port = port or free_port()
        args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        proc = self.start(f"redis-{port}", args + ["--dir", str(self.tmp_path)], dict(os.environ))

        def ping() -> bool:
            try:
                return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
            except redis.RedisError:
                return False

        assert wait_for(ping, 20), self.log_of(proc)
        return proc, port

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL ``proc`` and every process of its group (no clean shutdown at all)."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def stop(self, proc: subprocess.Popen, timeout: float = 15) -> None:
        """Stop ``proc`` (SIGTERM, then SIGKILL) with its process group."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(proc)
        try:  # children left behind by a parent that exited
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        """Stop every process this object started, newest first."""
        for proc in reversed(self.procs):
            self.stop(proc)


def tool_available(name: str) -> bool:
    """Whether an executable is on the PATH."""
    from shutil import which

    return which(name) is not None
