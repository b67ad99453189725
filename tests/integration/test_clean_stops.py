"""`make serve` (the processes of `make run`: gunicorn and a Celery worker with beat, on the embedded
default) stops on SIGINT and on SIGTERM sent to its whole process group, every process gone within
STOP_SECONDS, no child left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from certflow import PROJECT_DIR

STOP_SECONDS = 10
EXTRA = [arg for arg in os.environ.get("CLEAN_STOPS_MAKE_ARGS", "").split() if arg]  # e.g. WORKER_POOL=prefork
START_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_text().replace("\0", " ")
    except OSError:
        return "?"


def _environment(tmp_path: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_", "PROMETHEUS_"))}
    env.update(
        CERTFLOW_INSTANCE=str(tmp_path),
        FLASK_APP="certflow",
        PORT=str(port),
        LOG_LEVEL="WARNING",
        SECRET_KEY="",
    )
    env.pop("SECRET_KEY")
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean-stops")
    env = _environment(folder, 0)
    subprocess.run(
        [str(PROJECT_DIR / ".venv/bin/flask"), "db", "upgrade"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder


def _serve_and_stop(instance: Path, signum, label: str, before_stop=None) -> float:
    """Start `make serve` in its own process group, wait until it is up, send ``signum`` to the group;
    assert every process is gone within STOP_SECONDS and none is left; the seconds it took."""
    port = _free_port()
    log_path = instance / f"serve-{label}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-s", "serve", f"PORT={port}", f"INSTANCE={instance}", *EXTRA],
        cwd=PROJECT_DIR,
        env=_environment(instance, port),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives `make run`
    )
    pgid = proc.pid
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        deadline = time.monotonic() + START_SECONDS
        while not any("celery" in _command(pid) and "worker" in _command(pid) for pid in _group_members(pgid)):
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.3)
        time.sleep(3)  # past its start
        if before_stop is not None:
            before_stop()
        started = _group_members(pgid)
        assert len(started) >= 4, [_command(p) for p in started]  # make, shell, celery, gunicorn + workers

        sent = time.monotonic()
        os.killpg(pgid, signum)
        while _group_members(pgid) and time.monotonic() - sent < STOP_SECONDS:
            time.sleep(0.1)
        left = _group_members(pgid)
        took = time.monotonic() - sent
        assert not left, f"still running after {STOP_SECONDS}s: {[_command(p) for p in left]}"
        print(f"{label}: all {len(started)} processes gone in {took:.1f}s")
        # no orphan: nothing it started lives on outside the group (a daemon re-parented to init)
        alive = [pid for pid in started if Path(f"/proc/{pid}").exists()]
        alive = [pid for pid in alive if " Z " not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]
        assert not alive, [_command(p) for p in alive]
        return took
    finally:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
        log.close()


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_make_serve_stops_on_a_signal_to_its_group(migrated, signum):
    _serve_and_stop(migrated, signum, signum.name)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_make_serve_stops_with_a_task_stuck_in_flight(migrated):
    """A delivery blocked on the database (another process holds SQLite's write lock) does not hold the stop."""
    import sqlite3

    lock = sqlite3.connect(migrated / "certflow.sqlite", isolation_level=None, timeout=1)

    def queue_a_blocked_delivery():
        lock.execute("BEGIN EXCLUSIVE")  # every write of the worker now waits (busy timeout 10 s)
        publish = (
            "from certflow import create_app\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    app.extensions['celery'].signature('certflow.notifications.tasks.deliver_outbox', args=(1,)).delay()\n"
        )
        subprocess.run(
            [str(PROJECT_DIR / ".venv/bin/python"), "-c", publish],
            cwd=PROJECT_DIR,
            env=_environment(migrated, 0),
            check=True,
            capture_output=True,
            timeout=60,
        )
        time.sleep(2)  # the worker has taken it and is waiting on the lock

    try:
        _serve_and_stop(migrated, signal.SIGTERM, "SIGTERM-in-flight", before_stop=queue_a_blocked_delivery)
    finally:
        lock.close()
