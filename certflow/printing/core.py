"""The shared printing core: a BNSP form as a PDF (reportlab), in the layout auditors expect.

A form is a list of blocks built with the helpers here — a heading, a table of fields
(label: value), a grid (a header row and rows), a paragraph, signatures (the role, the name,
the date) — laid out on A4 under the form's title and code, with "Halaman n dari m" at the foot of
every page. Texts are given already translated (the callers render under ``force_locale("id")``:
``in_indonesian``) and escaped here. Other printed forms (schedules, the plenary decision) reuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from certflow import clock

LANGUAGE = "id"  # BNSP's forms are Indonesian
WIDTH = A4[0] - 36 * mm
GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#e8edf3")

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("FormTitle", parent=_styles["Title"], fontSize=13, leading=16, spaceAfter=2)
CODE = ParagraphStyle("FormCode", parent=_styles["Normal"], fontSize=9, alignment=1, textColor=GRID)
HEADING = ParagraphStyle("FormHeading", parent=_styles["Heading4"], fontSize=10, spaceBefore=8, spaceAfter=3)
CELL = ParagraphStyle("FormCell", parent=_styles["Normal"], fontSize=8.5, leading=10.5)
BOLD = ParagraphStyle("FormCellBold", parent=CELL, fontName="Helvetica-Bold")
TEXT = ParagraphStyle("FormText", parent=_styles["Normal"], fontSize=9, leading=12, spaceAfter=4)

Block = object  # a reportlab flowable


@contextmanager
def in_indonesian():
    """Render texts (``gettext``, dates) in Indonesian, whatever the reader's language."""
    with force_locale(LANGUAGE):
        yield


def day(value: date | datetime | None) -> str:
    """A date the Indonesian way (``2 Desember 2026``); a dash if none."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone(clock.LOCAL_TZ).date()
    return format_date(value, "d MMMM y")


def _p(text, style=CELL) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def heading(text: str) -> Block:
    """A section heading (``Bagian 1: ...``)."""
    return _p(text, HEADING)


def paragraph(text: str) -> Block:
    """A paragraph of running text."""
    return _p(text, TEXT)


def fields(rows: Iterable[tuple[str, object]]) -> Block:
    """A two-column table of fields: label, value."""
    data = [[_p(label, BOLD), _p("-" if value in (None, "") else value)] for label, value in rows]
    table = Table(data, colWidths=[WIDTH * 0.34, WIDTH * 0.66])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def grid(header: Sequence[str], rows: Iterable[Sequence[object]], widths: Sequence[float] | None = None) -> Block:
    """A table with a header row; ``widths`` as fractions of the page's width."""
    data = [[_p(h, BOLD) for h in header]] + [[_p("-" if v in (None, "") else v) for v in row] for row in rows]
    if len(data) == 1:
        data.append([_p("-") for _ in header])
    col_widths = [WIDTH * w for w in widths] if widths else None
    table = Table(data, colWidths=col_widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def signatures(parties: Sequence[tuple[str, str | None, date | datetime | None]]) -> Block:
    """The signature block: for each party its role, its name and the date it signed (or a blank line)."""
    header = [_p(role, BOLD) for role, _name, _when in parties]
    space = [_p("\n\n") for _ in parties]
    names = [_p(_("Name: %(name)s", name=name or "....................")) for _role, name, _when in parties]
    dates = [
        _p(_("Date: %(date)s", date=day(when) if when else "....................")) for _role, _name, when in parties
    ]
    table = Table([header, space, names, dates], colWidths=[WIDTH / len(parties)] * len(parties))
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.4, GRID), ("INNERGRID", (0, 0), (-1, 0), 0.4, GRID)]))
    return KeepTogether([Spacer(1, 6 * mm), table])


def _numbered(page_label: Callable[[int, int], str]):
    """A canvas that writes "Halaman n dari m" on every page once the number of pages is known."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802  (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(GRID)
                self.drawRightString(A4[0] - 18 * mm, 10 * mm, page_label(self._pageNumber, total))
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(title: str, code: str, blocks: Sequence[Block], *, subtitle: str | None = None) -> BytesIO:
    """The form as a PDF: its title and form code at the top of the first page, then ``blocks``,
    the page numbers at the foot of every page. Call inside ``in_indonesian()``."""
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{code} {title}",
        author="certflow",
    )
    story: list = [_p(title, TITLE), _p(code, CODE)]
    if subtitle:
        story.append(_p(subtitle, CODE))
    story.append(Spacer(1, 4 * mm))
    story.extend(blocks)
    label = _("Page %(page)s of %(pages)s")
    document.build(story, canvasmaker=_numbered(lambda n, m: label % {"page": n, "pages": m}))
    out.seek(0)
    return out
