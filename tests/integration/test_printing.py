"""The shared printing core: a BNSP form's layout (title, code, fields, grid, signatures, page numbers)."""

from __future__ import annotations

from datetime import date

from pypdf import PdfReader

from certflow.printing.core import build_pdf, day, fields, grid, heading, in_indonesian, paragraph, signatures


def test_a_long_form_numbers_every_page_in_indonesian(app_ctx):
    with app_ctx.test_request_context(), in_indonesian():
        blocks = [
            heading("Bagian 1"),
            fields([("Nama", "Siti <Candidate> & co"), ("Kosong", None)]),
            grid(["No.", "Isi"], [(n, f"baris {n}") for n in range(1, 121)], (0.2, 0.8)),
            paragraph("Catatan"),
            signatures([("Asesi", "Siti", date(2026, 12, 2)), ("Asesor", None, None)]),
        ]
        pdf = build_pdf("Judul formulir", "FR.XX.01", blocks, subtitle="Skema")
        assert day(date(2026, 8, 17)) == "17 Agustus 2026"
    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert pages >= 2
    texts = [page.extract_text() for page in reader.pages]
    assert "Judul formulir" in texts[0] and "FR.XX.01" in texts[0] and "Siti <Candidate> & co" in texts[0]
    for n, text in enumerate(texts, 1):
        assert f"Halaman {n} dari {pages}" in text
    assert "baris 120" in "".join(texts) and "Nama: Siti" in texts[-1] and "Tanggal: 2 Desember 2026" in texts[-1]
    assert reader.metadata.title == "FR.XX.01 Judul formulir"
