"""Health, readiness, the request id and the metrics endpoint (certflow.ops)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from certflow.ops import readiness
from tests.web.test_api_applications_support import Api


def test_healthz_answers_without_session_or_cookie(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"


def test_readyz_when_all_is_up(client):
    r = client.get("/readyz")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "ready" and body["down"] == []
    assert body["checks"] == {"database": "ok", "migrations": "ok", "broker": "ok", "storage": "ok"}
    assert "Set-Cookie" not in r.headers


def test_health_is_not_rate_limited_and_needs_no_csrf(client, app):
    for _ in range(40):
        assert client.get("/healthz").status_code == 200
    # a POST is not allowed, but it is refused as a method, not as a missing CSRF token
    assert client.post("/readyz").status_code == 405


def test_readyz_names_a_broker_that_does_not_answer(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["down"] == ["broker"] and body["checks"]["broker"] == "unreachable"
    assert body["checks"]["database"] == "ok"


def test_readyz_names_a_missing_broker_folder(client, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "CELERY_BROKER_DIR", str(tmp_path / "nowhere"))
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["down"] == ["broker"]


def test_readyz_names_a_database_behind_at_a_migration(client, app, db):
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001_initial'"))
    db.session.commit()
    try:
        r = client.get("/readyz")
        assert r.status_code == 503
        body = r.get_json()
        assert body["down"] == ["migrations"] and body["checks"]["migrations"] == "behind"
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()


def test_readyz_names_a_database_that_does_not_answer(client, monkeypatch):
    class Dead:
        class engine:  # noqa: N801 - stands in for db.engine
            @staticmethod
            def connect():
                raise OSError("connection refused")

    monkeypatch.setattr(readiness, "db", Dead())
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["down"] == ["database", "migrations"] and body["checks"]["database"] == "unreachable"


def test_readyz_names_storage_that_is_not_writable(client, app, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocker / "uploads"))
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["down"] == ["storage"]


def test_a_sane_request_id_is_echoed_and_a_bad_one_replaced(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123-DEF.456"})
    assert r.headers["X-Request-ID"] == "abc-123-DEF.456"
    for bad in ("short", "x" * 65, "a b c d e f g h", "<script>alert(1)</script>"):
        r = client.get("/healthz", headers={"X-Request-ID": bad})
        given = r.headers["X-Request-ID"]
        assert given != bad and len(given) == 32
    assert client.get("/").headers.get("X-Request-ID")


def test_metrics_refused_to_other_addresses_and_without_the_token(client, app, monkeypatch):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token")
    assert (
        client.get(
            "/metrics", environ_base={"REMOTE_ADDR": "10.9.9.9"}, headers={"Authorization": "Bearer wrong"}
        ).status_code
        == 404
    )
    r = client.get(
        "/metrics", environ_base={"REMOTE_ADDR": "10.9.9.9"}, headers={"Authorization": "Bearer s3cret-token"}
    )
    assert r.status_code == 200
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.9.0.0/16")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def _sample(text_body: str, name: str, **labels) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text_body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


@pytest.fixture()
def api(client):
    return Api(client)


def test_metrics_show_latency_transitions_and_outbox(client, api, world):
    app_row = world.new_application()
    before = client.get("/metrics").get_data(as_text=True)
    count_before = _sample(before, "certflow_transitions_total", workflow="application", event="submit") or 0
    r = api.as_(world.candidate).event(app_row.id, "submit", version=1)
    assert r.status_code == 200
    body = client.get("/metrics").get_data(as_text=True)
    assert _sample(body, "certflow_transitions_total", workflow="application", event="submit") == count_before + 1
    assert _sample(
        body, "certflow_http_request_duration_seconds_count", endpoint="api.fire_event", method="POST", status="200"
    )
    assert "/api/v1/applications/" not in body  # endpoint names, never raw paths
    assert _sample(body, "certflow_outbox_backlog") >= 1
    assert _sample(body, "certflow_outbox_oldest_unsent_age_seconds") >= 0


def test_a_refused_transition_is_not_counted(client, api, world):
    app_row = world.new_application()
    before = _sample(client.get("/metrics").get_data(as_text=True), "certflow_transitions_total", event="approve") or 0
    assert api.as_(world.admin_batam).event(app_row.id, "approve").status_code == 409
    after = _sample(client.get("/metrics").get_data(as_text=True), "certflow_transitions_total", event="approve") or 0
    assert after == before


def test_task_failures_are_counted(app):
    from certflow.notifications.tasks import RUN_JOB_TASK
    from certflow.ops import metrics

    counter = metrics.TASK_FAILURES.labels(task=RUN_JOB_TASK)
    before = counter._value.get()
    with app.app_context():
        result = app.extensions["celery"].tasks[RUN_JOB_TASK].apply(args=["no-such-job"])
    assert result.failed()
    assert counter._value.get() == before + 1


def test_readyz_checks_an_object_store(client, app, monkeypatch, s3_server):
    import time

    from tests.storage_support import free_port, new_bucket, s3_options

    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{new_bucket(s3_server)}/uploads")
    monkeypatch.setitem(app.config, "STORAGE_OPTIONS", s3_options(s3_server))
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["checks"]["storage"] == "ok"
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://no-such-bucket/uploads")
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["down"] == ["storage"]
    assert r.get_json()["checks"]["storage"] == "bucket missing"
    monkeypatch.setitem(
        app.config, "STORAGE_OPTIONS", {**s3_options(s3_server), "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    )
    started = time.monotonic()
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["checks"]["storage"] == "unreachable"
    assert time.monotonic() - started < 3  # named down quickly, not after the client's retries
