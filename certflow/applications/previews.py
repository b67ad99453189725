"""Previews of uploaded documents for their reviewers: a small PNG drawn by certflow itself.

The uploaded file is never shown inline on our origin (it is only ever downloaded as an
attachment); what the review page shows is an image *we* render from it: the first page of a
PDF drawn by PDFium (pypdfium2), or the image scaled down by Pillow, re-encoded as PNG. The
stored files were already made harmless on upload (``sanitize``); the preview is bounded in size
(``WIDTH`` px wide, ``MAX_HEIGHT`` px high) whatever the page.
"""

from __future__ import annotations

import io

from certflow import storage
from certflow.models import Document

WIDTH = 720
MAX_HEIGHT = 1400
MAX_PAGE_POINTS = 14_400  # a page side above 200 inches is no document page: no preview


class NoPreview(Exception):
    """The document cannot be previewed (its file is gone or does not draw)."""


def _png(image) -> bytes:
    from PIL import Image

    image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    image.thumbnail((WIDTH, MAX_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pdf_first_page(data: bytes):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise NoPreview from exc
    try:
        if len(pdf) < 1:
            raise NoPreview
        page = pdf[0]
        width, height = page.get_size()
        if not (0 < width <= MAX_PAGE_POINTS and 0 < height <= MAX_PAGE_POINTS):
            raise NoPreview
        scale = min(WIDTH / width, MAX_HEIGHT / height)
        return page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def preview_png(doc: Document) -> bytes:
    """The PNG preview of ``doc`` (the first page of a PDF, or the image); ``NoPreview`` if there is none."""
    from PIL import Image

    store = storage.current()
    try:
        data = store.read(doc.stored_name)
    except FileNotFoundError as exc:
        raise NoPreview from exc
    if doc.content_type == "application/pdf":
        return _png(_pdf_first_page(data))
    if doc.content_type in ("image/png", "image/jpeg"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return _png(image)
        except (OSError, Image.DecompressionBombError) as exc:
            raise NoPreview from exc
    raise NoPreview
