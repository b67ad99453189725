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
