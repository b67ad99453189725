"""Demo content for the functional positions: pekerja sosial and penyuluh sosial, with their levels.

Plausible texts only: every claim about a regulation is marked for the certification body to
confirm (the pages show the note until a system admin clears the flag).
"""

from __future__ import annotations

from sqlalchemy import select

from certflow.extensions import db
from certflow.positions.models import FunctionalPosition, PositionLevel

_ENTRY_ID = (
    "Sertifikat kompetensi dari skema yang melayani jenjang ini dapat menjadi salah satu bukti untuk masuk "
    "jabatan fungsional (inpassing) atau naik ke jenjang ini."
)
_ENTRY_EN = (
    "A competence certificate of a scheme that serves this level can be one piece of evidence for entering "
    "the functional position (inpassing) or moving up to this level."
)


def _level(track, order, name_id, name_en, asks_id, asks_en, codes=""):
    return PositionLevel(
        track=track,
        position=order,
        name_id=name_id,
        name_en=name_en,
        asks_id=asks_id,
        asks_en=asks_en,
        asks_to_confirm=True,
        certification_id=_ENTRY_ID,
        certification_en=_ENTRY_EN,
        certification_to_confirm=True,
        scheme_codes=codes,
    )


def _skilled_and_expert(work_id: str, work_en: str, basic: str, advanced: str) -> list[PositionLevel]:
    return [
        _level("skilled", 1, "Terampil", "Skilled",
               f"Pendidikan paling rendah D3; melaksanakan {work_id} di bawah arahan.",
               f"At least a three-year diploma (D3); carries out {work_en} under guidance.", basic),
        _level("skilled", 2, "Mahir", "Proficient",
               f"Melaksanakan {work_id} secara mandiri dan membimbing yang lebih muda.",
               f"Carries out {work_en} on their own and guides junior colleagues.", basic),
        _level("skilled", 3, "Penyelia", "Supervisor",
               f"Menyelia pelaksanaan {work_id} oleh tim di satu wilayah kerja.",
               f"Supervises {work_en} by a team in one work area.", advanced),
        _level("expert", 4, "Ahli Pertama", "First Expert",
               f"Pendidikan paling rendah S1/D4; merencanakan dan melaksanakan {work_id} pada kasus umum.",
               f"At least a bachelor's degree (S1/D4); plans and carries out {work_en} in general cases.", basic),
        _level("expert", 5, "Ahli Muda", "Junior Expert",
               f"Menangani kasus yang lebih kompleks dan mengembangkan metode {work_id}.",
               f"Handles more complex cases and develops methods of {work_en}.", basic),
        _level("expert", 6, "Ahli Madya", "Middle Expert",
               f"Menganalisis dan mengevaluasi program {work_id} di tingkat daerah.",
               f"Analyses and evaluates programmes of {work_en} at regional level.", advanced),
        _level("expert", 7, "Ahli Utama", "Principal Expert",
               f"Merumuskan kebijakan dan standar {work_id} di tingkat nasional.",
               f"Shapes national policy and standards of {work_en}.", advanced),
    ]  # fmt: skip


POSITIONS = [
    {
        "code": "pekerja-sosial",
        "name_id": "Pekerja Sosial",
        "name_en": "Social Worker",
        "summary_id": (
            "Pekerja sosial membantu orang, keluarga dan kelompok yang mengalami masalah sosial: menilai "
            "kebutuhannya, merencanakan dan melakukan intervensi, merujuk ke layanan lain, dan mendampingi "
            "sampai masalahnya tertangani."
        ),
        "summary_en": (
            "A social worker helps people, families and groups facing social problems: assesses their needs, "
            "plans and carries out an intervention, refers them to other services, and stays with them until "
            "the problem is dealt with."
        ),
        "regulation_id": (
            "Jabatan fungsional Pekerja Sosial diatur dengan peraturan Menteri Pendayagunaan Aparatur Negara "
            "dan Reformasi Birokrasi beserta petunjuk teknis Kementerian Sosial (nomor dan tahun berlakunya "
            "dikonfirmasi oleh lembaga sertifikasi)."
        ),
        "regulation_en": (
            "The functional position of Social Worker is set by a regulation of the Minister for "
            "Administrative and Bureaucratic Reform with technical guidance from the Ministry of Social "
            "Affairs (its number and year to be confirmed by the certification body)."
        ),
        "position": 1,
        "levels": ("praktik pekerjaan sosial", "social-work practice", "PS-GEN", "PS-SPS"),
    },
    {
        "code": "penyuluh-sosial",
        "name_id": "Penyuluh Sosial",
        "name_en": "Social Extension Officer",
        "summary_id": (
            "Penyuluh sosial menyampaikan informasi dan mengajak masyarakat ikut menangani masalah sosial: "
            "menyusun materi penyuluhan, menggerakkan tokoh dan relawan, dan mengukur hasilnya."
        ),
        "summary_en": (
            "A social extension officer informs the public and brings communities into dealing with social "
            "problems: prepares outreach material, mobilises local leaders and volunteers, and measures the "
            "results."
        ),
        "regulation_id": (
            "Jabatan fungsional Penyuluh Sosial diatur dengan peraturan Menteri Pendayagunaan Aparatur Negara "
            "dan Reformasi Birokrasi (nomor dan tahun berlakunya dikonfirmasi oleh lembaga sertifikasi)."
        ),
        "regulation_en": (
            "The functional position of Social Extension Officer is set by a regulation of the Minister for "
            "Administrative and Bureaucratic Reform (its number and year to be confirmed by the certification "
            "body)."
        ),
        "position": 2,
        "levels": ("penyuluhan sosial", "social extension work", "", ""),
    },
]


def seed_positions() -> int:
    """Add the demo positions that are not there yet; the number added."""
    added = 0
    for spec in POSITIONS:
        spec = dict(spec)
        work_id, work_en, basic, advanced = spec.pop("levels")
        if db.session.scalar(select(FunctionalPosition.id).where(FunctionalPosition.code == spec["code"])):
            continue
        position = FunctionalPosition(**spec, regulation_to_confirm=True)
        position.levels = _skilled_and_expert(work_id, work_en, basic, advanced)
        db.session.add(position)
        added += 1
    db.session.flush()
    return added
