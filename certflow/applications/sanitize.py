"""Uploads made harmless: what is stored is a file we wrote, never the bytes a stranger sent.

A PDF is rewritten page by page with pypdf, keeping what a reader draws and dropping what a reader
runs: JavaScript, open and page actions, launch and form-submit actions, embedded and attached
files, rich media, AcroForm and XFA. Its streams are inflated, in small pieces and without keeping
the output, against a budget (``PDF_MAX_DECODED_BYTES``), so a "1 MB inflating to 1 GiB" bomb is
refused in a fraction of a second. An image is decoded by Pillow within a pixel cap, turned upright
(EXIF orientation) and encoded again in its own format with no metadata, so anything after the
image's end (HTML after IEND, a ZIP after EOI) and every text chunk is gone. A file whose first
kilobyte holds web-page markup (a PDF/HTML or JPEG/HTML polyglot) is refused, and so is any
rewritten file in which markup remains.

Display names keep the candidate's own Unicode (``résumé 文件.pdf``) without path parts, control or
bidirectional-override characters, within a length; the download sends them as RFC 5987 ``filename*``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zlib

from flask_babel import gettext as _

from certflow.applications.operations import raise_if_errors
from certflow.core.errors import InvalidInput

PDF_MAX_DECODED_BYTES = 100 * 1024 * 1024
MAX_PIXELS = 40_000_000
NAME_MAX = 150
MARKUP_WINDOW = 1024
# Lowercase; each long enough that compressed bytes do not hold it by chance.
MARKUP = (
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<!doctype",
    b"<meta",
    b"<object",
    b"<embed",
    b"<style",
    b"<form",
    b"javascript:",
)

# Dictionary keys that carry actions, scripts, forms or files a reader would open.
ACTIVE_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
        "/AcroForm",
    }
)
SAFE_ACTIONS = frozenset({"/GoTo", "/URI", "/Named"})
UNSAFE_ACTION_NAMES = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/GoToR", "/GoToE"}
    | {"/Rendition", "/Movie", "/Sound", "/Hide", "/SetOCGState", "/Trans", "/GoTo3DView", "/RichMediaExecute"}
)
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
FLATE = frozenset({"/FlateDecode", "/Fl"})
IMAGE_CODECS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode"})
_CHUNK = 256 * 1024


def refuse(message: str) -> None:
    """Refuse the upload, the message shown beside the file field."""
    raise_if_errors({"file": message})


def markup_message() -> str:
    """Why a file holding web-page code is refused, in plain words."""
    return _(
        "this file contains web-page code (HTML or script), which a document must not hold; "
        "save the document again as a plain PDF or image and upload it again"
    )


def pixels_message() -> str:
    """Why an image with too many pixels is refused, in plain words."""
    return _(
        "the image is too large: at most %(most)s megapixels are accepted; make it smaller and upload it again",
        most=MAX_PIXELS // 1_000_000,
    )


def has_markup(data: bytes) -> bool:
    """Whether the bytes hold web-page markup (HTML tags, a script) anywhere."""
    lowered = data.lower()
    return any(marker in lowered for marker in MARKUP)


def make_harmless(data: bytes, content_type: str) -> tuple[bytes, str]:
    """The file rewritten without active content (same type), or an ``InvalidInput`` saying why not."""
    if has_markup(data[:MARKUP_WINDOW]):
        refuse(markup_message())
    clean = rewrite_pdf(data) if content_type == "application/pdf" else reencode_image(data, content_type)
    if has_markup(clean):
        refuse(markup_message())
    return clean, content_type


# -- PDF -----------------------------------------------------------------------------------------


class _Budget:
    """The decoded bytes a PDF may still use."""

    def __init__(self, limit: int):
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            refuse(
                _(
                    "the PDF expands to more than %(mib)s MiB when opened, which no document needs; "
                    "save it again (for example with smaller images) and upload it again",
                    mib=PDF_MAX_DECODED_BYTES // (1024 * 1024),
                )
            )


def _inflate(chunks):
    """Inflate a zlib stream piece by piece (no piece larger than ``_CHUNK``); a broken tail just ends it."""
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, _CHUNK)
                if out:
                    yield out
                chunk = inflater.unconsumed_tail
            if inflater.eof:
                return
        out = inflater.flush()
        if out:
            yield out
    except zlib.error:
        return


def _filters(stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    value = value.get_object()
    return [str(f.get_object()) for f in value] if isinstance(value, list) else [str(value)]


def _count_decoded(stream, budget: _Budget) -> None:
    """Spend the stream's decoded size from the budget, stopping as soon as the budget is gone."""
    from pypdf.errors import LimitReachedError
    from pypdf.filters import decode_stream_data

    raw = stream._data  # the encoded bytes as stored (pypdf keeps them in _data)
    filters = _filters(stream)
    if not filters or (len(filters) == 1 and filters[0] in IMAGE_CODECS):
        budget.spend(len(raw))  # images are bounded by their pixel size, checked apart
        return
    if all(f in FLATE for f in filters):
        pieces = (raw[i : i + _CHUNK] for i in range(0, len(raw), _CHUNK))
        for _f in filters:
            pieces = _inflate(pieces)
        for piece in pieces:
            budget.spend(len(piece))
        return
    try:  # rarer filters (LZW, run-length, ASCII): pypdf's own per-stream limits bound the memory
        budget.spend(len(decode_stream_data(stream)))
    except LimitReachedError:
        budget.spend(budget.left + 1)
    except Exception:  # noqa: BLE001  (a stream a reader cannot decode draws nothing)
        budget.spend(len(raw))


def _subtype(annotation) -> str:
    annotation = annotation.get_object()
    return str(annotation.get("/Subtype", "")) if hasattr(annotation, "get") else ""


def _is_unsafe_action(value) -> bool:
    action = value.get_object() if value is not None else None
    if not hasattr(action, "get"):
        return False
    return str(action.get("/S", "")) not in SAFE_ACTIONS


def _scrub(roots, budget: _Budget) -> None:
    """Remove active content from everything reachable from ``roots`` (not through ``/Parent``), in place."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    seen: set[int] = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            obj = obj.get_object()
        if id(obj) in seen or not isinstance(obj, (DictionaryObject, ArrayObject)):
            continue
        seen.add(id(obj))
        if isinstance(obj, ArrayObject):
            stack.extend(obj)
            continue
        for key in list(obj.keys()):
            value = obj[key]
            if key in ACTIVE_KEYS or (key in ("/A", "/Next") and _is_unsafe_action(value)):
                del obj[key]
            elif key == "/Annots" and isinstance(value.get_object(), ArrayObject):
                kept = [a for a in value.get_object() if _subtype(a) not in ACTIVE_ANNOTATIONS]
                obj[key] = ArrayObject(kept)
                stack.extend(kept)
            elif key not in ("/Parent", "/P"):
                stack.append(value)
        if str(obj.get("/S", "")) in UNSAFE_ACTION_NAMES:
            obj.clear()  # an action reachable some other way than /A or /Next
        if isinstance(obj, StreamObject):
            if str(obj.get("/Subtype", "")) == "/Image":
                pixels = int(obj.get("/Width", 0) or 0) * int(obj.get("/Height", 0) or 0)
                if pixels > MAX_PIXELS * 4:  # a page image may be finer than a photo, not without bound
                    refuse(_("the PDF holds an image too large to open safely; save it again with smaller images"))
            _count_decoded(obj, budget)


def rewrite_pdf(data: bytes) -> bytes:
    """The PDF's pages written afresh without active content; refused if it inflates past the budget."""
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        budget = _Budget(PDF_MAX_DECODED_BYTES)
        writer = PdfWriter()
        pages = list(reader.pages)
        _scrub(pages, budget)
        for page in pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001  (pypdf raises many kinds of errors on broken files)
        refuse(_("the PDF is damaged or not a real PDF"))
    clean = out.getvalue()
    if active_content(clean):  # belt and braces: what we wrote is read back and checked
        refuse(_("the PDF is damaged or not a real PDF"))
    return clean


def active_content(data: bytes) -> set[str]:
    """The active-content keys (``/JavaScript``, ``/OpenAction`` …) reachable anywhere in a PDF (for checks)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    found: set[str] = set()
    seen: set[int] = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            obj = obj.get_object()
        if id(obj) in seen or not isinstance(obj, (DictionaryObject, ArrayObject)):
            continue
        seen.add(id(obj))
        if isinstance(obj, ArrayObject):
            stack.extend(obj)
            continue
        found |= {k for k in obj if k in ACTIVE_KEYS}
        if str(obj.get("/S", "")) in UNSAFE_ACTION_NAMES:
            found.add(str(obj["/S"]))
        if str(obj.get("/Subtype", "")) in ACTIVE_ANNOTATIONS:
            found.add(str(obj["/Subtype"]))
        stack.extend(obj.values())
    return found


# -- images --------------------------------------------------------------------------------------


def reencode_image(data: bytes, content_type: str) -> bytes:
    """The image decoded within the pixel cap, turned upright, and encoded again with no metadata."""
    from PIL import Image, ImageOps

    fmt = "PNG" if content_type == "image/png" else "JPEG"
    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = image.width * image.height
            if pixels > MAX_PIXELS:
                refuse(pixels_message())
            if image.format != fmt:
                refuse(_("the image is damaged or not a real image"))
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # noqa: BLE001  (a broken EXIF block: the pixels as stored, the block dropped)
                upright = image.copy()
            upright.load()
    except Image.DecompressionBombError:
        refuse(pixels_message())
    except InvalidInput:
        raise
    except Exception:  # noqa: BLE001  (Pillow raises many kinds of errors on broken files)
        refuse(_("the image is damaged or not a real image"))
    transparency = upright.info.get("transparency")
    upright.info = {} if transparency is None or fmt == "JPEG" else {"transparency": transparency}
    out = io.BytesIO()
    if fmt == "JPEG":
        if upright.mode not in ("L", "RGB", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=90, optimize=True)
    else:
        upright.save(out, "PNG", optimize=False)
    return out.getvalue()


# -- names ---------------------------------------------------------------------------------------

_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_RESERVED = re.compile(r'[<>:"|?*]')


def clean_filename(given: str | None) -> str:
    """The name the candidate gave, safe to show and to send: its last path part in Unicode, no
    control, format (bidi override, zero-width) or reserved characters, at most ``NAME_MAX`` characters
    (the extension kept); "" if nothing is left."""
    name = unicodedata.normalize("NFC", given or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if c.isspace() else c for c in name if unicodedata.category(c) not in _HIDDEN or c.isspace())
    name = _RESERVED.sub("_", name)
    name = re.sub(r" +", " ", name).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 5:
            name = stem[: NAME_MAX - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:NAME_MAX].rstrip(" .")
    return name
