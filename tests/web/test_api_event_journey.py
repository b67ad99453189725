"""One assessment event end to end through the API alone (issue 11's "Tests that must exist").

Venue → verification → schedule → open → placement (one refusal for a conflict of interest, named)
→ FR.AK.01 written by the lead and signed by both → confirm → attendance → hold → start_assessment
→ written test drawn, answered, submitted, essays scored → scores → recommendation → FR.AK.05 report
→ plenary decision → certificates issued; every PDF of the way downloaded by who may, refused to who
may not. Every answer is checked against the OpenAPI document by the suite's hook.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from certflow import clock
from certflow.extensions import db
from certflow.models import AssessorRelation, Certificate, Schedule
from tests.factories import make_user
from tests.instruments_support import MC_KEY, make_bank
from tests.web.test_api_applications_support import Api, criteria_codes, error_code

PROFILE = {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}


def _pdf(caller, path) -> None:
    r = caller.get(path)
    assert r.status_code == 200, (path, r.status_code)
    assert r.mimetype == "application/pdf" and r.data.startswith(b"%PDF"), path


def _refused(caller, path) -> None:
    r = caller.get(path)
    assert r.status_code == 403 and error_code(r) == "forbidden", (path, r.status_code)


def test_an_assessment_event_from_venue_to_certificates(client, world):
    w = world
    make_bank(w.scheme)
    codes = criteria_codes(w.scheme)
    units = sorted({c.rsplit(".", 2)[0] for c in codes})
    apps = [w.new_application(w.candidate)]
    apps += [w.new_application(make_user("candidate", w.batam, name=f"Asesi {n}", **PROFILE)) for n in (2, 3)]
    for app in apps:
        w.advance(app, "eligible")
    # the member is a relative of the third candidate: a conflict of interest
    db.session.add(AssessorRelation(assessor_id=w.member.id, user_id=apps[2].candidate_id, kind="relative"))
    db.session.commit()
    ids = [a.id for a in apps]
    people = [a.candidate for a in apps]

    api = Api(client)
    admin, riau = api.as_(w.admin_kepri), api.as_(w.admin_riau)
    lead, member, certifier = api.as_(w.lead.user), api.as_(w.member.user), api.as_(w.certifier)
    cand = [api.as_(p) for p in people]

    # -- the venue, verified ----------------------------------------------------------------------
    venue = {"name": "TUK Batam Centre", "kind": "mandiri", "address": "Jl. Raja Ali Haji 2", "capacity": 30}
    r = admin.post("/venues", json={**venue, "dinas": w.batam.id})
    assert r.status_code == 201, r.get_json()
    venue_id = r.get_json()["id"]
    assert riau.post(f"/venues/{venue_id}/verification", json={"facilities_ok": True}).status_code == 404
    r = admin.post(f"/venues/{venue_id}/verification", json={"facilities_ok": True, "note": "Lengkap"})
    assert r.status_code == 201 and r.get_json()["verification"]["facilities_ok"] is True

    # -- the schedule, planned then opened ----------------------------------------------------------
    day = clock.today() + timedelta(days=14)
    r = admin.post(
        "/schedules",
        json={
            "scheme": "PSG",
            "venue": venue_id,
            "starts_at": f"{day.isoformat()}T09:00:00+07:00",
            "quota_min": 2,
            "quota_max": 20,
            "registration_closes": (day - timedelta(days=3)).isoformat(),
            "team": w.team.id,
        },
    )
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    assert r.get_json()["allowed_events"] == ["open", "cancel"]
    assert riau.get(f"/schedules/{sid}").status_code == 404
    r = admin.post(f"/schedules/{sid}/events", json={"event": "open", "version": 1})
    assert r.status_code == 200 and r.get_json()["state"] == "open"

    # -- placement: two placed, one refused for the member's conflict of interest, named ----------
    r = admin.post(f"/schedules/{sid}/candidates", json={"applications": ids})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["placed"] == ids[:2]
    assert [(x["application"], x["code"], x["rule"]) for x in body["refused"]] == [
        (ids[2], "guard_failed", "no_conflict")
    ]
    assert "Member Assessor" in body["refused"][0]["message"]
    placed, placed_cand = ids[:2], cand[:2]
    for app_id, me in zip(placed, placed_cand, strict=True):
        mine = me.get(f"/applications/{app_id}").get_json()
        assert mine["state"] == "team_assigned" and mine["team"]["lead"]["name"] == "Lead Assessor"
    assert cand[2].get(f"/applications/{ids[2]}").get_json()["state"] == "eligible"
    r = admin.post(f"/schedules/{sid}/events", json={"event": "confirm"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "agreements_signed"

    # -- FR.AK.01: written by the lead, signed by the candidate and the lead ------------------------
    terms = {
        "date": day.isoformat(),
        "time": "09:00",
        "venue": "TUK Batam Centre",
        "evidence": [{"unit": u, "methods": ["observation", "written"]} for u in units],
    }
    for app_id, me in zip(placed, placed_cand, strict=True):
        assert member.put(f"/applications/{app_id}/agreement", json=terms).status_code == 403
        assert lead.put(f"/applications/{app_id}/agreement", json=terms).status_code == 200
        r = me.post(f"/applications/{app_id}/agreement/sign")
        assert r.status_code == 200 and r.get_json()["signed_by_lead_at"] is None
        r = lead.post(f"/applications/{app_id}/agreement/sign")
        assert r.status_code == 200 and r.get_json()["signed"] is True
        _pdf(me, f"/applications/{app_id}/forms/ak-01")
    r = admin.post(f"/schedules/{sid}/events", json={"event": "confirm"})
    assert r.status_code == 200 and r.get_json()["state"] == "ready"

    # -- the day: attendance by the lead, the event held --------------------------------------------
    assert lead.put(f"/schedules/{sid}/attendance", json={"present": placed}).status_code == 409  # not yet
    schedule = db.session.get(Schedule, sid)
    schedule.starts_at = clock.now() - timedelta(hours=1)
    db.session.commit()
    assert admin.put(f"/schedules/{sid}/attendance", json={"present": placed}).status_code == 403
    r = lead.put(f"/schedules/{sid}/attendance", json={"present": placed})
    assert r.status_code == 200
    assert r.get_json()["attendance"] == [{"application": a, "present": True} for a in placed]
    _pdf(lead, f"/schedules/{sid}/forms/attendance")
    r = lead.post(f"/schedules/{sid}/events", json={"event": "hold"})
    assert r.status_code == 200 and r.get_json()["state"] == "held"

    # -- each candidate's assessment ----------------------------------------------------------------
    scores = {"scores": [{"criterion": c, "result": "K", "method": "written", "evidence": "Tes"} for c in codes]}
    for app_id, me in zip(placed, placed_cand, strict=True):
        declaration = f"/applications/{app_id}/conflict-declaration"
        assert lead.post(declaration, json={"conflict": False, "note": ""}).status_code == 200
        assert member.post(declaration, json={"conflict": False}).status_code == 200
        r = lead.event(app_id, "start_assessment")
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["state"] == "in_assessment"

        # the written test: drawn by the lead, answered and submitted by the candidate, essays scored
        assert me.post(f"/applications/{app_id}/tests").status_code == 403
        r = lead.post(f"/applications/{app_id}/tests")
        assert r.status_code == 201, r.get_json()
        test = r.get_json()
        assert "answer_key" not in str(test)
        mc = [q for q in test["questions"] if q["kind"] == "multiple_choice"]
        essays = [q for q in test["questions"] if q["kind"] == "essay"]
        answers = [{"question": q["id"], "choice": MC_KEY} for q in mc]
        answers += [{"question": q["id"], "text": "Asesmen kebutuhan klien."} for q in essays]
        assert me.put(f"/tests/{test['id']}/answers", json={"answers": answers}).status_code == 200
        r = me.post(f"/tests/{test['id']}/submit")
        assert r.status_code == 200 and r.get_json()["open"] is False and r.get_json()["result"] is None
        r = member.put(
            f"/tests/{test['id']}/essay-scores",
            json={"scores": [{"question": q["id"], "result": "K"} for q in essays]},
        )
        assert r.status_code == 200
        result = r.get_json()["result"]
        assert (result["correct"], result["total"]) == (len(mc), len(mc))
        assert (result["essays"], result["essays_k"], result["essays_scored"]) == (len(essays),) * 3

        # scores by both assessors, the lead's recommendation
        assert member.put(f"/applications/{app_id}/scores", json=scores).status_code == 200
        assert lead.put(f"/applications/{app_id}/scores", json=scores).status_code == 200
        records = [{"unit": u, "methods": ["observation", "written"]} for u in units]
        r = lead.put(f"/applications/{app_id}/unit-records", json={"records": records})
        assert r.status_code == 200 and {i["result"] for i in r.get_json()["items"]} == {"K"}
        assert member.event(app_id, "recommend", data={"recommendation": "K"}).status_code == 403
        r = lead.event(app_id, "recommend", data={"recommendation": "K"})
        assert r.status_code == 200 and r.get_json()["state"] == "assessed"

    # -- FR.AK.05: the lead reports the event ---------------------------------------------------------
    r = lead.post(f"/schedules/{sid}/events", json={"event": "report"})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "notes_given"
    notes = "Uji berjalan lancar; dua asesi hadir."
    r = lead.post(f"/schedules/{sid}/events", json={"event": "report", "data": {"notes": notes}})
    assert r.status_code == 200 and r.get_json()["state"] == "reported" and r.get_json()["report_notes"] == notes
    for form in ("attendance", "berita-acara", "ak-05"):
        for who in (lead, admin, certifier):
            _pdf(who, f"/schedules/{sid}/forms/{form}")
        assert riau.get(f"/schedules/{sid}/forms/{form}").status_code == 404
        assert cand[0].get(f"/schedules/{sid}/forms/{form}").status_code == 404
    r = certifier.get(f"/schedules/{sid}/forms/decision")
    assert r.status_code == 409 and error_code(r) == "form_not_ready"

    # -- the plenary decision: all or nothing ---------------------------------------------------------
    decision = {
        "number": "SK/11/2026",
        "date": clock.today().isoformat(),
        "members": [w.certifier.id, w.certifier2.id],
        "lines": [{"application": a, "decision": "K"} for a in placed],
    }
    assert admin.post(f"/schedules/{sid}/decision", json=decision).status_code == 403
    assert lead.post(f"/schedules/{sid}/decision", json=decision).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    r = certifier.post(f"/schedules/{sid}/decision", json=decision)
    assert r.status_code == 201, r.get_json()
    assert [ln["decision"] for ln in r.get_json()["lines"]] == ["K", "K"]
    assert certifier.get(f"/schedules/{sid}").get_json()["state"] == "decided"
    _pdf(certifier, f"/schedules/{sid}/forms/decision")
    _pdf(admin, f"/schedules/{sid}/forms/decision")

    # -- the certificates, and the candidate's forms ----------------------------------------------------
    feedback = {"answers": [{"item": n, "answer": True} for n in range(1, 11)], "comments": "Terima kasih"}
    numbers = []
    for app_id, me in zip(placed, placed_cand, strict=True):
        mine = me.get(f"/applications/{app_id}").get_json()
        assert mine["state"] == "certified" and mine["certificate"]["status"] == "active"
        numbers.append(mine["certificate"]["number"])
        assert me.put(f"/applications/{app_id}/feedback", json=feedback).status_code == 200
        for form in ("apl-01", "apl-02", "ak-01", "ak-02", "ak-03", "ia-01"):
            path = f"/applications/{app_id}/forms/{form}"
            for who in (lead, member, certifier):
                _pdf(who, path)
            # the candidate: everything but the assessors' observation checklist
            (_pdf if form != "ia-01" else _refused)(me, path)
            # a dinas admin as such: the application and the agreement, never the results (rule 6)
            (_pdf if form in ("apl-01", "apl-02", "ak-01") else _refused)(admin, path)
            assert riau.get(f"/applications/{app_id}/forms/{form}").status_code == 404
            assert cand[2].get(f"/applications/{app_id}/forms/{form}").status_code == 404
        _pdf(me, f"/certificates/{mine['certificate']['number']}/pdf")
    assert len(set(numbers)) == 2
    for number in numbers:
        public = client.get(f"/api/v1/certificates/{number}")
        assert public.status_code == 200 and public.get_json()["status"] == "active"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    # the one refused stays eligible, free for another schedule
    assert cand[2].get(f"/applications/{ids[2]}").get_json()["state"] == "eligible"


def test_the_agreement_starts_from_the_schedule(app, client, world):
    """The lead's FR.AK.01 form is prefilled with the schedule's date, time (WIB) and venue; terms
    written through the API without a venue take the schedule's."""
    from tests.factories import make_schedule
    from tests.web.test_pages_support import Browser

    w = world
    schedule = make_schedule(w, state="open")
    application = w.new_application()
    w.advance(application, "eligible")
    api = Api(client)
    admin, lead = api.as_(w.admin_kepri), api.as_(w.lead.user)
    r = admin.post(f"/schedules/{schedule.id}/candidates", json={"applications": [application.id]})
    assert r.get_json()["placed"] == [application.id]
    local = schedule.starts_at.astimezone(clock.LOCAL_TZ)

    page = Browser(app).login(w.lead.user).get(f"/assessor/applications/{application.id}/agreement").text
    assert f'value="{local.date().isoformat()}"' in page
    assert f'value="{local.strftime("%H:%M")}"' in page
    assert f'value="{schedule.venue.name}"' in page

    units = sorted({c.rsplit(".", 2)[0] for c in criteria_codes(w.scheme)})
    terms = {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "evidence": [{"unit": u, "methods": ["observation"]} for u in units],
    }
    r = lead.put(f"/applications/{application.id}/agreement", json=terms)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["venue"] == schedule.venue.name
    r = lead.put(f"/applications/{application.id}/agreement", json={**terms, "venue": "Aula Dinas Sosial"})
    assert r.status_code == 200 and r.get_json()["venue"] == "Aula Dinas Sosial"  # the lead may change it
