"""The document service on a real database: content checks, storage, clean failure.

(Refusal messages are translated, and the locale is chosen per request: hence the request contexts.)
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from certflow.applications import documents as docs
from certflow.core.errors import Forbidden, InvalidInput, NotEditable
from tests.web.test_api_applications_support import image_bytes, pdf_bytes


def _file(data: bytes, name: str = "ijazah.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"%PDF-1.4 ...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"MZ\x90\x00", None),
        (b"<html>", None),
        (b" %PDF-1.4", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_magic_bytes(data, kind):
    assert docs.sniff(data) == kind


def test_upload_stores_the_bytes_outside_the_web_root(world, db, app, storage_backend):
    draft = world.new_application()
    doc = docs.upload_document(draft, world.candidate, "diploma", _file(pdf_bytes()))
    db.session.commit()
    assert storage_backend.list() == [doc.stored_name]
    assert storage_backend.read(doc.stored_name).startswith(b"%PDF-")
    if storage_backend.local:
        path = Path(storage_backend.path(doc.stored_name))
        assert path.parent == Path(app.config["UPLOAD_DIR"]).resolve()
        assert not path.is_relative_to(Path(app.static_folder).resolve())
        assert path.stat().st_mode & 0o777 == 0o600


def test_a_stored_name_is_written_once(world, db, storage_backend):
    storage_backend.put("a" * 32, b"%PDF-1.4 first")
    with pytest.raises(FileExistsError):
        storage_backend.put("a" * 32, b"%PDF-1.4 second")
    assert storage_backend.read("a" * 32) == b"%PDF-1.4 first"
    storage_backend.put("a" * 32, b"%PDF-1.4 second", replace=True)
    assert storage_backend.read("a" * 32) == b"%PDF-1.4 second" and storage_backend.size("a" * 32) == 15
    storage_backend.delete("a" * 32)
    storage_backend.delete("a" * 32)  # quiet when it is gone
    assert not storage_backend.exists("a" * 32) and storage_backend.list() == []
    with pytest.raises(FileNotFoundError):
        storage_backend.read("a" * 32)


@pytest.mark.parametrize("name", ["", "../x", "a/../../x", "/etc/passwd", "a\\b", "a//b", "x\n"])
def test_names_that_climb_or_hide_are_refused(storage_backend, name):
    from certflow.storage import StorageError

    with pytest.raises(StorageError):
        storage_backend.put(name, b"x")


def test_a_failed_flush_leaves_no_file_behind(world, db, monkeypatch, storage_backend):
    draft = world.new_application()
    taken = draft.documents[0].stored_name
    monkeypatch.setattr(docs.secrets, "token_hex", lambda n: taken)
    with pytest.raises(IntegrityError):
        docs.upload_document(draft, world.candidate, "diploma", _file(image_bytes(), "foto.png"))
    db.session.rollback()
    assert storage_backend.list() == []


def test_a_failed_commit_removes_the_stored_file(world, db, client, monkeypatch, storage_backend):
    """The "remove the file if the commit fails" path: the row is refused at commit, the file goes too."""
    from certflow.core import transaction
    from tests.web.test_api_applications_support import Api

    draft = world.new_application()
    caller = Api(client).as_(world.candidate)  # signed in before commits start failing

    def failing_commit():
        raise IntegrityError("INSERT", {}, Exception("the database refused the commit"))

    with monkeypatch.context() as patch:
        patch.setattr(transaction.db.session, "commit", failing_commit)
        r = caller.upload(draft.id, "diploma", pdf_bytes(), "ijazah.pdf")
    assert r.status_code == 409
    assert storage_backend.list() == []


def test_upload_dir_inside_the_static_folder_is_refused(app, db, monkeypatch):
    from certflow.storage import StorageError, current

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(Path(app.static_folder) / "uploads"))
    with pytest.raises(StorageError):
        current()


def test_service_refusals_carry_their_codes(world, db, app):
    draft = world.new_application()
    with app.test_request_context(), pytest.raises(Forbidden):
        docs.upload_document(draft, world.admin_batam, "diploma", _file(pdf_bytes()))
    with app.test_request_context(), pytest.raises(InvalidInput) as excinfo:
        docs.upload_document(draft, world.candidate, "selfie", None)
    assert list(excinfo.value.fields) == ["kind", "file"]
    world.advance(draft, "submitted")
    with app.test_request_context(), pytest.raises(NotEditable):
        docs.upload_document(draft, world.candidate, "diploma", _file(pdf_bytes()))


def test_removing_a_missing_file_is_quiet(app, db, storage_backend):
    docs.remove_stored_file("0" * 32)
