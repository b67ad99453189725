"""The functional-position level from what people write (``workflows.identity.jf_level_code``)."""

from __future__ import annotations

import pytest

from workflows.identity import JF_LEVELS, jf_level_code, jf_track


@pytest.mark.parametrize("code", JF_LEVELS)
def test_every_code_is_itself(code):
    assert jf_level_code(code) == code
    assert jf_level_code(code.upper(), "Penyuluh Sosial") == code  # the code's own track wins over the position


@pytest.mark.parametrize(
    ("text", "position", "code"),
    [
        ("Ahli Pertama", "Pekerja Sosial", "peksos_ahli_pertama"),
        ("Ahli Pertama", "Penyuluh Sosial Kabupaten", "penyuluh_ahli_pertama"),
        ("ahli  muda", "", "peksos_ahli_muda"),
        ("Pekerja Sosial Ahli Madya", "Penyuluh Sosial", "peksos_ahli_madya"),
        ("Penyuluh Sosial Mahir", "Staf Administrasi", "penyuluh_mahir"),
        ("Peksos Penyelia", "", "peksos_penyelia"),
        ("Terampil", "PENYULUH", "penyuluh_terampil"),
        ("jenjang JF ahli-utama", "Staf", "peksos_ahli_utama"),
        # the register's older short codes
        ("pertama", "Staf Rehabilitasi", "peksos_ahli_pertama"),
        ("utama", "Penyuluh Sosial", "penyuluh_ahli_utama"),
        ("mahir", "", "peksos_mahir"),
        # no functional position
        ("tidak ada", "", "none"),
        ("None", "Penyuluh Sosial", "none"),
    ],
)
def test_words_people_write(text, position, code):
    assert jf_level_code(text, position) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ketua",
        "Ahli",
        "Ahli Mahir",
        "Pertama Muda",
        "Kepala Seksi Ahli Pertama",
        "sosial",
        "x" * 500,
        "pert\x00ama",
    ],
)
def test_what_is_no_level(text):
    assert jf_level_code(text, "Pekerja Sosial") is None


def test_the_track_of_a_position():
    assert jf_track("Penyuluh Sosial Ahli") == "penyuluh"
    assert (jf_track("Pekerja Sosial"), jf_track(""), jf_track("Pendamping PKH")) == ("peksos",) * 3


def test_every_shared_code_has_its_label_in_the_order_of_its_list():
    """A form's choices follow the label tables: each lists every code, in the code list's order."""
    from certflow.core import labels
    from certflow.models.schemes import DOCUMENT_KINDS
    from certflow.schemes.selfcheck import ROUTE_HINTS, ROUTE_LABELS
    from workflows.eligibility import EDUCATION_FIELDS, EDUCATION_LEVELS, PURPOSES, ROUTES
    from workflows.identity import JF_LEVELS, SEXES

    assert tuple(labels.EDUCATION_FIELD_LABELS) == EDUCATION_FIELDS
    assert tuple(labels.EDUCATION_LEVEL_LABELS) == EDUCATION_LEVELS
    assert tuple(labels.ROUTE_LABELS) == ROUTES == tuple(ROUTE_LABELS) == tuple(ROUTE_HINTS)
    assert tuple(labels.PURPOSE_LABELS) == PURPOSES
    assert tuple(labels.SEX_LABELS) == SEXES
    assert tuple(labels.JF_LEVEL_LABELS) == JF_LEVELS
    assert tuple(labels.DOCUMENT_KIND_LABELS) == DOCUMENT_KINDS
