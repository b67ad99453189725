"""Hostile files through the API and the candidate's documents page: refused in plain words, or stored rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.applications import sanitize
from certflow.models import Document
from tests.integration.test_uploads_harmless import (
    jpeg_with_html_comment,
    pdf_bomb,
    pdf_open_action_js,
    pdf_with_html_in_its_head,
    png_of_pixels,
)
from tests.web.test_api_applications_support import Api, error_code, image_bytes, pdf_bytes
from tests.web.test_pages_candidate_support import bare_draft, browser, upload
from tests.web.test_pages_support import fresh


@pytest.fixture()
def api(client):
    return Api(client)


@pytest.fixture()
def uploads(app):
    """The application's file storage (the local folder: what is stored does not depend on where), emptied."""
    from certflow.storage import Storage, storage_url

    store = Storage(storage_url(app))
    for name in store.list():
        store.delete(name)
    return store


def _count(db) -> int:
    fresh(db)
    return db.session.scalar(select(func.count(Document.id)))


# -- API -----------------------------------------------------------------------------------------


def test_a_pdf_with_javascript_is_stored_and_served_without_it(api, world, uploads):
    app = world.new_application()
    hostile = pdf_open_action_js()
    r = api.as_(world.candidate).upload(app.id, "diploma", hostile, "ijazah.pdf")
    assert r.status_code == 201, r.get_json()
    served = api.as_(world.candidate).get(f"/documents/{r.get_json()['id']}/file")
    assert served.status_code == 200 and served.data.startswith(b"%PDF-")
    assert b"app.alert" not in served.data and b"/OpenAction" not in served.data
    assert sanitize.active_content(served.data) == set()


@pytest.mark.parametrize(
    "build, name, words",
    [
        (pdf_with_html_in_its_head, "ijazah.pdf", "web-page code"),
        (jpeg_with_html_comment, "foto.jpg", "web-page code"),
        (lambda: png_of_pixels(10_000, 10_000), "foto.png", "the image is too large: at most 40 megapixels"),
        (lambda: pdf_bomb(1024), "bom.pdf", "expands to more than 100 MiB"),
    ],
    ids=["pdf-html", "jpeg-html", "100-megapixels", "inflation-bomb"],
)
def test_hostile_files_are_refused_by_the_api_in_words(api, world, db, uploads, build, name, words):
    app = world.new_application()
    before = _count(db)
    r = api.as_(world.candidate).upload(app.id, "diploma", build(), name)
    assert r.status_code == 422 and error_code(r) == "validation_error"
    message = r.get_json()["error"]["message"]
    assert words in message and "image/" not in message and "application/" not in message
    assert r.get_json()["error"]["fields"] == ["file"]
    assert _count(db) == before and uploads.list() == []


def test_a_png_named_jpg_is_accepted_as_a_png(api, world, db, uploads):
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "photo", image_bytes("PNG"), "pas foto.jpg")
    assert r.status_code == 201 and r.get_json()["filename"] == "pas foto.png"
    doc = db.session.get(Document, r.get_json()["id"])
    assert doc.content_type == "image/png"
    served = api.as_(world.candidate).get(f"/documents/{doc.id}/file")
    assert served.headers["Content-Type"] == "image/png" and served.data.startswith(b"\x89PNG")


def test_a_unicode_name_is_kept_and_sent_as_filename_star(api, world, uploads):
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "diploma", pdf_bytes(), "résumé 文件.pdf")
    assert r.status_code == 201 and r.get_json()["filename"] == "résumé 文件.pdf"
    served = api.as_(world.candidate).get(f"/documents/{r.get_json()['id']}/file")
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%96%87%E4%BB%B6.pdf" in disposition


def test_a_bidi_override_never_reaches_the_name(api, world, uploads):
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "diploma", pdf_bytes(), "ijazah\u202efdp.exe.pdf")
    assert r.status_code == 201 and r.get_json()["filename"] == "ijazahfdp.exe.pdf"


# -- the page ------------------------------------------------------------------------------------


def test_the_page_refuses_a_polyglot_in_indonesian_and_stores_nothing(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    b = browser(app, world.candidate)
    b.get("/?lang=id")
    response = upload(b, draft.id, "diploma", pdf_with_html_in_its_head(), "ijazah.pdf")
    assert response.status_code == 422
    assert "berkas ini berisi kode halaman web" in response.text
    assert 'id="file-error"' in response.text
    assert _count(db) == 0 and uploads.list() == []


def test_the_page_refuses_a_100_megapixel_png_in_words(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    response = upload(browser(app, world.candidate), draft.id, "photo", png_of_pixels(10_000, 10_000), "foto.png")
    assert response.status_code == 422 and "the image is too large" in response.text
    assert _count(db) == 0


def test_the_page_accepts_a_jpeg_named_png_as_a_jpeg(app, world, db, uploads):
    draft = bare_draft(world.candidate, world.scheme)
    response = upload(browser(app, world.candidate), draft.id, "photo", image_bytes("JPEG"), "foto.png")
    assert response.status_code == 303
    fresh(db)
    doc = db.session.scalars(select(Document).where(Document.application_id == draft.id)).one()
    assert doc.filename == "foto.jpg" and doc.content_type == "image/jpeg"
