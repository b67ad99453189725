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


def test_upload_stores_the_bytes_outside_the_web_root(world, db, app):
    draft = world.new_application()
    doc = docs.upload_document(draft, world.candidate, "diploma", _file(pdf_bytes()))
    db.session.commit()
    path = docs.stored_path(doc)
    assert path.parent == Path(app.config["UPLOAD_DIR"]).resolve()
    assert not path.is_relative_to(Path(app.static_folder).resolve())
    assert path.read_bytes().startswith(b"%PDF-")


def test_a_failed_flush_leaves_no_file_behind(world, db, monkeypatch):
    draft = world.new_application()
    taken = draft.documents[0].stored_name
    monkeypatch.setattr(docs.secrets, "token_hex", lambda n: taken)
    before = set(docs.upload_dir().iterdir())
    with pytest.raises(IntegrityError):
        docs.upload_document(draft, world.candidate, "diploma", _file(image_bytes(), "foto.png"))
    db.session.rollback()
    assert set(docs.upload_dir().iterdir()) == before


def test_upload_dir_inside_the_static_folder_is_refused(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(Path(app.static_folder) / "uploads"))
    with pytest.raises(RuntimeError):
        docs.upload_dir()


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


def test_removing_a_missing_file_is_quiet(app, db):
    docs.remove_stored_file("0" * 32)
