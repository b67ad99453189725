"""The demo schemes and their standards (units → elements → criteria), as ``certflow.seed`` creates them."""

from __future__ import annotations

_PS_DOCS = ["diploma", "work_letter", "recommendation", "practice_log"]

# code, name, level, accepted education, practice hours, documents, units: [(title, [(element, [criteria])])]
SCHEMES = [
    (
        "PS-GEN",
        "Pekerja Sosial — Generalis",
        "Generalis",
        ["peksos", "kesos"],
        1344,
        _PS_DOCS,
        [
            (
                "Melakukan asesmen kebutuhan klien",
                [
                    (
                        "Mengumpulkan data klien",
                        [
                            "Data klien dikumpulkan melalui wawancara dan observasi sesuai kode etik.",
                            "Sumber data sekunder (keluarga, tokoh masyarakat, catatan lembaga) diidentifikasi.",
                        ],
                    ),
                    (
                        "Menganalisis masalah dan kebutuhan klien",
                        [
                            "Masalah klien dirumuskan berdasarkan data yang terkumpul.",
                            "Potensi dan sumber kekuatan klien dipetakan.",
                        ],
                    ),
                ],
            ),
            (
                "Menyusun rencana intervensi",
                [
                    (
                        "Menetapkan tujuan intervensi",
                        [
                            "Tujuan intervensi disepakati bersama klien.",
                            "Indikator keberhasilan ditetapkan secara terukur.",
                        ],
                    ),
                    (
                        "Menyusun langkah intervensi",
                        [
                            "Langkah dan jadwal intervensi disusun secara tertulis.",
                            "Sistem sumber yang diperlukan diidentifikasi.",
                        ],
                    ),
                ],
            ),
            (
                "Melaksanakan intervensi dan rujukan",
                [
                    (
                        "Melaksanakan intervensi",
                        [
                            "Intervensi dilaksanakan sesuai rencana yang disepakati.",
                            "Perubahan kondisi klien dicatat dalam catatan kasus.",
                        ],
                    ),
                    (
                        "Melakukan rujukan",
                        [
                            "Klien dirujuk ke layanan yang sesuai bila diperlukan.",
                        ],
                    ),
                ],
            ),
            (
                "Melakukan evaluasi dan terminasi",
                [
                    (
                        "Mengevaluasi hasil intervensi",
                        [
                            "Hasil intervensi dibandingkan dengan indikator keberhasilan.",
                            "Laporan evaluasi disusun dan disampaikan kepada atasan.",
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "PS-SPS",
        "Pekerja Sosial — Spesialis",
        "Spesialis",
        ["peksos", "kesos"],
        1344,
        _PS_DOCS,
        [
            (
                "Melakukan asesmen lanjut pada kasus kompleks",
                [
                    (
                        "Melakukan asesmen psikososial mendalam",
                        [
                            "Instrumen asesmen terstandar digunakan sesuai kasus.",
                            "Hasil asesmen dianalisis bersama tim multidisiplin.",
                        ],
                    ),
                ],
            ),
            (
                "Melaksanakan manajemen kasus",
                [
                    (
                        "Mengoordinasikan layanan lintas lembaga",
                        [
                            "Rencana layanan terpadu disusun dengan lembaga mitra.",
                            "Pertemuan kasus (case conference) difasilitasi.",
                        ],
                    ),
                ],
            ),
            (
                "Melakukan supervisi pekerja sosial",
                [
                    (
                        "Memberikan supervisi klinis",
                        [
                            "Supervisi dilakukan secara berkala dan terdokumentasi.",
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "APS",
        "Asisten Pekerja Sosial",
        "Asisten",
        ["peksos", "kesos", "other"],
        500,
        ["diploma", "work_letter", "recommendation"],
        [
            (
                "Membantu pengumpulan data klien",
                [
                    (
                        "Mencatat data klien",
                        [
                            "Formulir data klien diisi lengkap dan benar.",
                            "Kerahasiaan data klien dijaga.",
                        ],
                    ),
                ],
            ),
            (
                "Membantu pelaksanaan layanan sosial",
                [
                    (
                        "Mendampingi klien",
                        [
                            "Klien didampingi saat mengakses layanan.",
                            "Kegiatan pendampingan dilaporkan kepada pekerja sosial.",
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "PNY-AP",
        "Penyuluh Sosial — Ahli Pertama",
        "Ahli Pertama",
        ["peksos", "kesos", "other"],
        0,
        ["diploma", "work_letter", "recommendation"],
        [
            (
                "Menyusun materi penyuluhan sosial",
                [
                    (
                        "Mengidentifikasi kebutuhan penyuluhan",
                        [
                            "Kebutuhan informasi masyarakat sasaran diidentifikasi.",
                            "Materi disesuaikan dengan karakteristik sasaran.",
                        ],
                    ),
                ],
            ),
            (
                "Melaksanakan penyuluhan sosial",
                [
                    (
                        "Menyampaikan materi penyuluhan",
                        [
                            "Metode penyuluhan dipilih sesuai sasaran.",
                            "Umpan balik peserta dicatat dan ditindaklanjuti.",
                        ],
                    ),
                ],
            ),
        ],
    ),
]
