"""Demo instruments: an assessment plan and a question bank for every unit of the demo schemes.

Plausible content built from each unit's title (official MUK are not required, DOMAIN.md): for
every unit three multiple-choice questions with their key, an essay, an oral question and a
portfolio check. The keys are rotated over the choices so that the right answer is not always A.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from certflow.assessment import written_tests
from certflow.extensions import db
from certflow.models import Application, Question, Scheme, UnitPlan, User

# (question, the right choice, three wrong ones); ``{unit}`` is the unit's title in lower case.
MULTIPLE_CHOICE = [
    (
        "Prinsip utama yang dipegang ketika {unit} adalah…",
        "Menghormati martabat, hak dan kerahasiaan klien",
        (
            "Menyelesaikan tugas secepatnya tanpa melibatkan klien",
            "Mengutamakan pendapat pribadi petugas",
            "Mengabaikan kode etik bila keadaan mendesak",
        ),
    ),
    (
        "Bukti yang paling tepat bahwa kegiatan {unit} telah dilakukan adalah…",
        "Catatan kasus atau laporan kegiatan yang ditandatangani dan bertanggal",
        ("Foto pribadi petugas di kantor", "Kuitansi pembelian alat tulis", "Pesan singkat kepada rekan kerja"),
    ),
    (
        "Bila klien menolak bekerja sama ketika {unit}, tindakan yang paling tepat adalah…",
        "Menjelaskan tujuan dan hak klien, lalu menyepakati langkah bersama",
        (
            "Menghentikan layanan tanpa penjelasan",
            "Memaksa klien menandatangani persetujuan",
            "Menyerahkan klien kepada keluarga tanpa tindak lanjut",
        ),
    ),
]
ESSAY = "Jelaskan langkah-langkah yang Anda lakukan ketika {unit} pada satu kasus nyata, beserta alasan setiap langkah."
ORAL = "Ceritakan kendala yang pernah Anda hadapi ketika {unit} dan bagaimana Anda mengatasinya."
PORTFOLIO = "Laporan atau catatan kasus yang menunjukkan Anda {unit} (paling sedikit 2 kasus dalam 12 bulan terakhir)."
EVIDENCE = "Catatan kasus, laporan kegiatan dan hasil observasi untuk unit “{title}”."
METHODS = ["observation", "portfolio", "written", "oral"]


def add_demo_instruments(scheme: Scheme) -> int:
    """Give every unit of ``scheme`` a plan and a bank, unless the scheme has questions already; how many added."""
    if db.session.scalar(select(Question.id).where(Question.scheme_id == scheme.id).limit(1)) is not None:
        return 0
    added = 0
    for n, unit in enumerate(scheme.units):
        phrase = unit.title[0].lower() + unit.title[1:]
        db.session.add(UnitPlan(unit_id=unit.id, evidence=EVIDENCE.format(title=unit.title), methods=list(METHODS)))
        position = 0
        for i, (text, right, wrong) in enumerate(MULTIPLE_CHOICE):
            key = (n + i) % 4
            choices = list(wrong)
            choices.insert(key, right)
            position += 1
            db.session.add(
                Question(
                    scheme_id=scheme.id,
                    unit_id=unit.id,
                    kind="multiple_choice",
                    text=text.format(unit=phrase),
                    choices=choices,
                    answer_key=key,
                    position=position,
                )
            )
        for kind, text in (("essay", ESSAY), ("oral", ORAL), ("portfolio", PORTFOLIO)):
            position += 1
            db.session.add(
                Question(
                    scheme_id=scheme.id, unit_id=unit.id, kind=kind, text=text.format(unit=phrase), position=position
                )
            )
        added += position
    db.session.flush()
    return added


def draw_demo_test(app: Application, lead: User) -> None:
    """A written test for a demo application in assessment, drawn by its lead (the same each time)."""
    written_tests.draw_test(app, lead, rng=random.Random(app.id))
