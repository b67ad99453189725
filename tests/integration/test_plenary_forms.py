"""The schedule's printed forms: each PDF's text carries its fields; not ready before its record exists."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certflow.core.errors import AppError
from certflow.core.transaction import unit_of_work
from certflow.extensions import db
from certflow.models import Attendance, Certificate
from certflow.printing.schedule_forms import schedule_form
from certflow.schedules.plenary import record_plenary
from tests.plenary_support import lines_for, reported_schedule


def _text(pdf: BytesIO) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(pdf).pages).replace("\n", " ")


def _attended(world, schedule, apps):
    for n, app in enumerate(apps):
        db.session.add(
            Attendance(
                schedule_id=schedule.id, application_id=app.id, present=n == 0, recorded_by_id=world.lead.user.id
            )
        )
    db.session.commit()


def test_attendance_berita_acara_and_ak05_carry_their_fields(world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK"])
    _attended(w, schedule, apps)
    text = _text(schedule_form(schedule, "attendance"))
    for field in (
        "DAFTAR HADIR",
        "Skema sertifikasi",
        "PSG",
        "TUK Batam",
        "Tim Kepri 1",
        "Lead Assessor",
        "Siti Candidate",
        "Calon 1",
        "Hadir",
        "Tidak hadir",
        "Tanda tangan",
    ):
        assert field in text, field
    text = _text(schedule_form(schedule, "berita-acara"))
    for field in (
        "BERITA ACARA",
        "diikuti oleh 1 dari 2 asesi",
        "Siti Candidate",
        "Kompeten (K)",
        "Belum Kompeten (BK)",
    ):
        assert field in text, field
    text = _text(schedule_form(schedule, "ak-05"))
    for field in ("FR.AK.05", "LAPORAN ASESMEN", "Catatan ketua asesor", "Berjalan lancar.", "Rekomendasi"):
        assert field in text, field
    # Indonesian dates
    assert any(
        month in text
        for month in (
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        )
    )


def test_the_decision_prints_once_recorded(world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK"])
    with pytest.raises(AppError) as caught:
        schedule_form(schedule, "decision")
    assert (caught.value.code, caught.value.status) == ("form_not_ready", 409)
    with unit_of_work():
        record_plenary(
            schedule,
            w.certifier,
            "SK/77/2026",
            "2026-12-01",
            [w.certifier.id, w.certifier2.id],
            lines_for(apps, ["K", "BK"]),
        )
    text = _text(schedule_form(schedule, "decision"))
    for field in (
        "RAPAT PLENO",
        "SK/77/2026",
        "1 Desember 2026",
        "Certifier One",
        "Certifier Two",
        "Siti Candidate",
        "Kompeten (K)",
        "Belum Kompeten (BK)",
        "Unit 1 belum kompeten.",
    ):
        assert field in text, field
    number = db.session.scalar(select(Certificate.number))
    assert number in text.replace(" ", "")  # a long number wraps in its cell


def test_forms_are_not_ready_before_their_record(world, db):
    w = world
    schedule, apps = reported_schedule(w, candidates=1)
    schedule.attendance_recorded_at = None
    db.session.commit()
    with pytest.raises(AppError) as caught:
        schedule_form(schedule, "attendance")
    assert caught.value.code == "form_not_ready"
