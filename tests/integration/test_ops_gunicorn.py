"""Metrics under gunicorn with several workers: PROMETHEUS_MULTIPROC_DIR adds up every worker's values."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import pytest

from certflow import PROJECT_DIR
from tests.integration.test_clean_stops import _environment, _free_port


@pytest.fixture()
def gunicorn(tmp_path):
    port = _free_port()
    env = _environment(tmp_path, port)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prometheus")
    subprocess.run(
        [str(PROJECT_DIR / ".venv/bin/flask"), "db", "upgrade"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        [
            str(PROJECT_DIR / ".venv/bin/gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "certflow:create_app()",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_scrape_adds_up_every_worker(gunicorn):
    from prometheus_client.parser import text_string_to_metric_families

    for _ in range(30):
        urllib.request.urlopen(f"{gunicorn}/healthz", timeout=5).read()
    with urllib.request.urlopen(f"{gunicorn}/metrics", timeout=5) as response:
        body = response.read().decode()
        assert response.headers["X-Request-ID"]
    counts = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "certflow_http_request_duration_seconds_count":
                counts[sample.labels["endpoint"]] = counts.get(sample.labels["endpoint"], 0) + sample.value
    assert counts.get("ops.healthz", 0) >= 31  # the start-up probe and the 30, whichever worker answered
    assert "certflow_outbox_backlog 0.0" in body
