"""Documents: uploads checked by their content, stored outside the web root, reviewed by the dinas.

An upload is accepted only if its bytes are a PDF, PNG or JPEG that actually
opens (a renamed program or an HTML page called ``.pdf`` is refused), it is
within ``UPLOAD_MAX_BYTES``, and its kind is known (a portfolio names the competency
unit it is for). It is rewritten without active content (``sanitize.make_harmless``) and stored through
``certflow.storage`` (a folder, or an object store shared by every machine)
under a random name; the name the candidate gave is kept, sanitised, only for
display and download.
"""

from __future__ import annotations

import io
import secrets

from flask import current_app, send_file
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from certflow import clock, storage
from certflow.applications import sanitize
from certflow.applications.operations import (
    raise_if_errors,
    require_editing_owner,
    text_value,
    touch,
)
from certflow.core.errors import Forbidden, InvalidInput, NotEditable, TooLarge
from certflow.extensions import db
from certflow.models import Application, Document, Unit, User
from certflow.models.schemes import DOCUMENT_KINDS, PER_UNIT_KINDS
from certflow.people.policy import in_dinas_scope
from certflow.schemes.routes import required_documents

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 30
NOTE_MAX = 1000
REVIEW_STATUSES = ("valid", "invalid")
EXTENSIONS = {"application/pdf": ("pdf",), "image/png": ("png",), "image/jpeg": ("jpg", "jpeg")}
_ALL_EXTENSIONS = {e for exts in EXTENSIONS.values() for e in exts}
UNIT_CODE_MAX = 40  # units.code


def max_documents(app: Application) -> int:
    """How many documents ``app`` may hold: ``MAX_DOCUMENTS``, or room for each required document and
    one replacement of each when its route asks more (a portfolio for each of many units)."""
    return max(MAX_DOCUMENTS, 2 * len(required_documents(app)))


def max_upload_bytes() -> int:
    """The size limit of one upload (``UPLOAD_MAX_BYTES``, 5 MiB by default)."""
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (PDF, PNG, JPEG), or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _describe(data: bytes) -> str:
    """A plain word for what a refused file is, for the error message."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"mz", b"\x7felf", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return _("a program (executable)")
    if head.startswith(b"<"):
        return _("HTML or XML markup")
    if head.startswith((b"pk\x03\x04", b"rar!", b"7z")):
        return _("an archive")
    return _("an unknown format")


def _opens(data: bytes, content_type: str) -> str | None:
    """None if the file really opens as its type, else why not."""
    if content_type == "application/pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return _("the PDF is password-protected")
            if len(reader.pages) < 1:
                return _("the PDF has no pages")
        except Exception:  # noqa: BLE001  (pypdf raises many kinds of errors on broken files)
            return _("the PDF is damaged or not a real PDF")
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            if image.format not in ("PNG", "JPEG"):
                return _("the image is not a PNG or JPEG")
    except Image.DecompressionBombError:
        return sanitize.pixels_message()
    except Exception:  # noqa: BLE001  (Pillow raises many kinds of errors on broken files)
        return _("the image is damaged or not a real image")
    return None


def _display_name(given: str | None, content_type: str) -> str:
    """The candidate's own name (Unicode, cleaned), with the extension of what the file really is.

    A PNG named ``.jpg`` (or a JPEG named ``.png``) is the image it is: only its extension changes.
    """
    name = sanitize.clean_filename(given) or "document"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.lower()
    is_image = content_type != "application/pdf"
    if ext in _ALL_EXTENSIONS and ext not in EXTENSIONS[content_type]:
        if is_image and ext != "pdf":
            ext = EXTENSIONS[content_type][0]
        elif is_image:
            raise_if_errors(
                {"file": _("%(name)s is not a PDF but an image; name it .png or .jpg, or save it as a PDF", name=name)}
            )
        else:
            raise_if_errors({"file": _("%(name)s is not an image but a PDF; name it .pdf", name=name)})
    if ext not in EXTENSIONS[content_type]:
        if ext:
            raise_if_errors({"file": _("only .pdf, .png, .jpg and .jpeg files are accepted, not .%(ext)s", ext=ext)})
        stem, ext = name, EXTENSIONS[content_type][0]
    return f"{stem or 'document'}.{ext}"


def _lock_for_upload(app: Application, user: User) -> None:
    """Wait for the application's other uploads, then see it as they left it.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite (a SELECT ... FOR
    UPDATE would do only the first). Concurrent uploads then follow one another instead of losing to
    ``stale_version``, and the count that follows sees every document already committed, so the cap holds.
    """
    table = Application.__table__
    db.session.execute(update(table).where(table.c.id == app.id).values(updated_at=table.c.updated_at))
    db.session.scalars(
        select(Application).where(Application.id == app.id).execution_options(populate_existing=True)
    ).unique().all()
    require_editing_owner(app, user)


def _unit_for(app: Application, kind, unit, errors: dict) -> Unit | None:
    """The competency unit a document of ``kind`` is for (``unit``: its code), or None; a fault in ``errors``.

    A kind asked per unit (the portfolio) names one unit of the application's scheme; no other kind names one.
    """
    code = unit.strip() if isinstance(unit, str) else unit
    if code in (None, ""):
        if kind in PER_UNIT_KINDS:
            errors["unit"] = _("choose the competency unit this portfolio is for")
        return None
    if kind not in PER_UNIT_KINDS:
        if kind in DOCUMENT_KINDS:
            errors["unit"] = _("only a portfolio is uploaded for a competency unit")
        return None
    found = None
    if isinstance(code, str) and len(code) <= UNIT_CODE_MAX:
        found = db.session.scalar(select(Unit).where(Unit.scheme_id == app.scheme_id, Unit.code == code))
    if found is None:
        errors["unit"] = _("must be a competency unit of the scheme %(scheme)s", scheme=app.scheme.code)
    return found


def upload_document(app: Application, user: User, kind, file, unit=None) -> Document:
    """Check and store one document of ``app``; the caller removes the file if the commit then fails.

    ``unit``: the code of the competency unit a portfolio is for (``PER_UNIT_KINDS``).
    """
    require_editing_owner(app, user)
    errors = {}
    if kind not in DOCUMENT_KINDS:
        errors["kind"] = _("must be one of %(kinds)s", kinds=", ".join(DOCUMENT_KINDS))
    for_unit = _unit_for(app, kind, unit, errors)
    if file is None or not getattr(file, "filename", None):
        errors["file"] = _("attach the file as multipart field 'file'")
    raise_if_errors(errors)
    limit = max_upload_bytes()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            _("file: the file is larger than the limit of %(mib).1f MiB", mib=limit / 1024 / 1024), fields=["file"]
        )
    if not data:
        raise_if_errors({"file": _("the file is empty")})
    content_type = sniff(data)
    if content_type is None:
        raise_if_errors(
            {"file": _("only PDF, PNG or JPEG documents are accepted; this file is %(what)s", what=_describe(data))}
        )
    problem = _opens(data, content_type)
    if problem:
        raise_if_errors({"file": problem})
    filename = _display_name(file.filename, content_type)
    data, content_type = sanitize.make_harmless(data, content_type)
    _lock_for_upload(app, user)
    count = db.session.scalar(select(func.count(Document.id)).where(Document.application_id == app.id))
    cap = max_documents(app)
    if count >= cap:
        raise InvalidInput(_("An application may hold at most %(n)s documents.", n=cap), fields=["file"])
    stored_name = secrets.token_hex(16)
    doc = Document(
        application_id=app.id,
        kind=kind,
        unit=for_unit,
        filename=filename,
        stored_name=stored_name,
        content_type=content_type,
        size=len(data),
        status="pending",
        uploaded_at=clock.now(),
    )
    db.session.add(doc)
    touch(app)
    db.session.flush()
    # Written only once the row is in: a refused flush leaves no stray file behind.
    storage.current().put(stored_name, data)
    return doc


def file_response(doc: Document):
    """The document's file as a download (never shown inline), with the API's protective headers.

    Streamed from the storage. The caller has checked that the user may read it
    (``may_read_documents``); None if the file is gone.
    """
    store = storage.current()
    try:
        size = store.size(doc.stored_name)
        stream = store.open(doc.stored_name)
    except FileNotFoundError:
        return None
    response = send_file(stream, mimetype=doc.content_type, as_attachment=True, download_name=doc.filename)
    if response.status_code == 200:
        response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def names_a_path(filename: str | None) -> bool:
    """Whether an uploaded file's name tries to climb folders (``../x.pdf``, ``/etc/x``) or hides control characters.

    A plain Windows path (``C:\\Users\\x.pdf``, sent by some old browsers) is not refused; it is flattened
    into a safe name like any other.
    """
    if not filename:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in filename) or filename.startswith(("/", "\\")):
        return True
    return any(part == ".." for part in filename.replace("\\", "/").split("/"))


def remove_stored_file(stored_name: str) -> None:
    """Delete a stored file if it is there (after a failed commit or a deletion)."""
    try:
        storage.current().delete(stored_name)
    except Exception:  # noqa: BLE001 - a file left behind is logged, never an error for the person
        current_app.logger.warning("could not remove upload %s", stored_name)


def review_document(doc: Document, user: User, status, note) -> Document:
    """A dinas admin of the candidate's dinas marks a document valid or invalid (a note says why)."""
    app = doc.application
    if not in_dinas_scope(user, app.dinas):
        raise Forbidden(_("Only an admin of the candidate's dinas may review documents."))
    if app.state != "submitted":
        raise NotEditable(
            _("Documents can be reviewed only while the application is submitted, not %(state)s.", state=app.state)
        )
    errors = {}
    if status not in REVIEW_STATUSES:
        errors["status"] = _("must be valid or invalid")
    clean_note, error = text_value(note, NOTE_MAX)
    if error:
        errors["note"] = error
    elif status == "invalid" and not clean_note:
        errors["note"] = _("a note saying what is wrong is required to mark a document invalid")
    raise_if_errors(errors)
    doc.status = status
    doc.note = clean_note or None
    doc.reviewed_by_id = user.id
    doc.reviewed_at = clock.now()
    touch(app)
    db.session.flush()
    return doc


def delete_document(doc: Document, user: User) -> str:
    """The owner removes a document while editing; returns the stored name to delete after the commit."""
    app = doc.application
    require_editing_owner(app, user)
    stored_name = doc.stored_name
    db.session.delete(doc)
    touch(app)
    db.session.flush()
    return stored_name
