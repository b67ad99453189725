"""Hostile but valid files (issue 15's probe list): each is refused, or stored rewritten with its active content gone.

The files are built here with pypdf and Pillow. A stored file is read back from the upload directory
and checked byte by byte and object by object.
"""

from __future__ import annotations

import io
import random
import struct
import time
import tracemalloc
import zlib

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from werkzeug.datastructures import FileStorage

from certflow import storage
from certflow.applications import documents as docs
from certflow.applications import sanitize
from certflow.core.errors import InvalidInput
from tests.web.test_api_applications_support import image_bytes, pdf_bytes

SCRIPT = "app.alert('pwned')"


def _n(name: str) -> NameObject:
    return NameObject(name)


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_bytes("Ijazah asli"))))
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _js_action(writer: PdfWriter, script: str = SCRIPT) -> DictionaryObject:
    """A JavaScript action whose script is a stream (its bytes readable in the file)."""
    code = DecodedStreamObject()
    code.set_data(script.encode())
    js = writer._add_object(code)
    return DictionaryObject({_n("/Type"): _n("/Action"), _n("/S"): _n("/JavaScript"), _n("/JS"): js})


def pdf_open_action_js() -> bytes:
    writer = _writer()
    writer._root_object[_n("/OpenAction")] = writer._add_object(_js_action(writer))
    scripts = DictionaryObject(
        {_n("/Names"): ArrayObject([TextStringObject("boot"), writer._add_object(_js_action(writer))])}
    )
    writer._root_object[_n("/Names")] = DictionaryObject({_n("/JavaScript"): scripts})
    return _bytes(writer)


def pdf_page_actions() -> bytes:
    """Page /AA JavaScript, a /Launch link and a JavaScript link chained with /Next."""
    writer = _writer()
    page = writer.pages[0]
    page[_n("/AA")] = DictionaryObject({_n("/O"): _js_action(writer)})
    launch = DictionaryObject(
        {_n("/S"): _n("/Launch"), _n("/F"): TextStringObject("cmd.exe"), _n("/Next"): _js_action(writer)}
    )
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(100), FloatObject(100)])
    link = DictionaryObject({_n("/Type"): _n("/Annot"), _n("/Subtype"): _n("/Link"), _n("/Rect"): rect})
    link[_n("/A")] = launch
    uri = DictionaryObject({_n("/Type"): _n("/Annot"), _n("/Subtype"): _n("/Link"), _n("/Rect"): rect})
    uri[_n("/A")] = DictionaryObject({_n("/S"): _n("/URI"), _n("/URI"): TextStringObject("https://example.org/")})
    page[_n("/Annots")] = ArrayObject([writer._add_object(link), writer._add_object(uri)])
    return _bytes(writer)


def pdf_embedded_file() -> bytes:
    """An attached program in /Names /EmbeddedFiles, and a FileAttachment annotation on the page."""
    writer = _writer()
    writer.add_attachment("setup.exe", b"MZ evil program")
    page = writer.pages[0]
    spec_stream = DecodedStreamObject()
    spec_stream.set_data(b"MZ second evil program")
    spec = DictionaryObject(
        {
            _n("/Type"): _n("/Filespec"),
            _n("/F"): TextStringObject("run.exe"),
            _n("/EF"): DictionaryObject({_n("/F"): writer._add_object(spec_stream)}),
        }
    )
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(10), FloatObject(10)])
    annot = DictionaryObject(
        {_n("/Type"): _n("/Annot"), _n("/Subtype"): _n("/FileAttachment"), _n("/Rect"): rect, _n("/FS"): spec}
    )
    page[_n("/Annots")] = ArrayObject([writer._add_object(annot)])
    return _bytes(writer)


def pdf_form_scripts() -> bytes:
    """An AcroForm with XFA and a field whose keystroke action runs JavaScript, and a RichMedia annotation."""
    writer = _writer()
    page = writer.pages[0]
    rect = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(20)])
    field = DictionaryObject(
        {
            _n("/Type"): _n("/Annot"),
            _n("/Subtype"): _n("/Widget"),
            _n("/FT"): _n("/Tx"),
            _n("/T"): TextStringObject("nama"),
            _n("/Rect"): rect,
            _n("/AA"): DictionaryObject({_n("/K"): _js_action(writer)}),
        }
    )
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp><script contentType='application/x-javascript'>app.alert(1)</script></xdp:xdp>")
    field_ref = writer._add_object(field)
    writer._root_object[_n("/AcroForm")] = DictionaryObject(
        {_n("/Fields"): ArrayObject([field_ref]), _n("/XFA"): writer._add_object(xfa)}
    )
    media = DictionaryObject(
        {
            _n("/Type"): _n("/Annot"),
            _n("/Subtype"): _n("/RichMedia"),
            _n("/Rect"): rect,
            _n("/RichMediaContent"): DictionaryObject(),
        }
    )
    page[_n("/Annots")] = ArrayObject([field_ref, writer._add_object(media)])
    return _bytes(writer)


def pdf_with_html_in_its_head() -> bytes:
    """A PDF/HTML polyglot: a browser sniffing the first kilobyte sees a page with a script."""
    data = pdf_bytes()
    first_line_end = data.index(b"\n") + 1
    return (
        data[:first_line_end]
        + b"%<html><body><script>alert(document.domain)</script></body></html>\n"
        + data[first_line_end:]
    )


def pdf_with_html_after_eof() -> bytes:
    return pdf_bytes() + b"\n<html><script>alert(1)</script></html>\n"


def zeros_deflated(size_mib: int) -> bytes:
    """A zlib stream of ``size_mib`` MiB of zeros (about 1 KB per MiB), built without holding the zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    mib = bytes(1 << 20)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    check = 1
    for _ in range(size_mib):
        check = zlib.adler32(mib, check)
    return b"\x78\xda" + first + middle * (size_mib - 1) + compressor.flush() + check.to_bytes(4, "big")


def pdf_bomb(size_mib: int = 1024) -> bytes:
    """A one-page PDF of about 1 MB whose content stream inflates to ``size_mib`` MiB."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    stream = StreamObject()
    stream._data = zeros_deflated(size_mib)
    stream[_n("/Filter")] = _n("/FlateDecode")
    page[_n("/Contents")] = writer._add_object(stream)
    return _bytes(writer)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_of_pixels(width: int, height: int) -> bytes:
    """A well-formed PNG header claiming ``width`` × ``height`` (only its first row is really there)."""
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    data = _png_chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1)))
    return b"\x89PNG\r\n\x1a\n" + header + data + _png_chunk(b"IEND", b"")


def png_with_html_after_iend(size: int = 64) -> bytes:
    """A PNG of noise (``size`` × ``size``) with a page after its end; a small one puts the page in the first KB."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), random.Random(size).randbytes(size * size * 3)).save(buffer, "PNG")
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def png_with_text_chunks() -> bytes:
    """A PNG whose text chunk, past the first kilobyte, holds a page; and a comment with the author's name."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Siti Rahma, NIK 3171xxxxxxxx")
    info.add_text("Comment", "x" * 1500 + "<html><script>alert(1)</script></html>")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_with_html_comment() -> bytes:
    """A JPEG/HTML polyglot: the page sits in a comment segment right after the start of the image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG", comment=b"<html><script>alert(1)</script></html>")
    return buffer.getvalue()


def jpeg_rotated_with_gps_and_trailer() -> bytes:
    """A JPEG 40 × 20 whose EXIF says "turn 90°" and names a place, with a ZIP after the end of the image."""
    from PIL import Image

    image = Image.new("RGB", (40, 20), (30, 30, 200))
    exif = image.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "KameraRahasia"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue() + b"PK\x03\x04" + b"hidden archive" * 10


# -- helpers ------------------------------------------------------------------------------------


def _file(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def _store(world, db, app, data: bytes, name: str):
    draft = world.new_application()
    with app.test_request_context("/?lang=id"):
        doc = docs.upload_document(draft, world.candidate, "diploma", _file(data, name))
    db.session.commit()
    return doc, storage.current().read(doc.stored_name)


def _refusal(world, app, data: bytes, name: str) -> str:
    draft = world.new_application()
    with app.test_request_context("/?lang=id"), pytest.raises(InvalidInput) as excinfo:
        docs.upload_document(draft, world.candidate, "diploma", _file(data, name))
    assert list(excinfo.value.fields) == ["file"]
    return excinfo.value.fields["file"]


def _all_keys(data: bytes) -> set[str]:
    """Every dictionary key and name value reachable from the trailer of a PDF."""
    from pypdf.generic import IndirectObject

    reader = PdfReader(io.BytesIO(data))
    found, seen, stack = set(), set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            obj = obj.get_object()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            found |= set(obj.keys()) | {str(v) for v in obj.values() if isinstance(v, NameObject)}
            stack.extend(obj.values())
        elif isinstance(obj, list):
            stack.extend(obj)
    return found


ACTIVE = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles", "/EF", "/AcroForm", "/XFA"}
ACTIVE |= {"/RichMedia", "/RichMediaContent", "/FileAttachment"}


# -- PDFs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, gone",
    [
        pytest.param(pdf_open_action_js, [b"app.alert", b"/JavaScript", b"/OpenAction"], id="open-action-js"),
        pytest.param(pdf_page_actions, [b"app.alert", b"/Launch", b"/AA"], id="page-aa-launch"),
        pytest.param(pdf_embedded_file, [b"evil program", b"/EmbeddedFiles", b"/FileAttachment"], id="attached"),
        pytest.param(pdf_form_scripts, [b"app.alert", b"/XFA", b"/AcroForm", b"/RichMedia"], id="forms-xfa-media"),
        pytest.param(pdf_with_html_after_eof, [b"<html", b"<script"], id="html-after-eof"),
    ],
)
def test_a_pdf_with_active_content_is_stored_without_it(world, db, app, build, gone):
    hostile = build()
    for needle in gone:
        assert needle in hostile  # the test file really carries it
    doc, stored = _store(world, db, app, hostile, "ijazah.pdf")
    for needle in gone:
        assert needle not in stored
    assert not _all_keys(stored) & ACTIVE
    assert sanitize.active_content(stored) == set()
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1 and "Ijazah" in reader.pages[0].extract_text()
    assert doc.size == len(stored) and doc.content_type == "application/pdf"


def test_a_plain_link_survives_the_rewrite(world, db, app):
    _doc, stored = _store(world, db, app, pdf_page_actions(), "ijazah.pdf")
    annotations = [a.get_object() for a in PdfReader(io.BytesIO(stored)).pages[0]["/Annots"]]
    assert [a["/A"]["/URI"] for a in annotations if "/A" in a] == ["https://example.org/"]
    assert len(annotations) == 2  # the launch link stays a link, without its action


def test_a_pdf_html_polyglot_is_refused_in_plain_words(world, db, app):
    message = _refusal(world, app, pdf_with_html_in_its_head(), "ijazah.pdf")
    assert "berisi kode halaman web" in message


def test_a_1_mb_pdf_inflating_to_1_gib_is_refused_quickly_and_without_the_memory(world, db, app):
    bomb = pdf_bomb(1024)
    assert len(bomb) < 1_200_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = _refusal(world, app, bomb, "bom.pdf")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "lebih dari 100 MiB" in message
    assert elapsed < 5, elapsed  # about 0.1 s alone; the machine is shared
    assert peak < 64 * 1024 * 1024, peak


def test_a_pdf_that_inflates_within_the_budget_is_kept(world, db, app):
    _doc, stored = _store(world, db, app, pdf_bomb(20), "laporan.pdf")
    assert len(stored) < 100_000  # still compressed as sent: the budget counted it, nothing expanded it


# -- images -------------------------------------------------------------------------------------


def test_a_100_megapixel_png_is_refused_in_words(world, db, app):
    message = _refusal(world, app, png_of_pixels(10_000, 10_000), "foto.png")
    assert "terlalu besar" in message and "40 megapiksel" in message


def test_a_png_beyond_pillows_own_bomb_limit_is_refused_in_words(world, db, app):
    message = _refusal(world, app, png_of_pixels(20_000, 20_000), "foto.png")
    assert "terlalu besar" in message


def test_html_after_iend_is_dropped_by_the_reencode(world, db, app):
    from PIL import Image

    hostile = png_with_html_after_iend(64)
    assert len(hostile) > 4096
    doc, stored = _store(world, db, app, hostile, "foto.png")
    assert b"<html" not in stored.lower() and stored.endswith(b"IEND\xaeB`\x82")
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(hostile)).tobytes()
    assert doc.content_type == "image/png" and doc.filename == "foto.png"


def test_a_small_png_with_html_after_iend_is_refused(world, db, app):
    message = _refusal(world, app, png_with_html_after_iend(4), "foto.png")
    assert "berisi kode halaman web" in message


def test_png_text_chunks_are_dropped(world, db, app):
    _doc, stored = _store(world, db, app, png_with_text_chunks(), "foto.png")
    assert b"Siti Rahma" not in stored and b"<html" not in stored and b"tEXt" not in stored


def test_a_jpeg_html_polyglot_is_refused_in_plain_words(world, db, app):
    message = _refusal(world, app, jpeg_with_html_comment(), "foto.jpg")
    assert "berisi kode halaman web" in message


def test_a_jpeg_is_turned_upright_and_loses_its_exif_and_trailer(world, db, app):
    from PIL import Image

    doc, stored = _store(world, db, app, jpeg_rotated_with_gps_and_trailer(), "foto.jpg")
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (20, 40)  # the orientation applied
    assert not image.getexif() and b"KameraRahasia" not in stored
    assert b"PK\x03\x04" not in stored and stored.endswith(b"\xff\xd9")
    assert doc.content_type == "image/jpeg"


@pytest.mark.parametrize(
    "fmt, name, stored_as, content_type",
    [
        ("PNG", "foto.jpg", "foto.png", "image/png"),
        ("PNG", "foto.JPEG", "foto.png", "image/png"),
        ("JPEG", "scan.png", "scan.jpg", "image/jpeg"),
    ],
)
def test_an_image_named_as_the_other_image_type_is_accepted_as_what_it_is(
    world, db, app, fmt, name, stored_as, content_type
):
    from PIL import Image

    doc, stored = _store(world, db, app, image_bytes(fmt), name)
    assert doc.filename == stored_as and doc.content_type == content_type
    assert Image.open(io.BytesIO(stored)).format == fmt


@pytest.mark.parametrize(
    "data, name, words",
    [
        (image_bytes("PNG"), "ijazah.pdf", "bukan PDF, melainkan gambar"),
        (pdf_bytes(), "foto.jpg", "bukan gambar, melainkan PDF"),
    ],
)
def test_a_pdf_and_an_image_mistaken_for_each_other_are_refused_in_words(world, db, app, data, name, words):
    message = _refusal(world, app, data, name)
    assert words in message and "image/" not in message and "application/" not in message


# -- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, shown",
    [
        ("résumé 文件.pdf", "résumé 文件.pdf"),
        ("Ijazah S1.pdf", "Ijazah S1.pdf"),
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\fakepath\\Surat Tugas.pdf", "Surat Tugas.pdf"),
        ("ija\x00zah\x07.pdf", "ijazah.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),  # the bidi override that shows "exe.pdf" as "fdp.exe"
        ("zero\u200bwidth\u2066.pdf", "zerowidth.pdf"),
        ('a<b>c:"d"|e?*.pdf', "a_b_c__d__e__.pdf"),
        ("tab\tand\nnewline.pdf", "tab and newline.pdf"),
        ("...", ""),
        ("..", ""),
    ],
)
def test_display_names_keep_unicode_and_lose_what_could_deceive(given, shown):
    assert sanitize.clean_filename(given) == shown


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = sanitize.clean_filename("ÿ" * 400 + ".pdf")
    assert len(name) == sanitize.NAME_MAX and name.endswith("ÿ.pdf")


def test_a_unicode_name_is_downloaded_as_rfc_5987(world, db, app):
    doc, _stored = _store(world, db, app, pdf_bytes(), "résumé 文件.pdf")
    assert doc.filename == "résumé 文件.pdf"
    with app.test_request_context("/?lang=id"):
        response = docs.file_response(doc)
    disposition = response.headers["Content-Disposition"]
    response.close()
    # Werkzeug: an ASCII fallback for old clients, and the Unicode name as RFC 5987 filename*.
    assert (
        disposition
        == "attachment; filename=\"resume .pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%96%87%E4%BB%B6.pdf"
    )
    disposition.encode("latin-1")  # a header a server can send
