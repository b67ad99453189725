"""The request id travels from the request into the outbox task's message headers and its log lines."""

from __future__ import annotations

import base64
import json
import logging

from certflow.notifications.dispatch import DELIVER_TASK
from tests.web.test_api_applications_support import Api


def _queued(broker_dir) -> list[dict]:
    """The task messages the filesystem broker holds (kombu's JSON envelopes)."""
    messages = []
    for path in sorted((broker_dir / "out").glob("*.msg")):
        envelope = json.loads(path.read_text())
        messages.append(envelope)
        path.unlink()
    return messages


def test_request_id_goes_into_the_outbox_task_and_its_logs(client, world, app, monkeypatch, caplog):
    from pathlib import Path

    broker_dir = Path(app.config["CELERY_BROKER_DIR"])
    _queued(broker_dir)  # start empty
    monkeypatch.setitem(app.config, "OUTBOX_DISPATCH", True)
    application = world.new_application()
    api = Api(client)
    caller = api.as_(world.candidate)
    r = caller.post(
        f"/applications/{application.id}/events",
        json={"event": "submit", "version": 1},
        headers={"X-Request-ID": "journey-0001-abcd"},
    )
    assert r.status_code == 200 and r.headers["X-Request-ID"] == "journey-0001-abcd"

    messages = [m for m in _queued(broker_dir) if m["headers"].get("task") == DELIVER_TASK]
    assert messages, "the submit queued no delivery"
    for message in messages:
        assert message["headers"]["request_id"] == "journey-0001-abcd"

    # The worker side: run the queued task with the headers it came with; its log lines carry the id.
    celery = app.extensions["celery"]
    task = celery.tasks[DELIVER_TASK]
    message = messages[0]
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    caplog.set_level(logging.INFO)
    with app.app_context():
        task.apply(args=args, kwargs=kwargs, headers=message["headers"])
    lines = [rec for rec in caplog.records if rec.name.startswith("certflow")]
    finished = [rec for rec in lines if "finished" in rec.getMessage()]
    assert finished and all(rec.request_id == "journey-0001-abcd" for rec in finished)

    # ...and the id is gone once the task is over.
    from certflow.ops import requestid

    assert requestid.get() is None


def test_json_log_lines_carry_the_request_id(app):
    from certflow.ops import logs, requestid

    token = requestid.current.set("abcdef12")
    try:
        logger = logging.getLogger("certflow.test")
        record = logger.makeRecord("certflow.test", logging.INFO, __file__, 1, "hello", (), None)
    finally:
        requestid.current.reset(token)
    line = json.loads(logs.formatter("json").format(record))
    assert line["message"] == "hello" and line["request_id"] == "abcdef12" and line["level"] == "INFO"


def test_a_real_worker_logs_the_request_id_of_the_message(tmp_path):
    """A Celery worker process (threads pool, filesystem broker) sets the id from the message's headers."""
    import signal
    import subprocess
    import threading

    from certflow import PROJECT_DIR
    from tests.integration.test_clean_stops import _environment

    env = {**_environment(tmp_path, 0), "LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
    bin_dir = PROJECT_DIR / ".venv/bin"
    subprocess.run([str(bin_dir / "flask"), "db", "upgrade"], cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    publish = (
        "from certflow import create_app\n"
        "from certflow.ops import requestid\n"
        "app = create_app()\n"
        "requestid.current.set('worker-trip-0042')\n"
        "with app.app_context():\n"
        f"    app.extensions['celery'].signature({DELIVER_TASK!r}, args=(999999,)).delay()\n"
    )
    subprocess.run([str(bin_dir / "python"), "-c", publish], cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [str(bin_dir / "celery"), "-A", "celery_worker", "worker", "--pool=threads", "--loglevel=info"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[dict] = []
    watchdog = threading.Timer(60, worker.kill)  # a silent worker ends the read below
    watchdog.start()
    try:
        for raw in worker.stdout:
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
            if "finished" in lines[-1].get("message", ""):
                break
    finally:
        watchdog.cancel()
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=20)
    finished = [line for line in lines if "finished" in line.get("message", "")]
    assert finished and finished[0]["request_id"] == "worker-trip-0042", lines[-5:]
    assert finished[0]["task"] == DELIVER_TASK
