"""API: uploading, downloading, reviewing and deleting documents."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from certflow.applications import documents as docs
from certflow.models import Document
from tests.web.test_api_applications_support import Api, error_code, image_bytes, pdf_bytes


@pytest.fixture()
def api(client):
    return Api(client)


@pytest.fixture()
def uploads(storage_backend):
    """The file storage, empty: a local folder, then an S3 bucket (each test runs on both)."""
    return storage_backend


def _count(db) -> int:
    return db.session.scalar(select(func.count(Document.id)))


# -- upload --------------------------------------------------------------------------------------


def test_owner_uploads_a_pdf_stored_under_a_random_name(api, world, db, uploads):
    app = world.new_application()
    data = pdf_bytes()
    r = api.as_(world.candidate).upload(app.id, "practice_log", data, "Log Praktik 2024.pdf")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["kind"] == "practice_log" and body["status"] == "pending"
    assert body["filename"] == "Log Praktik 2024.pdf"  # the candidate's own name, for display
    doc = db.session.get(Document, body["id"])
    assert len(doc.stored_name) == 32 and doc.stored_name != doc.filename
    stored = uploads.read(doc.stored_name)
    # What is stored is our rewrite of the PDF (sanitize.rewrite_pdf), not the bytes sent.
    assert stored.startswith(b"%PDF-") and stored != data
    assert doc.content_type == "application/pdf" and doc.size == len(stored)
    if uploads.local:
        assert oct(os.stat(uploads.path(doc.stored_name)).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "data, name, stored_as, kind",
    [
        (image_bytes("PNG"), "foto.png", "foto.png", "image/png"),
        (image_bytes("JPEG"), "foto.JPG", "foto.jpg", "image/jpeg"),
        (image_bytes("JPEG"), "foto.jpeg", "foto.jpeg", "image/jpeg"),
        (pdf_bytes(), "ijazah", "ijazah.pdf", "application/pdf"),
    ],
)
def test_images_are_accepted_and_names_get_the_right_extension(api, world, db, uploads, data, name, stored_as, kind):
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "photo", data, name)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["filename"] == stored_as
    assert db.session.get(Document, r.get_json()["id"]).content_type == kind


def test_a_path_traversal_name_is_harmless(api, world, db, uploads, tmp_path):
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "diploma", pdf_bytes(), "../../../../etc/passwd.pdf")
    assert r.status_code == 201
    assert r.get_json()["filename"] == "passwd.pdf"
    doc = db.session.get(Document, r.get_json()["id"])
    assert uploads.exists(doc.stored_name)
    assert uploads.list() == [doc.stored_name]
    r = api.as_(world.candidate).upload(app.id, "diploma", pdf_bytes(), "..")
    assert r.status_code == 201 and r.get_json()["filename"] == "document.pdf"


REFUSED = [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "ijazah.pdf", "program"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "ijazah.pdf", "program"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "ijazah.pdf", "HTML"),
    (b"\n  <html><body>surat</body></html>", "surat.pdf", "HTML"),
    (b"%PDF-1.7\n<html><script>alert(1)</script></html>", "ijazah.pdf", "not a real PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "foto.png", "not a real image"),
    (b"just some text", "notes.txt", "unknown format"),
    (b"PK\x03\x04" + b"\x00" * 100, "docs.pdf", "archive"),
]


@pytest.mark.parametrize("data, name, needle", REFUSED)
def test_content_that_is_not_a_document_is_refused_with_a_clear_message(api, world, db, uploads, data, name, needle):
    app = world.new_application()
    before = _count(db)
    r = api.as_(world.candidate).upload(app.id, "diploma", data, name)
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert needle in r.get_json()["error"]["message"]
    assert r.get_json()["error"]["fields"] == ["file"]
    assert _count(db) == before and uploads.list() == []


@pytest.mark.parametrize(
    "data, name, needle",
    [
        (image_bytes("PNG"), "ijazah.pdf", "ijazah.pdf is not a PDF but an image"),
        (pdf_bytes(), "setup.exe", "not .exe"),
        (pdf_bytes(), "page.html", "not .html"),
    ],
)
def test_a_name_that_contradicts_the_content_is_refused(api, world, uploads, data, name, needle):
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "diploma", data, name)
    assert r.status_code == 422 and needle in r.get_json()["error"]["message"]


def test_an_oversized_file_is_refused(api, world, db, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2048)
    draft = world.new_application()
    data = pdf_bytes("x" * 3000)
    big = data + b"%" + b"0" * 4096
    r = api.as_(world.candidate).upload(draft.id, "diploma", big, "big.pdf")
    assert r.status_code == 413 and error_code(r) == "too_large"
    assert "larger than the limit" in r.get_json()["error"]["message"]
    assert uploads.list() == []


def test_the_default_limit_is_5_mib(api, world, uploads, app):
    assert "UPLOAD_MAX_BYTES" not in app.config or app.config["UPLOAD_MAX_BYTES"] == 5 * 1024 * 1024
    draft = world.new_application()
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    r = api.as_(world.candidate).upload(draft.id, "diploma", big, "big.pdf")
    assert r.status_code == 413 and "5.0 MiB" in r.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "form, field",
    [
        ({"kind": "selfie"}, "kind"),
        ({}, "kind"),
        ({"kind": "diploma", "no_file": True}, "file"),
        ({"kind": "diploma", "empty": True}, "file"),
    ],
)
def test_kind_and_file_are_checked(api, world, uploads, form, field):
    import io

    app = world.new_application()
    data = {k: v for k, v in form.items() if k == "kind"}
    if not form.get("no_file"):
        data["file"] = (io.BytesIO(b"" if form.get("empty") else pdf_bytes()), "x.pdf")
    r = api.as_(world.candidate).post(
        f"/applications/{app.id}/documents", data=data, content_type="multipart/form-data"
    )
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]


def test_an_upload_that_is_not_multipart_is_400(api, world):
    app = world.new_application()
    r = api.as_(world.candidate).post(f"/applications/{app.id}/documents", json={"kind": "diploma"})
    assert r.status_code == 400 and error_code(r) == "bad_request"


def test_the_number_of_documents_is_capped(api, world, uploads, monkeypatch):
    # The draft already holds two, its two required kinds: twice those (room for one replacement each) is 4.
    monkeypatch.setattr(docs, "MAX_DOCUMENTS", 3)
    app = world.new_application()
    me = api.as_(world.candidate)
    for _ in range(2):
        assert me.upload(app.id, "other", pdf_bytes()).status_code == 201
    r = me.upload(app.id, "other", pdf_bytes())
    assert r.status_code == 422 and "at most 4 documents" in r.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "who, status", [("admin_batam", 403), ("sysadmin", 403), ("other_candidate", 404), ("admin_riau", 404)]
)
def test_only_the_owner_uploads(api, world, uploads, who, status):
    app = world.new_application()
    assert api.as_(getattr(world, who)).upload(app.id, "diploma", pdf_bytes()).status_code == status
    assert uploads.list() == []


def test_uploads_in_revision_but_not_after_submission(api, world, uploads):
    app = world.advance(world.new_application(), "submitted")
    me = api.as_(world.candidate)
    r = me.upload(app.id, "diploma", pdf_bytes())
    assert r.status_code == 409 and error_code(r) == "not_editable"
    world.fire(app, "request_revision", world.admin_batam, reason="Blurry", data={"deadline": "2999-12-31"})
    assert me.upload(app.id, "diploma", pdf_bytes()).status_code == 201


# -- download ------------------------------------------------------------------------------------


@pytest.fixture()
def with_file(api, world, uploads):
    """A draft with one real uploaded PDF: (application, document id, the bytes stored)."""
    app = world.new_application()
    data = pdf_bytes("Surat Kerja")
    doc_id = api.as_(world.candidate).upload(app.id, "work_letter", data, "surat_kerja.pdf").get_json()["id"]
    (stored,) = uploads.list()
    return app, doc_id, uploads.read(stored)


def test_owner_downloads_as_an_attachment_with_nosniff(api, world, with_file):
    app, doc_id, data = with_file
    r = api.as_(world.candidate).get(f"/documents/{doc_id}/file")
    assert r.status_code == 200 and r.data == data
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    assert "surat_kerja.pdf" in r.headers["Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Security-Policy"] == "sandbox" and r.headers["Cache-Control"] == "private, no-store"
    assert r.headers["Content-Length"] == str(len(data))  # streamed from the storage, its length known


@pytest.mark.parametrize(
    "who, in_draft, in_submitted",
    [
        ("admin_batam", 200, 200),
        ("admin_kepri", 200, 200),
        ("certifier", 404, 404),  # before a decision point (rule 8): tests/web/test_certifier_scope.py
        ("sysadmin", 404, 404),
        ("admin_riau", 404, 404),
        ("other_candidate", 404, 404),
    ],
)
def test_who_may_download(api, world, with_file, who, in_draft, in_submitted):
    app, doc_id, _ = with_file
    caller = api.as_(getattr(world, who))
    assert caller.get(f"/documents/{doc_id}/file").status_code == in_draft
    world.fire(app, "submit", world.candidate)
    assert caller.get(f"/documents/{doc_id}/file").status_code == in_submitted


def test_the_team_downloads_but_other_assessors_do_not(api, world, with_file):
    app, doc_id, _ = with_file
    world.advance(app, "team_assigned")
    assert api.as_(world.member.user).get(f"/documents/{doc_id}/file").status_code == 200
    assert api.as_(world.same_dinas_assessor.user).get(f"/documents/{doc_id}/file").status_code == 404


def test_unknown_or_missing_files_are_404(api, world, uploads):
    app = world.new_application()  # its documents have rows but no files
    assert api.as_(world.candidate).get(f"/documents/{app.documents[0].id}/file").status_code == 404
    assert api.as_(world.candidate).get("/documents/999999/file").status_code == 404


# -- review --------------------------------------------------------------------------------------


@pytest.fixture()
def submitted(world):
    return world.advance(world.new_application(), "submitted")


@pytest.mark.parametrize("who", ["admin_batam", "admin_kepri"])
def test_dinas_admins_mark_documents(api, world, submitted, who):
    doc = submitted.documents[0]
    r = api.as_(getattr(world, who)).patch(f"/documents/{doc.id}", json={"status": "valid"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "valid" and r.get_json()["id"] == doc.id
    r = api.as_(getattr(world, who)).patch(
        f"/documents/{doc.id}", json={"status": "invalid", "note": "Stempel tidak terbaca"}
    )
    assert r.get_json()["status"] == "invalid" and r.get_json()["note"] == "Stempel tidak terbaca"


@pytest.mark.parametrize(
    "who, status",
    [("candidate", 403), ("certifier", 404), ("sysadmin", 403), ("admin_riau", 404), ("other_candidate", 404)],
)
def test_others_may_not_mark_documents(api, world, submitted, who, status):
    r = api.as_(getattr(world, who)).patch(f"/documents/{submitted.documents[0].id}", json={"status": "valid"})
    assert r.status_code == status


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "invalid"}, "note"),
        ({"status": "invalid", "note": "  "}, "note"),
        ({"status": "fine"}, "status"),
        ({"status": "valid", "note": "x" * 1001}, "note"),
        ({"status": "valid", "reviewer": "me"}, "reviewer"),
    ],
)
def test_bad_reviews_are_422(api, world, submitted, body, field):
    r = api.as_(world.admin_batam).patch(f"/documents/{submitted.documents[0].id}", json=body)
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]


def test_review_body_must_be_an_object(api, world, submitted):
    r = api.as_(world.admin_batam).patch(f"/documents/{submitted.documents[0].id}", data="valid")
    assert r.status_code == 400


@pytest.mark.parametrize("state", ["draft", "eligible"])
def test_documents_are_reviewed_only_while_submitted(api, world, state):
    app = world.advance(world.new_application(), state)
    r = api.as_(world.admin_batam).patch(f"/documents/{app.documents[0].id}", json={"status": "valid"})
    assert r.status_code == 409 and error_code(r) == "not_editable"


def test_a_review_moves_the_applications_version(api, world, submitted):
    admin = api.as_(world.admin_batam)
    version = admin.get(f"/applications/{submitted.id}").get_json()["version"]
    for doc in submitted.documents:
        admin.patch(f"/documents/{doc.id}", json={"status": "valid"})
    r = admin.event(submitted.id, "approve", version=version)
    assert r.status_code == 409 and error_code(r) == "stale_version"
    fresh = admin.get(f"/applications/{submitted.id}").get_json()
    assert fresh["version"] == version + 2
    assert admin.event(submitted.id, "approve", version=fresh["version"]).status_code == 200


# -- delete --------------------------------------------------------------------------------------


def test_owner_deletes_a_document_and_its_file(api, world, db, with_file, uploads):
    app, doc_id, _ = with_file
    stored = db.session.get(Document, doc_id).stored_name
    r = api.as_(world.candidate).delete(f"/documents/{doc_id}")
    assert r.status_code == 204
    db.session.expire_all()
    assert db.session.get(Document, doc_id) is None
    assert not uploads.exists(stored)


@pytest.mark.parametrize("who, status", [("admin_batam", 403), ("sysadmin", 403), ("admin_riau", 404)])
def test_others_may_not_delete(api, world, with_file, who, status):
    _, doc_id, _ = with_file
    assert api.as_(getattr(world, who)).delete(f"/documents/{doc_id}").status_code == status


def test_no_deletion_after_submission(api, world, with_file):
    app, doc_id, _ = with_file
    world.fire(app, "submit", world.candidate)
    r = api.as_(world.candidate).delete(f"/documents/{doc_id}")
    assert r.status_code == 409 and error_code(r) == "not_editable"
