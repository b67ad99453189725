"""The application page: who may see it, the buttons each role gets, and firing events through it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.models import Application, TransitionLog
from certflow.people.policy import application_actor
from tests.web.test_pages_support import Browser, count_queries, csrf_token, fresh
from workflows import engine_for

BUTTON = re.compile(r'action="/applications/\d+/events/([a-z_]+)"')


def _buttons(page: str) -> list[str]:
    return BUTTON.findall(page)


def _page(app, user, application):
    return Browser(app).login(user).get(f"/applications/{application.id}")


def _fire(browser, application, event, version=None, **data):
    page = browser.get(f"/applications/{application.id}").text
    return browser.post(
        f"/applications/{application.id}/events/{event}",
        data={"csrf_token": csrf_token(page), "version": application.version if version is None else version, **data},
    )


def _state(db, application) -> str:
    fresh(db)
    return db.session.scalar(select(Application.state).where(Application.id == application.id))


# -- who may see the page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("candidate", 200),
        ("admin_batam", 200),
        ("admin_kepri", 200),
        ("lead", 200),
        ("member", 200),
        ("certifier", 404),  # not yet at a decision point (rule 8)
        ("sysadmin", 200),
        ("other_candidate", 404),
        ("admin_riau", 404),
        ("same_dinas_assessor", 404),
    ],
)
def test_the_page_is_shown_only_to_those_who_may_see_the_application(app, world, who, status):
    application = world.advance(world.new_application(), "team_assigned")
    user = getattr(world, who)
    user = getattr(user, "user", user)  # assessors are reached through their user
    response = _page(app, user, application)
    assert response.status_code == status
    if status == 200:
        assert "Pekerja Sosial Generalis" in response.text
        assert world.candidate.name in response.text and "Dinas Sosial Kota Batam" in response.text
        assert "Tim asesor ditetapkan" in response.text
    else:
        assert "Halaman tidak ditemukan" in response.text
        assert world.candidate.name not in response.text


def test_a_certifier_does_not_see_drafts_and_a_missing_application_is_404(app, world):
    draft = world.new_application()
    assert _page(app, world.certifier, draft).status_code == 404
    assert Browser(app).login(world.candidate).get("/applications/999999").status_code == 404


# -- the buttons are exactly the events the engine allows ---------------------------------------

BUTTONS = [
    ("draft", "candidate", ["submit", "withdraw"]),
    ("draft", "admin_batam", []),
    ("submitted", "candidate", ["withdraw"]),
    ("submitted", "admin_batam", ["request_revision", "approve", "reject"]),
    ("submitted", "admin_kepri", ["request_revision", "approve", "reject"]),
    ("eligible", "admin_kepri", ["assign_team"]),
    ("eligible", "candidate", ["withdraw"]),
    ("team_assigned", "lead", ["start_assessment"]),
    ("team_assigned", "member", []),
    ("team_assigned", "candidate", ["withdraw"]),
    ("team_assigned", "admin_batam", ["release"]),
    ("team_assigned", "admin_kepri", ["release"]),
    ("in_assessment", "lead", ["recommend"]),
    ("in_assessment", "admin_kepri", []),
    ("assessed", "certifier", ["return_assessment", "certify", "decline"]),
    ("assessed", "lead", []),
    ("assessed", "candidate", []),
    ("certified", "candidate", []),
]


@pytest.mark.parametrize(("state", "who", "expected"), BUTTONS, ids=[f"{s}-{w}" for s, w, _ in BUTTONS])
def test_the_buttons_match_the_events_the_engine_allows(app, world, db, state, who, expected):
    application = world.advance(world.new_application(), state)
    user = getattr(world, who)
    user = getattr(user, "user", user)
    page = _page(app, user, application).text
    allowed = engine_for("application").allowed_events(application.state, application_actor(user, application))
    assert _buttons(page) == allowed == expected
    if not expected:
        assert "Saat ini tidak ada yang perlu Anda lakukan pada permohonan ini." in page


def test_each_button_asks_only_for_what_its_event_needs(app, world):
    application = world.advance(world.new_application(), "submitted")
    page = _page(app, world.admin_batam, application).text
    forms = {m.group(1): m.group(2) for m in re.finditer(r'events/([a-z_]+)"(.*?)</form>', page, re.S)}
    assert 'name="reason"' in forms["request_revision"] and 'name="deadline"' in forms["request_revision"]
    assert 'name="reason"' in forms["reject"] and 'name="deadline"' not in forms["reject"]
    assert 'name="reason"' not in forms["approve"] and 'name="deadline"' not in forms["approve"]
    for form in forms.values():
        assert f'name="version" value="{application.version}"' in form
        assert 'name="csrf_token"' in form

    eligible = world.advance(world.new_application(), "eligible")
    assign = _page(app, world.admin_kepri, eligible).text
    assert f'<option value="{world.team.id}"' in assign and "Tim Kepri 1" in assign
    assert 'name="override_reason"' in assign
    # a kab/kota admin has no team of its own for the scheme
    assert "Belum ada tim aktif dari dinas Anda" in _page(app, world.admin_batam, eligible).text


# -- firing events through the page --------------------------------------------------------------


def test_submitting_through_the_page_moves_the_application_and_shows_it(app, world, db):
    application = world.new_application()
    browser = Browser(app).login(world.candidate)
    response = _fire(browser, application, "submit")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/applications/{application.id}"
    assert _state(db, application) == "submitted"
    page = browser.get(response.headers["Location"]).text
    assert "Ajukan: berhasil. Status permohonan sekarang “Diajukan”." in page
    assert _buttons(page) == ["withdraw"]
    log = db.session.scalar(select(TransitionLog).where(TransitionLog.application_id == application.id))
    assert (log.event, log.actor_id) == ("submit", world.candidate.id)


def test_a_revision_request_carries_its_reason_and_deadline(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    deadline = (clock.today() + timedelta(days=10)).isoformat()
    browser = Browser(app).login(world.admin_batam)
    response = _fire(browser, application, "request_revision", reason="Ijazah tidak terbaca", deadline=deadline)
    assert response.status_code == 303
    assert _state(db, application) == "revision_requested"
    candidate_page = _page(app, world.candidate, application).text
    assert "Ijazah tidak terbaca" in candidate_page
    assert _buttons(candidate_page) == ["resubmit", "withdraw"]


def test_a_failed_guard_re_renders_the_page_with_its_message_and_what_was_typed(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    browser = Browser(app).login(world.admin_batam)
    deadline = (clock.today() + timedelta(days=10)).isoformat()
    response = _fire(browser, application, "request_revision", reason="   ", deadline=deadline)
    assert response.status_code == 422
    assert "“Minta revisi” tidak dilakukan." in response.text and "Alasan wajib diisi." in response.text
    assert f'name="deadline" required value="{deadline}"' in response.text
    assert re.search(r'<details class="action" data-event="request_revision" open>', response.text)

    past = _fire(browser, application, "request_revision", reason="Kurang lengkap", deadline="2000-01-01")
    assert past.status_code == 422 and "Batas waktu revisi harus setelah hari ini." in past.text
    assert "Kurang lengkap</textarea>" in past.text
    garbage = _fire(browser, application, "request_revision", reason="Kurang", deadline="next week")
    assert garbage.status_code == 422 and "Batas waktu revisi (YYYY-MM-DD) wajib diisi." in garbage.text
    assert _state(db, application) == "submitted"


def test_approval_fails_while_documents_are_not_valid(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    response = _fire(Browser(app).login(world.admin_batam), application, "approve")
    assert response.status_code == 422
    assert "Belum semua dokumen wajib dinyatakan sah" in response.text
    assert _state(db, application) == "submitted"


def test_a_stale_version_says_the_record_changed(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    world.mark_documents(application, "valid")
    batam, kepri = Browser(app).login(world.admin_batam), Browser(app).login(world.admin_kepri)
    old_version = application.version
    kepri_page = kepri.get(f"/applications/{application.id}").text
    assert _fire(batam, application, "approve", version=old_version).status_code == 303

    response = kepri.post(
        f"/applications/{application.id}/events/reject",
        data={"csrf_token": csrf_token(kepri_page), "version": old_version, "reason": "Tidak sesuai"},
    )
    assert response.status_code == 409
    assert "Data ini telah diubah oleh orang lain; muat ulang halaman, lalu coba lagi." in response.text
    assert _state(db, application) == "eligible"
    # the page shown is the fresh one, so the user can act on what is there now
    assert '<span class="badge state-eligible">Memenuhi syarat</span>' in response.text
    # a form without its version is stale too
    assert _fire(kepri, application, "assign_team", version="", team=world.team.id).status_code == 409


def test_a_forbidden_event_is_403_with_its_message(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    response = _fire(Browser(app).login(world.candidate), application, "approve")
    assert response.status_code == 403
    assert "Anda tidak boleh melakukan “Setujui” pada data ini." in response.text
    assert _state(db, application) == "submitted"


def test_an_event_not_possible_now_is_409(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    browser = Browser(app).login(world.admin_batam)
    response = _fire(browser, application, "recommend")
    assert response.status_code == 409
    assert "tidak dapat dilakukan dari status “Diajukan”." in response.text
    assert _fire(browser, application, "fly-away").status_code == 409
    assert _fire(browser, application, "recommend", version="9" * 5000).status_code == 409
    assert _state(db, application) == "submitted"


def test_firing_on_an_application_one_may_not_see_is_404(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    assert _fire(Browser(app).login(world.other_candidate), application, "withdraw").status_code == 404
    assert _fire(Browser(app).login(world.admin_riau), application, "approve").status_code == 404
    assert _state(db, application) == "submitted"


def test_an_event_without_csrf_is_refused(app, world, db):
    application = world.new_application()
    browser = Browser(app).login(world.candidate)
    response = browser.post(f"/applications/{application.id}/events/submit", data={"version": application.version})
    assert response.status_code == 400
    assert _state(db, application) == "draft"


def test_assigning_a_team_through_the_page(app, world, db):
    application = world.advance(world.new_application(), "eligible")
    refused = _fire(Browser(app).login(world.admin_batam), application, "assign_team", team=world.team.id)
    assert refused.status_code == 422 and "Pilih tim asesor (data.team) yang Anda kelola." in refused.text
    kepri = Browser(app).login(world.admin_kepri)
    for bad in ("", "abc", "9" * 40, "-1", "999999"):
        assert _fire(kepri, application, "assign_team", team=bad).status_code == 422, bad

    response = _fire(Browser(app).login(world.admin_kepri), application, "assign_team", team=world.team.id)
    assert response.status_code == 303
    assert _state(db, application) == "team_assigned"
    assert "Tim Kepri 1" in _page(app, world.candidate, application).text


def test_the_lead_recommends_through_the_page(app, world, db):
    application = world.advance(world.new_application(), "in_assessment")
    world.score_all(application, world.lead)
    browser = Browser(app).login(world.lead.user)
    missing = _fire(browser, application, "recommend", recommendation="")
    assert missing.status_code == 422 and "Rekomendasi (data.recommendation) harus K atau BK." in missing.text
    assert _fire(browser, application, "recommend", recommendation="K").status_code == 303
    assert _state(db, application) == "assessed"
    certifier_page = _page(app, world.certifier, application).text
    assert "Rekomendasi tim" in certifier_page
    assert "Rekomendasi tim" not in _page(app, world.admin_kepri, application).text  # status, not scores


def test_reassessment_offers_the_bk_units(app, world, db):
    application = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(application, "decline", world.certifier, reason="Unit 1 belum kompeten")
    browser = Browser(app).login(world.candidate)
    page = browser.get(f"/applications/{application.id}").text
    assert _buttons(page) == ["request_reassessment", "appeal"]
    assert 'name="units" value="PSG.U1"' in page and 'value="PSG.U2"' not in page
    wrong = _fire(browser, application, "request_reassessment", units="PSG.U2")
    assert wrong.status_code == 422 and "Asesmen ulang hanya boleh mencakup unit BK: PSG.U1." in wrong.text
    assert _fire(browser, application, "request_reassessment", units="PSG.U1").status_code == 303
    assert _state(db, application) == "eligible"


# -- what the page shows ---------------------------------------------------------------------------


def test_the_diagram_highlights_the_current_state(app, world):
    application = world.advance(world.new_application(), "team_assigned")
    page = _page(app, world.candidate, application).text
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('aria-current="true"') == 1
    assert re.search(r'<g class="state current" data-state="team_assigned" aria-current="true">', svg)
    for label in ("Draf", "Diajukan", "Perlu revisi", "Tersertifikasi", "Ditarik"):
        assert f">{label}</text>" in svg


def test_the_history_is_a_timeline_oldest_first_in_the_readers_language(app, world, monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 8, 17, 3, 0, tzinfo=UTC))
    application = world.advance(world.new_application(), "submitted")
    world.fire(application, "reject", world.admin_batam, reason="Belum memenuhi syarat pendidikan")
    browser = Browser(app).login(world.candidate)
    page = browser.get(f"/applications/{application.id}").text
    timeline = page[page.index('<ol class="timeline">') :]
    assert timeline.index("Ajukan") < timeline.index("Tolak")
    assert "oleh Siti Candidate" in timeline and "oleh Admin Batam" in timeline
    assert "Belum memenuhi syarat pendidikan" in timeline
    assert "17 Agu 2026 10.00.00" in timeline  # WIB, Indonesian
    english = browser.get(f"/applications/{application.id}?lang=en").text
    assert "Aug 17, 2026" in english and "by Admin Batam" in english and "Submitted → Ineligible" in english


def test_documents_are_listed_with_their_translated_status(app, world):
    application = world.new_application()
    world.mark_documents(application, "valid")
    page = _page(app, world.candidate, application).text
    assert "Ijazah" in page and "diploma.pdf" in page and "Surat keterangan kerja" in page
    assert '<span class="doc-status doc-valid">Sah</span>' in page


def test_a_certified_application_links_its_certificate(app, world, db):
    application = world.advance(world.new_application(), "certified")
    number = application.certificate.number
    page = _page(app, world.candidate, application).text
    assert f'href="/verify/{number}"' in page


def test_the_page_runs_a_constant_number_of_queries(app, world):
    short = world.advance(world.new_application(), "submitted")
    long = world.advance(world.new_application(), "submitted")
    for _ in range(3):
        deadline = (clock.today() + timedelta(days=5)).isoformat()
        world.fire(long, "request_revision", world.admin_batam, reason="lagi", data={"deadline": deadline})
        world.fire(long, "resubmit", world.candidate)
    short_url, long_url = f"/applications/{short.id}", f"/applications/{long.id}"  # read ids outside the count
    browser = Browser(app).login(world.admin_kepri)
    browser.get(short_url)
    with count_queries() as few:
        assert browser.get(short_url).text.count("<li>") == 1
    with count_queries() as many:
        assert browser.get(long_url).text.count("<li>") == 7
    assert few[0] == many[0], (few[0], many[0])


def test_the_certifier_certifies_through_the_page_after_confirming(app, world, db):
    application = world.advance(world.new_application(), "assessed")
    browser = Browser(app).login(world.certifier)
    page = browser.get(f"/applications/{application.id}").text
    assert '<details class="action" data-event="certify">' in page  # a second click confirms
    assert "Tindakan ini tidak dapat dibatalkan. Anda yakin?" in page
    assert _fire(browser, application, "certify").status_code == 303
    assert _state(db, application) == "certified"
    page = _page(app, world.candidate, application).text
    assert '<span class="badge state-certified">Tersertifikasi</span>' in page
    assert 'href="/verify/' in page


def test_the_candidate_withdraws_after_confirming(app, world, db):
    application = world.advance(world.new_application(), "submitted")
    browser = Browser(app).login(world.candidate)
    page = browser.get(f"/applications/{application.id}").text
    assert '<details class="action" data-event="withdraw">' in page
    assert _fire(browser, application, "withdraw").status_code == 303
    assert _state(db, application) == "withdrawn"
    assert _buttons(browser.get(f"/applications/{application.id}").text) == []


def test_the_dinas_admin_releases_the_team_through_the_page(app, world, db):
    application = world.advance(world.new_application(), "team_assigned")
    world.declare(application)
    browser = Browser(app).login(world.admin_batam)
    page = browser.get(f"/applications/{application.id}").text
    assert _buttons(page) == ["release"]
    form = re.search(r'<details class="action" data-event="release">(.*?)</details>', page, re.S).group(1)
    assert "Lepaskan tim" in form and 'name="reason"' in form and "Alasan" in form
    assert "Apakah Anda yakin" not in form, "it asks for a reason, not a second click"

    refused = _fire(browser, application, "release", reason="  ")
    assert refused.status_code == 422
    assert "“Lepaskan tim” tidak dilakukan." in refused.text and "Alasan wajib diisi." in refused.text
    assert _state(db, application) == "team_assigned"

    response = _fire(browser, application, "release", reason="Jadwal uji dibatalkan")
    assert response.status_code == 303
    assert _state(db, application) == "eligible"
    page = browser.get(response.headers["Location"]).text
    assert "Lepaskan tim: berhasil. Status permohonan sekarang “Memenuhi syarat”." in page
    assert "Jadwal uji dibatalkan" in page, "the reason is in the history"
    application = db.session.get(Application, application.id)
    assert application.team_id is None
    # the province admin can assign a team again
    assert _buttons(_page(app, world.admin_kepri, application).text) == ["assign_team"]
