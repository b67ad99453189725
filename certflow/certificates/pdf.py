"""The certificate as a PDF (reportlab), with a QR code (segno) that opens its public verification page."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

import segno
from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from certflow.models import Certificate


def verification_url(base_url: str, number: str) -> str:
    """The public page of a certificate; its address never changes."""
    return f"{base_url.rstrip('/')}/verify/{number}"


def qr_png(data: str, scale: int = 8) -> BytesIO:
    """A QR code of ``data`` as a PNG image."""
    out = BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=4)
    out.seek(0)
    return out


def _day(value: date) -> str:
    return format_date(value, "long")


def certificate_pdf(cert: Certificate, base_url: str) -> BytesIO:
    """The certificate as a PDF: number, holder, scheme and level, units, issuer, dates, signatory, QR code."""
    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=22, spaceAfter=4 * mm)
    centre = ParagraphStyle("centre", parent=styles["Normal"], alignment=1, fontSize=11, leading=15)
    big = ParagraphStyle("big", parent=centre, fontSize=18, leading=24, fontName="Helvetica-Bold")
    cell = ParagraphStyle("cell", parent=styles["Normal"], fontSize=9, leading=11)

    def p(text: str, style=centre) -> Paragraph:
        return Paragraph(escape(text), style)

    url = verification_url(base_url, cert.number)
    story = [
        p(cert.issuer, centre),
        p(_("Certificate of Competence"), title),
        p(_("Number: %(number)s", number=cert.number), centre),
        Spacer(1, 6 * mm),
        p(_("This is to certify that"), centre),
        p(cert.holder_name, big),
        p(_("has been assessed and found competent in the scheme"), centre),
        p(f"{cert.scheme_name} ({cert.scheme_code})", big),
    ]
    if cert.level:
        story.append(p(_("Level: %(level)s", level=cert.level), centre))
    story.append(Spacer(1, 5 * mm))

    rows = [[p(_("Unit code"), cell), p(_("Competency unit"), cell)]]
    rows += [[p(str(u.get("code", "")), cell), p(str(u.get("title", "")), cell)] for u in cert.units or []]
    units = Table(rows, colWidths=[45 * mm, 120 * mm], repeatRows=1)
    units.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [units, Spacer(1, 6 * mm)]

    details = [
        p(_("Issued by: %(issuer)s", issuer=cert.issuer), cell),
        p(_("Issued on: %(day)s", day=_day(cert.issued_on)), cell),
        p(_("Valid until: %(day)s", day=_day(cert.expires_on)), cell),
        Spacer(1, 10 * mm),
        p(_("Signed: %(signatory)s", signatory=cert.signatory), cell),
        Spacer(1, 4 * mm),
        p(_("Verify this certificate: %(url)s", url=url), cell),
    ]
    qr = Image(qr_png(url), width=40 * mm, height=40 * mm)
    footer = Table([[details, qr]], colWidths=[125 * mm, 45 * mm])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(footer)

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=_("Certificate %(number)s", number=cert.number),
        author=cert.issuer,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    out.seek(0)
    return out
