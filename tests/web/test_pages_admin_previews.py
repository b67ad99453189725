"""Previews on the dinas admin's review page: an image certflow draws of each document (a PDF's first
page, or the image scaled down), never the uploaded file inline; who may see them; files that do not draw."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from certflow import storage
from tests.web.test_pages_admin_support import admin_browser, submitted
from tests.web.test_pages_support import Browser


def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFillColorRGB(0, 0, 0)
    page.rect(0, A4[1] / 2, A4[0], A4[1] / 2, fill=1)  # the upper half black
    page.drawString(72, 72, "Ijazah")
    page.showPage()
    page.drawString(72, 72, "Halaman 2")
    page.save()
    return out.getvalue()


def _png(size=(3000, 1000)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _store(app, doc, data: bytes, content_type: str) -> None:
    from certflow.extensions import db

    doc.content_type = content_type
    db.session.commit()
    with app.app_context():
        storage.current().put(doc.stored_name, data, replace=True)


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def test_a_pdfs_first_page_is_drawn_as_a_small_png(app, world, db):
    application = submitted(world)
    doc = application.documents[0]
    _store(app, doc, _pdf(), "application/pdf")
    browser = admin_browser(app, world.admin_batam)
    page = browser.get(f"/admin/verification/{application.id}").text
    assert f'src="/admin/documents/{doc.id}/preview"' in page and 'loading="lazy"' in page
    image = _image(browser.get(f"/admin/documents/{doc.id}/preview"))
    assert image.width == 720 and image.height <= 1400
    rgb = image.convert("RGB")
    assert rgb.getpixel((360, 100)) == (0, 0, 0)  # the black upper half of the first page
    assert rgb.getpixel((360, image.height - 200)) == (255, 255, 255)


def test_an_image_is_scaled_down_and_re_encoded(app, world, db):
    application = submitted(world)
    doc = application.documents[0]
    _store(app, doc, _png(), "image/png")
    image = _image(admin_browser(app, world.admin_batam).get(f"/admin/documents/{doc.id}/preview"))
    assert image.size == (720, 240)
    assert image.convert("RGB").getpixel((10, 10)) == (200, 30, 30)


def test_a_file_that_is_gone_or_does_not_draw_has_no_preview_not_an_error(app, world, db):
    application = submitted(world)
    gone, broken = application.documents[0], application.documents[1]
    _store(app, broken, b"%PDF-1.4 not really a pdf", "application/pdf")
    browser = admin_browser(app, world.admin_batam)
    assert browser.get(f"/admin/documents/{gone.id}/preview").status_code == 404
    assert browser.get(f"/admin/documents/{broken.id}/preview").status_code == 404


def test_the_preview_counts_as_no_opening(app, world, db):
    application = submitted(world)
    doc = application.documents[0]
    _store(app, doc, _pdf(), "application/pdf")
    browser = admin_browser(app, world.admin_batam)
    assert browser.get(f"/admin/documents/{doc.id}/preview").status_code == 200
    page = browser.get(f"/admin/verification/{application.id}").text
    row = page.split(f'id="doc-{doc.id}"')[1].split("</tr>")[0]
    assert "Not opened yet" in row


@pytest.mark.parametrize("who", ["candidate", "certifier", "sysadmin", "lead", "admin_riau"])
def test_others_do_not_see_the_preview(app, world, db, who):
    application = submitted(world)
    doc = application.documents[0]
    _store(app, doc, _pdf(), "application/pdf")
    user = getattr(world, who)
    answer = Browser(app).login(getattr(user, "user", user)).get(f"/admin/documents/{doc.id}/preview")
    assert answer.status_code in (403, 404), answer.status_code


def test_anonymous_is_sent_to_login(app, world):
    application = submitted(world)
    answer = Browser(app).get(f"/admin/documents/{application.documents[0].id}/preview")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
