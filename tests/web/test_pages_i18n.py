"""The public workflow pages, and the Indonesian catalogue: complete, with every placeholder kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.web.test_pages_support import Browser
from workflows import DEFINITIONS

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "certflow" / "translations" / "id" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> set:
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.fixture(scope="module")
def catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="id")


def test_every_message_of_the_code_has_an_indonesian_translation(catalogue):
    translated = {}
    for m in catalogue:
        if m.id:
            key = m.id[0] if isinstance(m.id, tuple) else m.id
            string = m.string[0] if isinstance(m.string, tuple) else m.string
            if string and not m.fuzzy:
                translated[key] = string
    missing = sorted(_extracted() - set(translated))
    assert not missing, f"untranslated: {missing}"


def test_translations_keep_every_placeholder(catalogue):
    for m in catalogue:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, m.id


@pytest.mark.parametrize(
    ("state", "english", "indonesian"),
    [
        ("draft", "Draft", "Draf"),
        ("submitted", "Submitted", "Diajukan"),
        ("revision_requested", "Revision requested", "Perlu revisi"),
        ("eligible", "Eligible", "Memenuhi syarat"),
        ("ineligible", "Ineligible", "Tidak memenuhi syarat"),
        ("team_assigned", "Team assigned", "Tim asesor ditetapkan"),
        ("in_assessment", "In assessment", "Sedang diases"),
        ("assessed", "Assessed", "Selesai diases"),
        ("certified", "Certified", "Tersertifikasi"),
        ("not_yet_competent", "Not yet competent", "Belum kompeten"),
        ("under_appeal", "Under appeal", "Dalam banding"),
        ("withdrawn", "Withdrawn", "Ditarik"),
    ],
)
def test_state_labels_use_the_agreed_words(app, state, english, indonesian):
    from flask_babel import force_locale

    from certflow.web.labels import state_label

    with app.test_request_context(), force_locale("id"):
        assert state_label(state) == indonesian
    with app.test_request_context(), force_locale("en"):
        assert state_label(state) == english


def test_every_state_and_event_of_every_workflow_has_a_label():
    from certflow.web.labels import EVENT_IDS, GUARD_LABELS, STATE_IDS

    for definition in DEFINITIONS.values():
        assert set(definition.states) <= set(STATE_IDS)
        assert {ev.name for ev in definition.events} <= set(EVENT_IDS)
        assert {g for ev in definition.events for g in ev.guards} <= set(GUARD_LABELS)


def test_every_word_of_the_definitions_is_translated_into_indonesian(app):
    """Labels, titles and input labels live in ``workflows``: each has its Indonesian translation."""
    from flask_babel import force_locale, gettext

    ids = set()
    for definition in DEFINITIONS.values():
        ids |= {definition.label} | {label for _, label in definition.labels}
        for ev in definition.events:
            ids |= {ev.label, ev.heading} | {i.label for i in ev.inputs}
    with app.test_request_context(), force_locale("id"):
        untranslated = sorted(m for m in ids if gettext(m) == m)
    assert untranslated == []


def test_the_workflow_pages_are_public_and_list_every_workflow(app, db):
    browser = Browser(app)
    index = browser.get("/workflows")
    assert index.status_code == 200
    for name in DEFINITIONS:
        assert f'href="/workflows/{name}"' in index.text
    assert browser.get("/workflows/nothing").status_code == 404


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_a_workflow_page_draws_the_definition_and_explains_each_step(app, db, name):
    definition = DEFINITIONS[name]
    page = Browser(app).get(f"/workflows/{name}").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'aria-current="true"' not in svg
    assert svg.count('class="state') == len(definition.states)
    for ev in definition.events:
        assert f'id="event-{ev.name}"' in page
    highlighted = Browser(app).get(f"/workflows/{name}?state={definition.states[-1]}").text
    svg = highlighted[highlighted.index("<svg") : highlighted.index("</svg>")]
    assert svg.count('aria-current="true"') == 1


def test_the_application_workflow_page_reads_in_indonesian(app, db):
    page = Browser(app).get("/workflows/application").text
    assert "Alur kerja: Proses permohonan" in page
    assert "Komite sertifikasi" in page and "tidak terlibat dalam asesmen" in page
    assert "semua dokumen wajib dinyatakan sah" in page
    assert "jika sebelumnya “Tidak memenuhi syarat”" in page
