"""The printed forms of an assessment event, as PDFs in Indonesian (reportlab), filled from the records.

``attendance`` (daftar hadir), ``berita-acara`` (the event report: who attended, the recommendations),
``ak-05`` (FR.AK.05, the lead assessor's report) and ``decision`` (the plenary's SK penetapan). These are
BNSP's forms: their labels are Indonesian whatever the reader's language. ``schedule_form`` answers
409 ``form_not_ready`` while the record a form prints does not exist yet.

Self-contained on purpose (small helpers of its own): the application forms have their own module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import force_locale, format_date
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select

from certflow import clock
from certflow.core.errors import AppError
from certflow.extensions import db
from certflow.models import Application, Attendance, Certificate, PlenaryDecision, Schedule, User
from certflow.models.plenary import PlenaryMember
from workflows.guards import N_

FORMS = ("attendance", "berita-acara", "ak-05", "decision")
_RESULT = {"K": "Kompeten (K)", "BK": "Belum Kompeten (BK)", None: "-"}


def _not_ready() -> AppError:
    """409 ``form_not_ready``: the record the form prints does not exist yet."""
    return AppError(
        N_("This form cannot be printed yet: its record does not exist."), code="form_not_ready", status=409
    )


def _tanggal(value: date | datetime | None) -> str:
    """A date the Indonesian way (``1 Desember 2026``)."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone(clock.LOCAL_TZ).date()
    with force_locale("id"):
        return format_date(value, "d MMMM yyyy")


@dataclass
class _Event:
    schedule: Schedule
    apps: list[Application]
    present: dict[int, bool]
    decision: PlenaryDecision | None
    members: list[str]
    certificates: dict[int, str]


def _event(schedule: Schedule, form: str) -> _Event:
    """What the forms print, read in a handful of queries whatever the number of candidates."""
    apps = list(
        db.session.scalars(
            select(Application).where(Application.schedule_id == schedule.id).order_by(Application.id)
        ).unique()
    )
    present = dict(
        db.session.execute(
            select(Attendance.application_id, Attendance.present).where(Attendance.schedule_id == schedule.id)
        ).all()
    )
    decision = members = certificates = None
    if form == "decision":
        decision = db.session.scalar(select(PlenaryDecision).where(PlenaryDecision.schedule_id == schedule.id))
        if decision is not None:
            members = list(
                db.session.scalars(
                    select(User.name)
                    .join(PlenaryMember, PlenaryMember.user_id == User.id)
                    .where(PlenaryMember.decision_id == decision.id)
                    .order_by(PlenaryMember.id)
                )
            )
            certificates = dict(
                db.session.execute(
                    select(Certificate.application_id, Certificate.number).where(
                        Certificate.application_id.in_([a.id for a in apps] or [0])
                    )
                ).all()
            )
    return _Event(schedule, apps, present, decision, members or [], certificates or {})


def _ready(schedule: Schedule, form: str) -> bool:
    if form == "attendance":
        return schedule.attendance_recorded_at is not None
    if form in ("berita-acara", "ak-05"):
        return schedule.state in ("reported", "decided") and bool(schedule.report_notes)
    return schedule.state == "decided"


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(rows: list[list], widths, style) -> Table:
    cells = [[_p(str(c), style) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _header(ev: _Event, title: str, code: str, styles) -> list:
    s = ev.schedule
    team = s.team
    rows = [
        ["Skema sertifikasi", f"{s.scheme.code} — {s.scheme.name}"],
        ["TUK", f"{s.venue.name} ({s.venue.address or '-'})"],
        ["Tanggal uji", _tanggal(s.starts_at)],
        ["Dinas", s.dinas.name],
        ["Tim asesor", team.name],
        ["Ketua asesor", team.lead.user.name if team.lead is not None else "-"],
    ]
    return [
        _p(f"{code} {title}".strip(), styles["Title"]),
        _table(rows, [45 * mm, 125 * mm], styles["BodyText"]),
        Spacer(1, 6 * mm),
    ]


def _attendance(ev: _Event, styles) -> list:
    rows = [["No", "Nama asesi", "Kehadiran", "Tanda tangan"]]
    for n, app in enumerate(ev.apps, 1):
        state = ev.present.get(app.id)
        rows.append([n, app.candidate.name, "-" if state is None else ("Hadir" if state else "Tidak hadir"), ""])
    return [
        *_header(ev, "DAFTAR HADIR ASESI", "", styles),
        _table(rows, [12 * mm, 70 * mm, 40 * mm, 48 * mm], styles["BodyText"]),
    ]


def _recommendations(ev: _Event, styles) -> Table:
    rows = [["No", "Nama asesi", "Kehadiran", "Rekomendasi"]]
    for n, app in enumerate(ev.apps, 1):
        state = ev.present.get(app.id)
        rows.append(
            [
                n,
                app.candidate.name,
                "-" if state is None else ("Hadir" if state else "Tidak hadir"),
                _RESULT.get(app.recommendation, "-"),
            ]
        )
    return _table(rows, [12 * mm, 70 * mm, 38 * mm, 50 * mm], styles["BodyText"])


def _berita_acara(ev: _Event, styles) -> list:
    attended = sum(1 for v in ev.present.values() if v)
    s = ev.schedule
    text = (
        f"Pada tanggal {_tanggal(s.starts_at)} telah dilaksanakan uji kompetensi skema {s.scheme.name} "
        f"di {s.venue.name}, diikuti oleh {attended} dari {len(ev.apps)} asesi yang terdaftar."
    )
    return [
        *_header(ev, "BERITA ACARA PELAKSANAAN UJI KOMPETENSI", "", styles),
        _p(text, styles["BodyText"]),
        Spacer(1, 4 * mm),
        _recommendations(ev, styles),
    ]


def _ak05(ev: _Event, styles) -> list:
    return [
        *_header(ev, "LAPORAN ASESMEN", "FR.AK.05", styles),
        _p("Rekomendasi", styles["Heading3"]),
        _recommendations(ev, styles),
        Spacer(1, 4 * mm),
        _p("Catatan ketua asesor", styles["Heading3"]),
        _p(ev.schedule.report_notes or "-", styles["BodyText"]),
    ]


def _decision(ev: _Event, styles) -> list:
    d = ev.decision
    names = {a.id: a.candidate.name for a in ev.apps}
    rows = [["No", "Nama asesi", "Keputusan", "Alasan", "Nomor sertifikat"]]
    for n, line in enumerate(d.lines, 1):
        rows.append(
            [
                n,
                names.get(line.application_id, "-"),
                _RESULT[line.decision],
                line.reason or "-",
                ev.certificates.get(line.application_id, "-"),
            ]
        )
    header = [
        ["Nomor keputusan", d.number],
        ["Tanggal rapat pleno", _tanggal(d.decided_on)],
        ["Anggota pleno", ", ".join(ev.members) or "-"],
    ]
    return [
        *_header(ev, "SURAT KEPUTUSAN PENETAPAN HASIL UJI KOMPETENSI (RAPAT PLENO)", "", styles),
        _table(header, [45 * mm, 125 * mm], styles["BodyText"]),
        Spacer(1, 4 * mm),
        _table(rows, [10 * mm, 48 * mm, 34 * mm, 44 * mm, 34 * mm], styles["BodyText"]),
    ]


_BUILDERS = {"attendance": _attendance, "berita-acara": _berita_acara, "ak-05": _ak05, "decision": _decision}


def schedule_form(schedule: Schedule, form: str) -> BytesIO:
    """The PDF of ``form`` for ``schedule``; 409 ``form_not_ready`` while its record does not exist yet."""
    if not _ready(schedule, form):
        raise _not_ready()
    ev = _event(schedule, form)
    if form == "decision" and ev.decision is None:
        raise _not_ready()
    styles = getSampleStyleSheet()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm
    )
    story = _BUILDERS[form](ev, styles)
    story += [Spacer(1, 10 * mm), _p(f"Dicetak pada {_tanggal(clock.now())}", styles["BodyText"])]
    doc.build(story)
    out.seek(0)
    return out
