"""The candidate's documents page: required kinds and their review, uploads and every refusal, download, delete."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.models import Document
from tests.web.test_api_applications_support import image_bytes, pdf_bytes
from tests.web.test_pages_candidate_support import bare_draft, browser, neighbour, post, upload
from tests.web.test_pages_support import fresh


@pytest.fixture()
def uploads(storage_backend):
    """The file storage, empty: a local folder, then an S3 bucket (each test runs on both)."""
    return storage_backend


def _docs(application) -> str:
    return f"/candidate/applications/{application.id}/documents"


def _count(db) -> int:
    fresh(db)
    return db.session.scalar(select(func.count(Document.id)))


def test_the_page_lists_the_required_kinds_with_their_review(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    diploma, letter = application.documents
    diploma.status, letter.status, letter.note = "valid", "invalid", "Tanda tangan tidak ada"
    db.session.commit()
    page = browser(app, world.candidate).get(_docs(application)).text
    assert 'data-kind="diploma"' in page and 'data-kind="work_letter"' in page
    assert ">Valid</span>" in page and ">Invalid</span>" in page
    assert "Note from the dinas: Tanda tangan tidak ada" in page
    assert 'enctype="multipart/form-data"' not in page  # submitted: nothing to add or delete
    assert "/delete" not in page


def test_a_missing_required_document_is_shown_as_missing(app, world):
    draft = bare_draft(world.candidate, world.scheme)
    page = browser(app, world.candidate).get(_docs(draft)).text
    assert page.count("Not uploaded yet.") == 2
    assert 'enctype="multipart/form-data"' in page and "at most 5 MB" in page


def test_an_upload_is_stored_under_a_random_name_and_downloaded_as_an_attachment(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    b = browser(app, world.candidate)
    data = pdf_bytes()
    response = upload(b, draft.id, "diploma", data, "Ijazah S1.pdf")
    assert response.status_code == 303 and response.headers["Location"] == _docs(draft)
    fresh(db)
    doc = db.session.scalars(select(Document).where(Document.application_id == draft.id)).one()
    assert doc.filename == "Ijazah S1.pdf" and doc.kind == "diploma" and doc.status == "pending"
    assert uploads.list() == [doc.stored_name] and doc.stored_name != doc.filename
    page = b.get(_docs(draft)).text
    assert "Ijazah S1.pdf is uploaded; the dinas will review it." in page
    assert page.count("Not uploaded yet.") == 1
    response = b.get(f"/candidate/documents/{doc.id}/file")
    assert response.status_code == 200 and response.data == uploads.read(doc.stored_name)
    assert response.data.startswith(b"%PDF-") and response.data != data  # our rewrite, not the bytes sent
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


def test_an_image_is_accepted(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    response = upload(browser(app, world.candidate), draft.id, "photo", image_bytes("JPEG"), "foto.jpg")
    assert response.status_code == 303
    assert _count(db) == 1


REFUSALS = [
    pytest.param(
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
        "ijazah.pdf",
        "only PDF, PNG or JPEG documents are accepted; this file is a program (executable)",
        id="renamed-executable",
    ),
    pytest.param(
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "ijazah.pdf",
        "only PDF, PNG or JPEG documents are accepted; this file is HTML or XML markup",
        id="html-called-pdf",
    ),
    pytest.param(
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",
        "ijazah.pdf",
        "the PDF is damaged or not a real PDF",
        id="html-behind-a-pdf-header",
    ),
    pytest.param(
        pdf_bytes(),
        "../../../../etc/passwd.pdf",
        "The file name “../../../../etc/passwd.pdf” points into other folders; rename the file",
        id="path-traversal-name",
    ),
    pytest.param(image_bytes("PNG"), "ijazah.pdf", "ijazah.pdf is not a PDF but an image", id="png-called-pdf"),
    pytest.param(
        pdf_bytes(), "setup.exe", "only .pdf, .png, .jpg and .jpeg files are accepted, not .exe", id="exe-name"
    ),
    pytest.param(b"", "kosong.pdf", "the file is empty", id="empty"),
]


@pytest.mark.parametrize(("data", "name", "message"), REFUSALS)
def test_every_refused_upload_says_what_is_wrong_and_stores_nothing(app, world, db, uploads, data, name, message):
    draft = bare_draft(world.candidate, world.scheme)
    response = upload(browser(app, world.candidate), draft.id, "work_letter", data, name)
    assert response.status_code == 422
    assert "The document was not uploaded." in response.text
    assert message in response.text
    assert 'id="file-error"' in response.text and 'aria-invalid="true"' in response.text
    assert '<option value="work_letter" selected>' in response.text  # the kind chosen is kept
    assert _count(db) == 0 and uploads.list() == []


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("../ijazah.pdf", True),
        ("a/../../b.pdf", True),
        ("..\\..\\windows\\win.ini", True),  # (the test client cannot send backslashes: checked here)
        ("/etc/passwd", True),
        ("\\\\server\\share\\x.pdf", True),
        ("ijazah\x00.pdf", True),
        ("C:\\fakepath\\ijazah.pdf", False),
        ("ijazah..final.pdf", False),
        ("Ijazah S1.pdf", False),
    ],
)
def test_names_that_climb_folders_are_recognised(name, refused):
    from certflow.applications.documents import names_a_path

    assert names_a_path(name) is refused


def test_an_oversized_file_is_refused_with_the_limit(app, world, db, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2048)
    draft = bare_draft(world.candidate, world.scheme)
    big = pdf_bytes("x" * 3000) + b"%" + b"0" * 4096
    response = upload(browser(app, world.candidate), draft.id, "diploma", big, "besar.pdf")
    assert response.status_code == 413  # as the API answers it (too_large)
    assert "The file is larger than the limit of 2 KB." in response.text
    assert _count(db) == 0 and uploads.list() == []


def test_a_request_over_the_servers_limit_gets_the_same_page_and_message(app, world, db, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2048)
    draft = bare_draft(world.candidate, world.scheme)
    response = upload(browser(app, world.candidate), draft.id, "diploma", b"%PDF-1.4\n" + b"0" * 8000, "besar.pdf")
    assert response.status_code == 413
    assert "The file is larger than the limit of 2 KB." in response.text
    assert 'enctype="multipart/form-data"' in response.text
    theirs = bare_draft(neighbour(world), world.scheme)
    response = upload(browser(app, world.candidate), theirs.id, "diploma", b"%PDF-1.4\n" + b"0" * 8000, "besar.pdf")
    assert response.status_code == 404 and "Rina Neighbour" not in response.text
    assert _count(db) == 0


def test_a_missing_kind_or_file_is_named(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    b = browser(app, world.candidate)
    response = post(b, _docs(draft), kind="selfie")
    assert response.status_code == 422
    assert "Choose what kind of document this is." in response.text
    assert "Choose the file to upload." in response.text
    assert _count(db) == 0


def test_uploading_to_a_submitted_application_is_refused(app, world, db, uploads):
    application = world.advance(world.new_application(), "submitted")
    before = _count(db)
    response = upload(browser(app, world.candidate), application.id, "diploma", pdf_bytes(), "baru.pdf")
    assert response.status_code == 409
    assert "documents cannot be added" in response.text
    assert _count(db) == before and uploads.list() == []


def test_a_document_is_deleted_while_editing_only(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    b = browser(app, world.candidate)
    upload(b, draft.id, "diploma", pdf_bytes(), "ijazah.pdf")
    fresh(db)
    doc = db.session.scalars(select(Document)).one()
    response = post(b, _docs(draft), f"/candidate/documents/{doc.id}/delete")
    assert response.status_code == 303
    assert "The document is deleted." in b.get(_docs(draft)).text
    assert _count(db) == 0 and uploads.list() == []
    submitted = world.advance(world.new_application(), "submitted")
    kept = submitted.documents[0]
    response = post(b, _docs(submitted), f"/candidate/documents/{kept.id}/delete")
    assert response.status_code == 409
    assert "can be changed only in draft or revision_requested" in response.text
    fresh(db)
    assert db.session.get(Document, kept.id) is not None


def test_another_candidates_documents_are_not_found(app, world, db, uploads):
    other = neighbour(world)
    theirs = bare_draft(other, world.scheme)
    upload(browser(app, other), theirs.id, "diploma", pdf_bytes(), "rahasia.pdf")
    fresh(db)
    doc = db.session.scalars(select(Document)).one()
    b = browser(app, world.candidate)
    assert b.get(f"/candidate/documents/{doc.id}/file").status_code == 404
    assert post(b, "/candidate/", f"/candidate/documents/{doc.id}/delete").status_code == 404
    assert b.get(_docs(theirs)).status_code == 404
    response = upload(b, theirs.id, "diploma", pdf_bytes(), "x.pdf")
    assert response.status_code == 404
    assert _count(db) == 1


def test_other_roles_cannot_download_through_the_candidate_pages(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    upload(browser(app, world.candidate), draft.id, "diploma", pdf_bytes(), "ijazah.pdf")
    fresh(db)
    doc = db.session.scalars(select(Document)).one()
    assert browser(app, world.admin_batam).get(f"/candidate/documents/{doc.id}/file").status_code == 403
    assert browser(app).get(f"/candidate/documents/{doc.id}/file").status_code == 302
