"""Ten uploads to one application at the same moment: all are kept, and the 30-document cap still holds.

As in test_concurrency — one application context, session and connection per thread, a barrier
releasing them together — on PostgreSQL (READ COMMITTED, as in production) and also on SQLite (the
embedded default serves from several threads; its file database is shared by the threads' connections).
"""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from certflow import create_app, storage
from certflow.applications import documents as docs
from certflow.core.errors import InvalidInput, StaleVersion
from certflow.core.transaction import unit_of_work
from certflow.extensions import db as _db
from certflow.models import Application, Document, User
from tests.web.test_api_applications_support import image_bytes, pdf_bytes

THREADS = 10


@pytest.fixture()
def racing_app(app, database_url):
    """A second application on the same database, with a pool for every thread at once."""
    config = {k: v for k, v in app.config.items() if k.isupper()}
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.update({"pool_size": THREADS + 2, "max_overflow": 0, "pool_timeout": 30})
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    racing = create_app(type("RacingConfig", (), config))
    yield racing
    with racing.app_context():
        _db.engine.dispose()


def _upload_race(racing_app, application_id: int, user_id: int, files: list[tuple[bytes, str]]) -> list[str]:
    """Upload ``files[i]`` in thread i, all released at once; each outcome: ok, the refusal's code, or a crash."""
    barrier = threading.Barrier(len(files), timeout=60)
    outcomes: list[str | None] = [None] * len(files)

    def run(i: int, data: bytes, name: str) -> None:
        with racing_app.test_request_context():
            doc = None
            try:
                app = _db.session.get(Application, application_id)
                user = _db.session.get(User, user_id)
                _ = app.state, app.version, app.documents  # read before the race, as a request would
                barrier.wait()
                with unit_of_work():
                    doc = docs.upload_document(app, user, "photo", FileStorage(io.BytesIO(data), filename=name))
                outcomes[i] = "ok"
            except (InvalidInput, StaleVersion) as exc:
                if doc is not None:
                    docs.remove_stored_file(doc.stored_name)
                outcomes[i] = exc.code
            except Exception as exc:  # noqa: BLE001 - reported as the outcome, checked below
                outcomes[i] = f"crash: {exc!r}"
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *f)) for i, f in enumerate(files)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def _files() -> list[tuple[bytes, str]]:
    return [
        (pdf_bytes(f"Lampiran {i}"), f"lampiran {i}.pdf") if i % 2 else (image_bytes("PNG"), f"foto {i}.jpg")
        for i in range(THREADS)
    ]


def _documents(db, application_id: int) -> list[Document]:
    """The application's documents in the order they were made (by id: rows come in no order of their own)."""
    db.session.expire_all()
    rows = select(Document).where(Document.application_id == application_id).order_by(Document.id)
    return db.session.scalars(rows).all()


def test_ten_simultaneous_uploads_to_one_application_all_succeed(world, db, racing_app):
    app = world.new_application()
    db.session.commit()
    before, version = len(app.documents), app.version
    outcomes = _upload_race(racing_app, app.id, world.candidate.id, _files())
    assert outcomes == ["ok"] * THREADS
    kept = _documents(db, app.id)
    assert len(kept) == before + THREADS
    assert {d.filename for d in kept} >= {f"foto {i}.png" for i in range(0, THREADS, 2)}
    for doc in kept[before:]:
        assert storage.current().exists(doc.stored_name)
    assert db.session.get(Application, app.id).version == version + THREADS  # each upload is a change


def test_the_document_cap_holds_when_uploads_race_for_the_last_places(world, db, racing_app, app):
    application = world.new_application()
    have = len(application.documents)
    for n in range(docs.MAX_DOCUMENTS - 3 - have):
        db.session.add(
            Document(
                application_id=application.id,
                kind="photo",
                filename=f"f{n}.png",
                stored_name=f"filler-{application.id}-{n}",
                content_type="image/png",
                size=1,
            )
        )
    db.session.commit()
    outcomes = _upload_race(racing_app, application.id, world.candidate.id, _files())
    assert sorted(outcomes) == ["ok"] * 3 + ["validation_error"] * (THREADS - 3), outcomes
    assert _count(db, application.id) == docs.MAX_DOCUMENTS


def _count(db, application_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Document.id)).where(Document.application_id == application_id))
