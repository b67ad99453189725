"""The dinas admin's review of an application's documents: openings recorded, "mark all valid", replacements."""

from __future__ import annotations

from sqlalchemy import select

from certflow import storage
from certflow.models import Application, Document, DocumentOpening
from tests.web.test_pages_admin_support import admin_browser, submitted
from tests.web.test_pages_support import csrf_token, fresh


def _page(browser, application) -> str:
    return browser.get(f"/admin/verification/{application.id}").text


def _open(browser, doc) -> None:
    with browser.app.app_context():
        store = storage.current()
        store.put(doc.stored_name, b"%PDF-1.4 test", replace=True)
    try:
        assert browser.get(f"/admin/documents/{doc.id}/file").status_code == 200
    finally:
        with browser.app.app_context():
            storage.current().delete(doc.stored_name)


def _mark_all(browser, application):
    token = csrf_token(_page(browser, application))
    return browser.post(f"/admin/verification/{application.id}/documents/all-valid", data={"csrf_token": token})


def test_the_documents_are_one_table_with_kind_file_upload_time_status_and_review(app, world, db):
    application = submitted(world)
    page = _page(admin_browser(app, world.admin_batam), application)
    table = page.split('<table class="doc-table">')[1].split("</table>")[0]
    headers = [
        h.split(">", 1)[1].split("<")[0] for h in table.split("<thead>")[1].split("</thead>")[0].split("<th")[1:]
    ]
    assert headers == ["Document", "File", "Uploaded", "Status", "Review"]
    assert table.count('<tr class="doc-row ') == len(application.documents)
    for d in application.documents:
        assert d.filename in table and f'action="/admin/documents/{d.id}/review"' in table
    assert "diploma" not in table.replace("diploma.pdf", "")  # the kind by its label, never its code


def test_mark_all_valid_is_offered_only_once_this_admin_opened_every_document(app, world, db):
    application = submitted(world)
    first, second = application.documents
    browser = admin_browser(app, world.admin_batam)
    page = _page(browser, application)
    assert 'id="mark-all-valid"' not in page and 'id="mark-all-hint"' in page
    assert page.count("Not opened yet") == 2
    refused = _mark_all(browser, application)
    assert refused.status_code == 422 and 'id="all-valid-error"' in refused.text
    assert first.filename in refused.text.split('id="all-valid-error"')[1].split("</div>")[0]
    _open(browser, first)
    _open(browser, first)  # opening twice is one opening
    fresh(db)
    openings = db.session.scalars(select(DocumentOpening).where(DocumentOpening.document_id == first.id)).all()
    assert [(o.user_id, o.opened_at is not None) for o in openings] == [(world.admin_batam.id, True)]
    page = _page(browser, application)
    assert 'id="mark-all-valid"' not in page and "Opened by you" in page
    # Another admin's opening does not count for this one.
    other = admin_browser(app, world.admin_kepri)
    _open(other, second)
    assert 'id="mark-all-valid"' not in _page(browser, application)
    assert _mark_all(browser, application).status_code == 422
    _open(browser, second)
    page = _page(browser, application)
    assert 'id="mark-all-valid"' in page and "Mark all 2 documents valid" in page
    done = _mark_all(browser, application)
    assert done.status_code == 303
    fresh(db)
    docs = db.session.get(Application, application.id).documents
    assert {(d.status, d.reviewed_by_id) for d in docs} == {("valid", world.admin_batam.id)}
    after = browser.get(done.headers["Location"]).text
    assert "2 documents marked valid." in after and 'id="mark-all-valid"' not in after


def test_a_replacement_is_marked_as_the_replacement_of_the_invalid_document(app, world, db):
    application = submitted(world)
    first, second = application.documents
    second.status, second.note = "invalid", "The scan is blurred"
    db.session.add(
        Document(
            application_id=application.id,
            kind=second.kind,
            filename="new-scan.pdf",
            stored_name=f"{application.id}-new",
            content_type="application/pdf",
            size=2048,
        )
    )
    db.session.commit()
    page = _page(admin_browser(app, world.admin_batam), application)
    rows = page.split('<table class="doc-table">')[1].split("<tbody>")[1].split("<tr ")[1:]
    old = next(r for r in rows if f'id="doc-{second.id}"' in r)
    new = next(r for r in rows if "new-scan.pdf" in r and f'id="doc-{second.id}"' not in r)
    assert "Replaced by new-scan.pdf." in old and "/review" not in old  # the invalid one is no longer reviewed
    assert "Replacement" in new and f"Replaces {second.filename}, marked invalid." in new and "/review" in new
    assert "Replacement" not in next(r for r in rows if f'id="doc-{first.id}"' in r)
