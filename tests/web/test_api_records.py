"""API: the FR.AK.01 agreement, FR.AK.02 per unit, FR.AK.03 feedback, and the printed forms.

Each route for every role that may and may not use it; each PDF's text checked for its fields.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certflow import clock
from certflow.models import Agreement, Notification, OutboxMessage
from tests.web.test_api_applications_support import Api, error_code


@pytest.fixture()
def api(client):
    return Api(client)


def _terms(world, app=None, **over):
    body = {
        "date": (clock.today() + timedelta(days=5)).isoformat(),
        "time": "09:30",
        "venue": "TUK Dinas Sosial Kepri",
        "evidence": [
            {"unit": "PSG.U1", "methods": ["observation", "interview"]},
            {"unit": "PSG.U2", "methods": ["portfolio"]},
        ],
    }
    body.update(over)
    return body


@pytest.fixture()
def assigned(world):
    app = world.advance(world.new_application(), "team_assigned")
    world.declare(app)
    return app


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


# -- FR.AK.01 -----------------------------------------------------------------------------------


def test_the_lead_writes_both_sign_and_the_assessment_starts(api, world, db, assigned):
    lead, candidate = api.as_(world.lead.user), api.as_(world.candidate)
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "agreement_signed"
    assert candidate.get(f"/applications/{assigned.id}/agreement").status_code == 409
    r = lead.put(f"/applications/{assigned.id}/agreement", json=_terms(world))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["time"] == "09:30" and body["signed"] is False and body["venue"] == "TUK Dinas Sosial Kepri"
    assert [e["unit"] for e in body["evidence"]] == ["PSG.U1", "PSG.U2"]
    # the candidate is told there is an agreement to sign (in-app and e-mail)
    told = db.session.scalars(select(Notification.user_id).where(Notification.event == "agreement_to_sign")).all()
    assert told == [world.candidate.id]
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.event == "agreement_to_sign"))
    r = candidate.post(f"/applications/{assigned.id}/agreement/sign")
    assert r.status_code == 200 and r.get_json()["signed_by_candidate_at"] and not r.get_json()["signed"]
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 422 and "lead assessor has not signed" in r.get_json()["error"]["message"]
    r = lead.post(f"/applications/{assigned.id}/agreement/sign")
    assert r.status_code == 200 and r.get_json()["signed"] is True
    r = lead.event(assigned.id, "start_assessment")
    assert r.status_code == 200 and r.get_json()["state"] == "in_assessment"
    # once started, the terms are fixed
    assert lead.put(f"/applications/{assigned.id}/agreement", json=_terms(world)).status_code == 409


def test_changing_the_terms_clears_both_signatures_and_the_same_terms_keep_them(api, world, db, assigned):
    lead, candidate = api.as_(world.lead.user), api.as_(world.candidate)
    assert lead.put(f"/applications/{assigned.id}/agreement", json=_terms(world)).status_code == 200
    candidate.post(f"/applications/{assigned.id}/agreement/sign")
    lead.post(f"/applications/{assigned.id}/agreement/sign")
    r = lead.put(f"/applications/{assigned.id}/agreement", json=_terms(world))
    assert r.get_json()["signed"] is True, "nothing changed: the signatures stand"
    r = lead.put(f"/applications/{assigned.id}/agreement", json=_terms(world, venue="Aula Kantor Gubernur"))
    body = r.get_json()
    assert body["signed_by_candidate_at"] is None and body["signed_by_lead_at"] is None
    told = db.session.scalars(select(Notification.id).where(Notification.event == "agreement_to_sign")).all()
    assert len(told) == 2, "told of the first terms and of the changed ones"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"evidence": [{"unit": "PSG.U1", "methods": ["observation"]}]}, "evidence"),
        ({"evidence": [{"unit": "NOPE", "methods": ["observation"]}]}, "evidence[0].unit"),
        ({"date": "2020-01-01"}, "date"),
        ({"time": "25:00"}, "time"),
        ({"evidence": [{"unit": "PSG.U1", "methods": ["magic"]}]}, "evidence[0].methods[0]"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(api, world, assigned, body, field):
    r = api.as_(world.lead.user).put(f"/applications/{assigned.id}/agreement", json=_terms(world, **body))
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert any(f.startswith(field) for f in r.get_json()["error"]["fields"]), r.get_json()


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("candidate", 403), ("admin_kepri", 403), ("certifier", 404), ("admin_riau", 404)],
)
def test_only_the_lead_writes_the_terms(api, world, assigned, who, status):
    user = getattr(world, who)
    r = api.as_(getattr(user, "user", user)).put(f"/applications/{assigned.id}/agreement", json=_terms(world))
    assert r.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("admin_kepri", 403), ("certifier", 404), ("other_candidate", 404), ("admin_riau", 404)],
)
def test_only_the_candidate_and_the_lead_sign(api, world, db, assigned, who, status):
    api.as_(world.lead.user).put(f"/applications/{assigned.id}/agreement", json=_terms(world))
    user = getattr(world, who)
    assert api.as_(getattr(user, "user", user)).post(f"/applications/{assigned.id}/agreement/sign").status_code == (
        status
    )
    agreement = db.session.scalar(select(Agreement))
    assert agreement.signed_by_candidate_at is None and agreement.signed_by_lead_at is None


def test_signing_before_the_terms_are_written_is_form_not_ready(api, world, assigned):
    r = api.as_(world.candidate).post(f"/applications/{assigned.id}/agreement/sign")
    assert r.status_code == 409 and error_code(r) == "form_not_ready"


@pytest.mark.parametrize("who", ["candidate", "lead", "member", "admin_batam", "admin_kepri"])
def test_who_sees_the_application_reads_the_agreement(api, world, assigned, who):
    api.as_(world.lead.user).put(f"/applications/{assigned.id}/agreement", json=_terms(world))
    user = getattr(world, who)
    r = api.as_(getattr(user, "user", user)).get(f"/applications/{assigned.id}/agreement")
    assert r.status_code == 200 and r.get_json()["application"] == assigned.id


def test_another_dinas_does_not_find_the_agreement(api, world, assigned):
    api.as_(world.lead.user).put(f"/applications/{assigned.id}/agreement", json=_terms(world))
    assert api.as_(world.admin_riau).get(f"/applications/{assigned.id}/agreement").status_code == 404


# -- FR.AK.02 -----------------------------------------------------------------------------------


@pytest.fixture()
def assessing(world):
    return world.advance(world.new_application(), "in_assessment")


def test_the_lead_writes_the_unit_records_and_the_result_follows_the_scores(api, world, db, assessing):
    lead = api.as_(world.lead.user)
    r = lead.get(f"/applications/{assessing.id}/unit-records")
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [i["unit"] for i in items] == ["PSG.U1", "PSG.U2"] and all(i["result"] is None for i in items)
    assert items[0]["methods"] == ["observation", "portfolio"], "the agreement's methods until written"
    world.score_all(assessing, world.lead, bk_units=("PSG.U2",))
    records = [{"unit": "PSG.U2", "methods": ["observation"], "feedback": "Ulangi observasi"}]
    r = lead.put(f"/applications/{assessing.id}/unit-records", json={"records": records})
    assert r.status_code == 200, r.get_json()
    by_unit = {i["unit"]: i for i in r.get_json()["items"]}
    assert by_unit["PSG.U1"]["result"] == "K" and by_unit["PSG.U2"]["result"] == "BK"
    assert by_unit["PSG.U2"]["feedback"] == "Ulangi observasi" and by_unit["PSG.U2"]["recorded"] is True
    r = lead.put(f"/applications/{assessing.id}/unit-records", json={"records": [{"unit": "X", "methods": ["x"]}]})
    assert r.status_code == 422


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("candidate", 403), ("certifier", 404)])
def test_only_the_lead_writes_unit_records(api, world, assessing, who, status):
    user = getattr(world, who)
    r = api.as_(getattr(user, "user", user)).put(
        f"/applications/{assessing.id}/unit-records", json={"records": [{"unit": "PSG.U1", "methods": ["written"]}]}
    )
    assert r.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("candidate", 200), ("member", 200), ("certifier", 404), ("sysadmin", 200), ("admin_batam", 403)],
)
def test_who_reads_the_unit_records(api, world, assessing, who, status):
    user = getattr(world, who)
    assert api.as_(getattr(user, "user", user)).get(f"/applications/{assessing.id}/unit-records").status_code == status


# -- FR.AK.03 -----------------------------------------------------------------------------------


def _feedback(**over):
    answers = [{"item": n, "answer": n != 3, "comment": "Kurang jelas" if n == 3 else ""} for n in range(1, 11)]
    return {"answers": answers, "comments": "Terima kasih", **over}


def test_the_candidate_gives_feedback_once_assessed(api, world, assessing):
    candidate = api.as_(world.candidate)
    r = candidate.put(f"/applications/{assessing.id}/feedback", json=_feedback())
    assert r.status_code == 409 and error_code(r) == "not_editable"
    world.score_all(assessing, world.lead)
    world.fire(assessing, "recommend", world.lead.user, data={"recommendation": "K"})
    r = candidate.put(f"/applications/{assessing.id}/feedback", json=_feedback())
    assert r.status_code == 200, r.get_json()
    assert [a["answer"] for a in r.get_json()["answers"]][:3] == [True, True, False]
    r = candidate.put(f"/applications/{assessing.id}/feedback", json=_feedback(answers=_feedback()["answers"][:9]))
    assert r.status_code == 422 and "10" in r.get_json()["error"]["message"]
    r = api.as_(world.lead.user).put(f"/applications/{assessing.id}/feedback", json=_feedback())
    assert r.status_code == 403
    assert api.as_(world.admin_riau).put(f"/applications/{assessing.id}/feedback", json=_feedback()).status_code == 404


# -- the printed forms --------------------------------------------------------------------------


def test_every_form_prints_its_fields_in_indonesian(api, world, db):
    app = world.advance(world.new_application(), "in_assessment")
    lead, candidate = api.as_(world.lead.user), api.as_(world.candidate)
    world.score_all(app, world.lead)
    records = [{"unit": "PSG.U1", "methods": ["observation"], "feedback": "Pertahankan"}]
    assert lead.put(f"/applications/{app.id}/unit-records", json={"records": records}).status_code == 200
    world.fire(app, "recommend", world.lead.user, data={"recommendation": "K"})
    assert candidate.put(f"/applications/{app.id}/feedback", json=_feedback()).status_code == 200

    text = _pdf_text(candidate.get(f"/applications/{app.id}/forms/apl-01"))
    for words in ("FR.APL.01", "Siti Candidate", "Pekerja Sosial Generalis", "PSG.U1", "Halaman 1 dari 1"):
        assert words in text, words
    text = _pdf_text(candidate.get(f"/applications/{app.id}/forms/apl-02"))
    assert "FR.APL.02" in text and "PSG.U1.E1.K1" in text and "Criterion 1.1.1" in text
    text = _pdf_text(candidate.get(f"/applications/{app.id}/forms/ak-01"))
    for words in ("FR.AK.01", "Siti Candidate", "Lead Assessor", "Aula Dinas Sosial", "09.00", "Observasi"):
        assert words in text, words
    text = _pdf_text(candidate.get(f"/applications/{app.id}/forms/ak-02"))
    for words in ("FR.AK.02", "Pertahankan", "PSG.U2", "Kompeten (K)"):
        assert words in text, words
    text = _pdf_text(candidate.get(f"/applications/{app.id}/forms/ak-03"))
    assert "FR.AK.03" in text and "Terima kasih" in text and "Kurang jelas" in text
    text = _pdf_text(lead.get(f"/applications/{app.id}/forms/ia-01"))
    for words in ("FR.IA.01", "PSG.U2.E2.K2", "Member Assessor", "Portofolio"):
        assert words in text, words


def test_a_form_without_its_record_is_form_not_ready(api, world):
    app = world.advance(world.new_application(), "team_assigned")
    lead = api.as_(world.lead.user)
    for form in ("ak-01", "ak-02", "ia-01"):
        r = lead.get(f"/applications/{app.id}/forms/{form}")
        assert r.status_code == 409 and error_code(r) == "form_not_ready", form
    r = api.as_(world.candidate).get(f"/applications/{app.id}/forms/ak-03")
    assert r.status_code == 409 and error_code(r) == "form_not_ready"
    assert lead.get(f"/applications/{app.id}/forms/ak-99").status_code == 404


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("candidate", {"apl-01", "apl-02", "ak-01", "ak-02"}),
        ("lead", {"apl-01", "apl-02", "ak-01", "ak-02", "ia-01"}),
        ("admin_batam", {"apl-01", "apl-02", "ak-01"}),
        ("sysadmin", {"ak-01", "ak-02"}),
    ],
)
def test_who_may_download_which_form(api, world, who, allowed):
    app = world.advance(world.new_application(), "in_assessment")
    world.score_all(app, world.lead)
    api.as_(world.lead.user).put(
        f"/applications/{app.id}/unit-records", json={"records": [{"unit": "PSG.U1", "methods": ["written"]}]}
    )
    user = getattr(world, who)
    caller = api.as_(getattr(user, "user", user))
    for form in ("apl-01", "apl-02", "ak-01", "ak-02", "ia-01"):
        r = caller.get(f"/applications/{app.id}/forms/{form}")
        assert r.status_code == (200 if form in allowed else 403), (form, r.status_code)
    assert api.as_(world.admin_riau).get(f"/applications/{app.id}/forms/ak-01").status_code == 404
