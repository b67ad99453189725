"""A kabupaten/kota admin imports assessors from a file as the office writes it, at phone width.

The admin (reading Indonesian) downloads the Indonesian Excel template, sends a ``;`` CSV from a
spreadsheet (Windows-1252, Indonesian headers) with a bad row, reads every problem by row, column
and what, fixes the file and imports it — the page never scrolls sideways.
"""

from __future__ import annotations

from datetime import timedelta

from certflow import clock
from tests.e2e.test_journey import Person

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips the test (or fails it in CI)
    expect = None


def test_an_admin_imports_a_semicolon_file_after_fixing_the_rows_named(
    browser, live_server, world, tmp_path, screenshot
):
    errors: list[str] = []
    admin = Person(browser, live_server, world.admin_batam, english=False, errors=errors)
    admin.login()
    page = admin.page
    page.goto("/admin/imports")
    expect(page.locator("h1")).to_have_text("Impor orang dari berkas CSV atau Excel")
    with page.expect_download() as download:
        page.locator("#import-assessors a", has_text="Excel, bahasa Indonesia").click()
    assert download.value.suggested_filename == "assessors-template-id.xlsx"

    expires = (clock.today() + timedelta(days=800)).strftime("%d/%m/%Y")
    header = "Nama;Email;Dinas;Nomor Lisensi;Lisensi Berlaku Sampai;Skema;Beban Maksimal\n"
    good = f"Asesor Satu;satu@example.id;Dinas Sosial Kota Batam;MET-1;{expires};PSG, PNY;3\n"
    bad = "Asesor Dua Dengan Nama Yang Cukup Panjang;dua@example.id;Dinas Sosial Atlantis;MET-2;besok;XYZ;99\n"
    wrong = tmp_path / "asesor.csv"
    wrong.write_bytes((header + good + bad).encode("cp1252"))
    page.set_input_files("#file-assessors", str(wrong))
    admin.click(page.locator("#import-assessors button[type=submit]"))
    alert = page.locator("#import-error")
    expect(alert).to_contain_text("Baris bermasalah: 1; tidak ada data yang diimpor.")
    cells = page.locator("table.bad-rows tbody tr")
    expect(cells).to_have_count(4)  # dinas, date, scheme, load: each its own row, column and what
    expect(cells.first).to_contain_text("Dinas")
    expect(alert).to_contain_text("besok bukan tanggal")
    expect(alert).to_contain_text("tidak ada skema dengan kode XYZ")
    screenshot(page, "imports-bad-rows")

    fixed = tmp_path / "asesor-baik.csv"
    fixed.write_bytes(
        (
            header
            + good
            + bad.replace("Dinas Sosial Atlantis", "Dinas Sosial Kota Batam")
            .replace("besok", expires)
            .replace("XYZ", "PSG")
            .replace(";99", ";2")
        ).encode("cp1252")
    )
    page.set_input_files("#file-assessors", str(fixed))
    admin.click(page.locator("#import-assessors button[type=submit]"))
    expect(page.locator(".flash-success")).to_contain_text("2")
    screenshot(page, "imports-done")
    admin.close()
    assert screenshot.overflow == [] and errors == []
