"""The certificate as a PDF (reportlab): an official-looking A4 landscape face — the issuer's logo and
name, "SERTIFIKAT KOMPETENSI" with its English subtitle, the holder and their masked identity, the scheme
and level, the dates, the signatory and the QR code (segno) of the public verification page — and the
list of its competency units on the following page(s), as Indonesian certificates print it on the back.
The whole file is signed by the issuer's key (``certflow.certificates.signing``).

The certificate is bilingual by design (Indonesian first, English beneath), whatever the reader's language.
"""

from __future__ import annotations

import math
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

import segno
from babel.dates import format_date
from flask import current_app
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from certflow.certificates.signing import sign_pdf
from certflow.models import Certificate

PAGE = landscape(A4)
NAVY = colors.HexColor("#12355b")
GOLD = colors.HexColor("#b8860b")
INK = colors.HexColor("#1f2933")
GREY = colors.HexColor("#52606d")


def verification_url(base_url: str, number: str) -> str:
    """The public page of a certificate; its address never changes."""
    return f"{base_url.rstrip('/')}/verify/{number}"


def qr_png(data: str, scale: int = 8) -> BytesIO:
    """A QR code of ``data`` as a PNG image."""
    out = BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=4)
    out.seek(0)
    return out


def mask_identity(value: str | None) -> str:
    """An identity number (NIK, NIP) as a public document may show it: the first and last four digits,
    the middle masked, e.g. ``1985********0001``. Short or missing numbers show nothing."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if len(digits) < 10:
        return ""
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def holder_identity(cert: Certificate) -> str:
    """The holder's employee number (NIP) from the application form, masked."""
    form = (cert.application.apl01 if cert.application else None) or {}
    return mask_identity(form.get("employee_id"))


def _days(value: date) -> tuple[str, str]:
    return format_date(value, "long", locale="id"), format_date(value, "long", locale="en")


def _centred(c: Canvas, y: float, text: str, font: str, size: float, color=INK, width: float | None = None) -> None:
    """One centred line, shrunk to fit ``width``."""
    width = width or PAGE[0] - 60 * mm
    while size > 6 and c.stringWidth(text, font, size) > width:
        size -= 0.5
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawCentredString(PAGE[0] / 2, y, text)


def _emblem(c: Canvas, x: float, y: float, r: float) -> None:
    """The default logo: a drawn seal (rings, a star, a laurel of dots) — no one's emblem."""
    c.saveState()
    c.setStrokeColor(NAVY)
    c.setFillColor(NAVY)
    c.setLineWidth(2)
    c.circle(x, y, r)
    c.setLineWidth(0.8)
    c.setStrokeColor(GOLD)
    c.circle(x, y, r * 0.82)
    c.setFillColor(GOLD)
    for i in range(24):
        a = 2 * math.pi * i / 24
        c.circle(x + r * 0.91 * math.cos(a), y + r * 0.91 * math.sin(a), r * 0.035, stroke=0, fill=1)
    star = c.beginPath()
    for i in range(10):
        a = math.pi / 2 + math.pi * i / 5
        rr = r * (0.55 if i % 2 == 0 else 0.22)
        px, py = x + rr * math.cos(a), y + rr * math.sin(a)
        star.moveTo(px, py) if i == 0 else star.lineTo(px, py)
    star.close()
    c.setFillColor(NAVY)
    c.drawPath(star, stroke=0, fill=1)
    c.restoreState()


def _image(c: Canvas, path: str, x: float, y: float, w: float, h: float) -> bool:
    """Draw a configured image fitted into the box; False when there is none or it cannot be read."""
    if not path:
        return False
    try:
        c.drawImage(ImageReader(path), x, y, w, h, preserveAspectRatio=True, anchor="c", mask="auto")
    except OSError:
        current_app.logger.warning("certificate image %s cannot be read", path)
        return False
    return True


def _face(c: Canvas, cert: Certificate, url: str) -> None:
    """The front of the certificate."""
    config = current_app.config
    w, h = PAGE
    c.saveState()
    # Frame: a navy border, a thin gold line inside it, corner ornaments.
    c.setFillColor(colors.HexColor("#fbf8ef"))
    c.rect(0, 0, w, h, stroke=0, fill=1)
    c.setStrokeColor(NAVY)
    c.setLineWidth(6)
    c.rect(9 * mm, 9 * mm, w - 18 * mm, h - 18 * mm)
    c.setStrokeColor(GOLD)
    c.setLineWidth(1.2)
    c.rect(13 * mm, 13 * mm, w - 26 * mm, h - 26 * mm)
    c.setFillColor(GOLD)
    for cx, cy in ((13, 13), (w / mm - 13, 13), (13, h / mm - 13), (w / mm - 13, h / mm - 13)):
        c.circle(cx * mm, cy * mm, 2.2 * mm, stroke=0, fill=1)

    # Issuer: logo and name.
    if not _image(c, config.get("CERT_ISSUER_LOGO", ""), w / 2 - 13 * mm, h - 48 * mm, 26 * mm, 26 * mm):
        _emblem(c, w / 2, h - 35 * mm, 12.5 * mm)
    _centred(c, h - 56 * mm, cert.issuer.upper(), "Helvetica-Bold", 13, NAVY)
    c.setStrokeColor(GOLD)
    c.setLineWidth(0.8)
    c.line(w / 2 - 60 * mm, h - 59 * mm, w / 2 + 60 * mm, h - 59 * mm)

    # Title, bilingual, and the number.
    _centred(c, h - 73 * mm, "SERTIFIKAT KOMPETENSI", "Times-Bold", 30, NAVY)
    _centred(c, h - 80 * mm, "Certificate of Competence", "Times-Italic", 14, GREY)
    _centred(c, h - 88 * mm, f"Nomor / Number: {cert.number}", "Helvetica", 10.5, INK)

    # The holder.
    _centred(c, h - 99 * mm, "Diberikan kepada / This is to certify that", "Times-Italic", 11.5, GREY)
    _centred(c, h - 111 * mm, cert.holder_name, "Times-Bold", 26, INK)
    identity = holder_identity(cert)
    y = h - 118 * mm
    if identity:
        _centred(c, y, f"NIP: {identity}", "Helvetica", 9.5, GREY)
        y -= 7 * mm
    else:
        y -= 2 * mm

    # What was certified.
    _centred(
        c,
        y,
        "telah dinyatakan KOMPETEN pada skema sertifikasi / has been found COMPETENT in the certification scheme",
        "Times-Italic",
        11,
        GREY,
    )
    _centred(c, y - 9 * mm, f"{cert.scheme_name} ({cert.scheme_code})", "Times-Bold", 18, NAVY)
    if cert.level:
        _centred(c, y - 15.5 * mm, f"Jenjang / Level: {cert.level}", "Helvetica", 10.5, INK)
    count = len(cert.units or [])
    _centred(
        c,
        y - 21.5 * mm,
        f"{count} unit kompetensi, terlampir / {count} competency units, listed overleaf",
        "Helvetica",
        9,
        GREY,
    )

    # Bottom left: the QR code and the verification address.
    c.drawImage(ImageReader(qr_png(url)), 22 * mm, 24 * mm, 28 * mm, 28 * mm)
    c.setFont("Helvetica", 7)
    c.setFillColor(GREY)
    c.drawString(22 * mm, 21 * mm, "Periksa keaslian / Verify:")
    c.setFont("Helvetica", 6.5)
    if c.stringWidth(url, "Helvetica", 6.5) < 95 * mm:
        c.drawString(22 * mm, 17.5 * mm, url)

    # Bottom middle: the dates.
    issued_id, issued_en = _days(cert.issued_on)
    expires_id, expires_en = _days(cert.expires_on)
    c.setFillColor(INK)
    mid = 72 * mm
    for i, (label, value) in enumerate(
        (
            ("Tanggal terbit / Issued on", f"{issued_id} / {issued_en}"),
            ("Berlaku sampai / Valid until", f"{expires_id} / {expires_en}"),
        )
    ):
        c.setFont("Helvetica", 8)
        c.setFillColor(GREY)
        c.drawString(mid, 40 * mm - i * 11 * mm, label)
        c.setFont("Helvetica-Bold", 9.5)
        c.setFillColor(INK)
        c.drawString(mid, 35.5 * mm - i * 11 * mm, value)

    # Bottom right: the signatory.
    right = w - 75 * mm
    title = f"{config.get('CERT_SIGNATORY_TITLE') or ''} {cert.issuer}".strip()
    if title.startswith(cert.signatory):
        title = cert.issuer
    c.setFont("Helvetica", 9)
    c.setFillColor(INK)
    c.drawCentredString(right, 58 * mm, f"{title},")
    if not _image(c, config.get("CERT_SIGNATURE_IMAGE", ""), right - 25 * mm, 33 * mm, 50 * mm, 22 * mm):
        sig = c.beginPath()  # a drawn placeholder stroke where the signature goes
        sig.moveTo(right - 18 * mm, 40 * mm)
        sig.curveTo(right - 10 * mm, 52 * mm, right - 6 * mm, 30 * mm, right, 42 * mm)
        sig.curveTo(right + 5 * mm, 50 * mm, right + 9 * mm, 34 * mm, right + 18 * mm, 44 * mm)
        c.setStrokeColor(NAVY)
        c.setLineWidth(1)
        c.drawPath(sig, stroke=1, fill=0)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.line(right - 35 * mm, 30 * mm, right + 35 * mm, 30 * mm)
    c.setFont("Helvetica-Bold", 10)
    c.drawCentredString(right, 25 * mm, cert.signatory)
    c.setFont("Helvetica", 7.5)
    c.setFillColor(GREY)
    c.drawCentredString(right, 20.5 * mm, "Ditandatangani secara elektronik / Signed electronically")
    c.restoreState()


def _units_frame(c: Canvas, doc) -> None:
    c.saveState()
    c.setStrokeColor(NAVY)
    c.setLineWidth(2)
    c.rect(9 * mm, 9 * mm, PAGE[0] - 18 * mm, PAGE[1] - 18 * mm)
    c.setFont("Helvetica", 7.5)
    c.setFillColor(GREY)
    c.drawRightString(PAGE[0] - 14 * mm, 12 * mm, f"{doc._cert_number} — {doc.page}")
    c.restoreState()


def unsigned_pdf(cert: Certificate, base_url: str) -> bytes:
    """The certificate as a PDF, before the signature."""
    url = verification_url(base_url, cert.number)
    heading = ParagraphStyle("heading", fontName="Times-Bold", fontSize=16, leading=20, alignment=1, textColor=NAVY)
    sub = ParagraphStyle("sub", fontName="Times-Italic", fontSize=11, leading=14, alignment=1, textColor=GREY)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11.5, textColor=INK)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold", textColor=colors.white)

    def p(text: str, style=cell) -> Paragraph:
        return Paragraph(escape(text), style)

    rows = [[p("No.", head), p("Kode unit / Unit code", head), p("Judul unit / Competency unit", head)]]
    rows += [
        [p(str(i)), p(str(u.get("code", ""))), p(str(u.get("title", "")))] for i, u in enumerate(cert.units or [], 1)
    ]
    table = Table(rows, colWidths=[14 * mm, 55 * mm, 175 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f0f4f8")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        PageBreak(),
        p("DAFTAR UNIT KOMPETENSI", heading),
        p("List of Competency Units", sub),
        Spacer(1, 3 * mm),
        p(f"{cert.holder_name} — {cert.scheme_name} ({cert.scheme_code}) — {cert.number}", sub),
        Spacer(1, 5 * mm),
        table,
    ]
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        title=f"Sertifikat Kompetensi {cert.number}",
        author=cert.issuer,
        subject=f"{cert.scheme_name} — {cert.holder_name}",
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    doc._cert_number = cert.number
    doc.build(story, onFirstPage=lambda c, d: _face(c, cert, url), onLaterPages=_units_frame)
    return out.getvalue()


def certificate_pdf(cert: Certificate, base_url: str) -> BytesIO:
    """The certificate as a PDF signed by the issuer (PAdES)."""
    return sign_pdf(
        unsigned_pdf(cert, base_url),
        reason=f"Sertifikat Kompetensi {cert.number}",
        location=current_app.config.get("CERT_SIGNING_LOCATION", ""),
    )
