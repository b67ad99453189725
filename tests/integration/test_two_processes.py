"""Two web processes on two ports, as two machines would be: they share PostgreSQL, Redis and the object store.

Each gunicorn has its own instance folder (nothing local is shared); files live in an S3 bucket on
the test's S3-protocol server. A journey whose requests alternate between the two — uploads on one,
downloads, deletions and events on the other, and a burst of concurrent uploads spread over both —
must lose nothing: every row, every file (byte for byte), every transition.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from sqlalchemy import func, select

from certflow.applications.sanitize import make_harmless
from certflow.models import Application, Document, TransitionLog
from certflow.storage import Storage
from tests.conftest import DB_KIND, REDIS_URL, redis_available, require_service
from tests.factories import PASSWORD
from tests.integration.test_notif_support import Processes, free_port, wait_for
from tests.storage_support import new_bucket, s3_options
from tests.web.test_api_applications_support import pdf_bytes


class Http:
    """A client of one running gunicorn, signed in as one user (the token works on either process)."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base, token

    def on(self, base: str) -> Http:
        """The same user, talking to another process."""
        return Http(base, self.token)

    def request(self, method: str, path: str, data: bytes | None = None, content_type: str | None = None):
        """(status, body bytes) of one request to ``/api/v1<path>``."""
        request = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method: str, path: str, body=None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        status, raw = self.request(method, path, data, "application/json")
        return status, json.loads(raw or b"null")

    def sign_in(self, user) -> Http:
        status, body = self.json("POST", "/auth/tokens", {"email": user.email, "password": PASSWORD})
        assert status == 201, body
        return Http(self.base, body["token"])

    def upload(self, app_id: int, kind: str, data: bytes, filename: str) -> tuple[int, dict]:
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + data
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        status, raw = self.request(
            "POST", f"/applications/{app_id}/documents", b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )
        return status, json.loads(raw or b"null")


@pytest.fixture()
def two_webs(db, database_url, tmp_path, s3_server):
    """Two gunicorns (A, B) on the test database, Redis and one S3 bucket: (base A, base B, the Storage)."""
    if DB_KIND != "postgresql":
        pytest.skip("two processes share PostgreSQL (run with CERTFLOW_TEST_DB=postgresql)")
    require_service(redis_available(), "Redis")
    redis.Redis.from_url(REDIS_URL).flushdb()
    url, options = f"s3://{new_bucket(s3_server)}/uploads", s3_options(s3_server)
    procs = Processes(tmp_path)
    bases = []
    try:
        for name in ("a", "b"):
            env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "STORAGE_", "UPLOAD_"))}
            env.update(
                DATABASE_URL=database_url,
                CELERY_BROKER_URL=REDIS_URL,
                STORAGE_URL=url,
                STORAGE_OPTIONS=json.dumps(options),
                CERTFLOW_INSTANCE=str(tmp_path / f"machine-{name}"),  # nothing local in common
                SECRET_KEY="two-processes-test",
                ARGON2_TIME_COST="1",
                ARGON2_MEMORY_COST="1024",
                MAIL_BACKEND="file",
                LOG_LEVEL="WARNING",
                PYTHONUNBUFFERED="1",
            )
            port = free_port()
            args = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
            proc = procs.start(f"web-{name}", [*args, "certflow:create_app()"], env)
            base = f"http://127.0.0.1:{port}"

            def ready(base=base, proc=proc) -> bool:
                try:
                    with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
                        return r.status == 200
                except OSError:
                    return proc.poll() is not None

            assert wait_for(ready, 60), procs.log_of(proc)
            assert proc.poll() is None, procs.log_of(proc)
            bases.append(base)
        yield bases[0], bases[1], Storage(url, options)
    finally:
        procs.stop_all()


def _stored(data: bytes) -> bytes:
    """What certflow stores of an uploaded PDF: its rewrite without active content (deterministic)."""
    return make_harmless(data, "application/pdf")[0]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_journey_alternating_between_two_processes_loses_nothing(world, db, two_webs):
    a, b, store = two_webs
    application = world.new_application()
    app_id = application.id
    candidate = Http(a).sign_in(world.candidate)  # signed in on A, used on both
    admin = Http(b).sign_in(world.admin_batam)  # signed in on B, used on both
    sent: dict[int, bytes] = {}

    # uploads alternate between A and B; each is downloaded from the other one
    for i in range(6):
        here, there = (a, b) if i % 2 == 0 else (b, a)
        data = pdf_bytes(f"Log praktik {i} {secrets.token_hex(4)}")
        status, doc = candidate.on(here).upload(app_id, "practice_log", data, f"log {i}.pdf")
        assert status == 201, doc
        sent[doc["id"]] = _stored(data)
        status, body = candidate.on(there).request("GET", f"/documents/{doc['id']}/file")
        assert status == 200 and body == sent[doc["id"]]

    # a burst of concurrent uploads spread over both processes (and both workers of each). Uploads to one
    # application race for its version: the loser is told 409 and tries again, as a client does; the file
    # it had stored is removed (no stray file is left: checked at the end).
    refused = []

    def upload(i: int) -> tuple[int, bytes]:
        data = pdf_bytes(f"Lampiran {i} {secrets.token_hex(4)}")
        for attempt in range(20):
            status, doc = candidate.on((a, b)[(i + attempt) % 2]).upload(app_id, "other", data, f"lampiran {i}.pdf")
            if status != 409:
                break
            refused.append(i)
        assert status == 201, doc
        return doc["id"], data

    with ThreadPoolExecutor(max_workers=4) as pool:
        sent.update((doc_id, _stored(data)) for doc_id, data in pool.map(upload, range(12)))
    print(f"concurrent uploads: 12 stored, {len(refused)} attempts refused as stale and retried")

    # a deletion on B is seen on A, and its file is gone from the shared store
    deleted = next(iter(sent))
    stored_name = db.session.scalar(select(Document.stored_name).where(Document.id == deleted))
    assert candidate.on(b).request("DELETE", f"/documents/{deleted}")[0] == 204
    assert candidate.on(a).request("GET", f"/documents/{deleted}/file")[0] == 404
    assert not store.exists(stored_name)
    del sent[deleted]

    # the workflow moves on, its events alternating too
    assert candidate.on(b).json("POST", f"/applications/{app_id}/events", {"event": "submit"})[0] == 200
    status, detail = admin.on(a).json("GET", f"/applications/{app_id}")
    assert status == 200 and detail["state"] == "submitted"
    for n, document in enumerate(detail["documents"]):
        review = admin.on((a, b)[n % 2]).json("PATCH", f"/documents/{document['id']}", {"status": "valid"})
        assert review[0] == 200, review
    status, approved = admin.on(b).json("POST", f"/applications/{app_id}/events", {"event": "approve"})
    assert status == 200 and approved["state"] == "eligible", approved

    # nothing lost: every row, every file byte for byte (read from both processes), every transition
    db.session.rollback()
    rows = db.session.scalars(select(Document).where(Document.application_id == app_id)).all()
    uploaded = {d.id: d for d in rows if d.id in sent}
    assert set(uploaded) == set(sent)
    assert all(d.status == "valid" for d in rows)
    for doc_id, data in sent.items():
        assert _sha(store.read(uploaded[doc_id].stored_name)) == _sha(data)
        for base in (a, b):
            assert candidate.on(base).request("GET", f"/documents/{doc_id}/file") == (200, data)
    stored = set(store.list())
    assert {d.stored_name for d in uploaded.values()} == stored  # and no stray file
    assert db.session.get(Application, app_id).state == "eligible"
    events = db.session.scalars(
        select(TransitionLog.event).where(TransitionLog.application_id == app_id).order_by(TransitionLog.id)
    ).all()
    assert events[-2:] == ["submit", "approve"]
    assert db.session.scalar(select(func.count(Document.id)).where(Document.application_id == app_id)) == len(rows)
