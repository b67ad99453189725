"""A new candidate's whole journey, from draft to certified, through the API alone.

The ``world`` fixture provides the people, the assessor pool and the team;
from then on every step — and every wrong move on the way — is an HTTP call.
"""

from __future__ import annotations

from datetime import timedelta

from certflow import clock
from certflow.extensions import db
from tests.web.test_api_applications_support import Api, criteria_codes, error_code, image_bytes, pdf_bytes


def _rule(response) -> str | None:
    return response.get_json()["error"].get("rule")


def test_draft_to_certified_through_the_api(client, world):
    # A certifier who is also on the team: they may never decide on this candidate (rule 4).
    world.member.user.set_roles(world.member.user.roles | {"certifier"})
    db.session.commit()
    codes = criteria_codes(world.scheme)  # the scheme's reference data, as GET /schemes serves it

    api = Api(client)
    candidate = api.as_(world.candidate)
    admin_batam, admin_kepri, admin_riau = (
        api.as_(u) for u in (world.admin_batam, world.admin_kepri, world.admin_riau)
    )
    lead, member, certifier = api.as_(world.lead.user), api.as_(world.member.user), api.as_(world.certifier)

    # -- the candidate opens an application and fills it in ----------------------------------
    r = candidate.post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 201, r.get_json()
    app_id = r.get_json()["id"]
    assert r.get_json()["state"] == "draft"
    assert candidate.post("/applications", json={"scheme": "PSG"}).status_code == 422  # one open per scheme

    r = candidate.event(app_id, "submit")  # the profile fills the education, not the route or the purpose
    assert r.status_code == 422 and error_code(r) == "guard_failed" and _rule(r) == "apl01_complete"
    form = {"workplace": "Dinas Sosial Kota Batam", "phone": "0778", "route": "education", "purpose": "certification"}
    r = candidate.put(f"/applications/{app_id}/apl01", json=form)
    assert r.status_code == 200 and r.get_json()["apl01"]["practice_hours"] == 2000

    r = candidate.event(app_id, "submit")
    assert r.status_code == 422 and error_code(r) == "guard_failed" and _rule(r) == "documents_uploaded"

    r = candidate.upload(app_id, "diploma", b"<html><body>ijazah</body></html>", "ijazah.pdf")
    assert r.status_code == 422 and "HTML" in r.get_json()["error"]["message"]
    assert candidate.upload(app_id, "diploma", pdf_bytes("Ijazah D4"), "ijazah.pdf").status_code == 201
    r = candidate.upload(app_id, "work_letter", image_bytes("JPEG"), "surat kerja.jpg")
    assert r.status_code == 201
    work_letter = r.get_json()["id"]

    r = candidate.event(app_id, "submit")
    assert r.status_code == 422 and _rule(r) == "self_assessment_complete"
    path = f"/applications/{app_id}/self-assessment"
    half = len(codes) // 2
    r = candidate.put(path, json={"answers": [{"criterion": c, "claim": "K", "evidence": "Log"} for c in codes[:half]]})
    assert r.get_json()["unanswered"] == len(codes) - half
    r = candidate.put(path, json={"answers": [{"criterion": c, "claim": "K", "evidence": "Log"} for c in codes[half:]]})
    assert r.get_json()["unanswered"] == 0

    r = candidate.event(app_id, "submit")
    assert r.status_code == 200 and r.get_json()["state"] == "submitted"
    r = candidate.put(f"/applications/{app_id}/apl01", json={"practice_hours": 5000})
    assert r.status_code == 409 and error_code(r) == "not_editable"

    # -- verification by the dinas --------------------------------------------------------------
    r = admin_riau.event(app_id, "approve")
    assert r.status_code == 404 and error_code(r) == "not_found"  # another province's admin
    r = admin_batam.event(app_id, "approve")
    assert r.status_code == 422 and _rule(r) == "documents_valid"

    documents = admin_batam.get(f"/applications/{app_id}").get_json()["documents"]
    assert [d["status"] for d in documents] == ["pending", "pending"]
    assert candidate.patch(f"/documents/{documents[0]['id']}", json={"status": "valid"}).status_code == 403
    assert admin_batam.get(f"/documents/{work_letter}/file").status_code == 200
    assert admin_batam.patch(f"/documents/{documents[0]['id']}", json={"status": "valid"}).status_code == 200
    r = admin_batam.patch(f"/documents/{work_letter}", json={"status": "invalid"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["note"]
    r = admin_batam.patch(f"/documents/{work_letter}", json={"status": "invalid", "note": "Tanpa tanda tangan"})
    assert r.status_code == 200

    deadline = (clock.today() + timedelta(days=14)).isoformat()
    r = admin_batam.event(app_id, "request_revision", reason="Surat kerja belum ditandatangani")
    assert r.status_code == 422 and _rule(r) == "deadline_set"
    r = admin_batam.event(
        app_id, "request_revision", reason="Surat kerja belum ditandatangani", data={"deadline": deadline}
    )
    assert r.status_code == 200 and r.get_json()["state"] == "revision_requested"

    r = candidate.upload(app_id, "work_letter", pdf_bytes("Surat kerja, ditandatangani"), "surat kerja.pdf")
    assert r.status_code == 201
    new_letter = r.get_json()["id"]
    assert candidate.event(app_id, "resubmit").get_json()["state"] == "submitted"
    assert admin_kepri.patch(f"/documents/{new_letter}", json={"status": "valid"}).status_code == 200

    stale = admin_batam.get(f"/applications/{app_id}").get_json()["version"] - 1
    r = admin_batam.event(app_id, "approve", version=stale)
    assert r.status_code == 409 and error_code(r) == "stale_version"
    version = admin_batam.get(f"/applications/{app_id}").get_json()["version"]
    r = admin_batam.event(app_id, "approve", version=version)
    assert r.status_code == 200 and r.get_json()["state"] == "eligible"

    # -- the team ----------------------------------------------------------------------------
    r = admin_batam.event(app_id, "assign_team", data={"team": world.team.id})
    assert r.status_code == 422 and _rule(r) == "team_chosen"  # a Kepri team, not Batam's to assign
    r = admin_kepri.event(app_id, "assign_team", data={"team": "Tim Kepri 1"})
    assert r.status_code == 422 and _rule(r) == "team_chosen"
    r = admin_kepri.event(app_id, "assign_team", data={"team": world.team.id})
    assert r.status_code == 200 and r.get_json()["state"] == "team_assigned"
    assert r.get_json()["team"]["lead"]["name"] == "Lead Assessor"

    r = lead.event(app_id, "start_assessment")
    assert r.status_code == 422 and _rule(r) == "conflicts_declared"
    declaration = f"/applications/{app_id}/conflict-declaration"
    assert certifier.post(declaration, json={"conflict": False}).status_code == 404  # not yet theirs (rule 8)
    assert lead.post(declaration, json={"conflict": False, "note": ""}).status_code == 200
    assert member.post(declaration, json={"conflict": False}).status_code == 200
    assert member.event(app_id, "start_assessment").status_code == 403  # only the lead starts
    r = lead.event(app_id, "start_assessment")
    assert r.status_code == 422 and _rule(r) == "agreement_signed"
    # -- the agreement (FR.AK.01): the lead writes it, the candidate and the lead sign -------------
    units = sorted({c.rsplit(".", 2)[0] for c in codes})
    terms = {
        "date": (clock.today() + timedelta(days=3)).isoformat(),
        "time": "08:30",
        "venue": "TUK Batam",
        "evidence": [{"unit": u, "methods": ["observation"]} for u in units],
    }
    assert lead.put(f"/applications/{app_id}/agreement", json=terms).status_code == 200
    assert candidate.post(f"/applications/{app_id}/agreement/sign").status_code == 200
    assert lead.post(f"/applications/{app_id}/agreement/sign").get_json()["signed"] is True
    r = lead.event(app_id, "start_assessment")
    assert r.status_code == 200 and r.get_json()["state"] == "in_assessment"

    # -- the assessment ------------------------------------------------------------------------
    scores = {"scores": [{"criterion": c, "result": "K", "method": "portfolio", "evidence": "Seen"} for c in codes]}
    assert member.put(f"/applications/{app_id}/scores", json=scores).status_code == 200
    assert admin_batam.put(f"/applications/{app_id}/scores", json=scores).status_code == 403
    r = lead.event(app_id, "recommend", data={"recommendation": "K"})
    assert r.status_code == 422 and _rule(r) == "all_criteria_scored"
    assert lead.put(f"/applications/{app_id}/scores", json=scores).status_code == 200
    assert candidate.get(f"/applications/{app_id}/scores").status_code == 403
    assert admin_kepri.get(f"/applications/{app_id}/scores").status_code == 403
    assert certifier.get(f"/applications/{app_id}/scores").status_code == 404  # not yet at a decision point
    assert member.event(app_id, "recommend", data={"recommendation": "K"}).status_code == 403
    r = lead.event(app_id, "recommend", data={"recommendation": "K"})
    assert r.status_code == 200 and r.get_json()["state"] == "assessed"
    assert len(certifier.get(f"/applications/{app_id}/scores").get_json()["items"]) == 2
    assert "recommendation" not in admin_batam.get(f"/applications/{app_id}").get_json()  # rule 6

    # -- the decision --------------------------------------------------------------------------
    r = member.event(app_id, "certify")
    assert r.status_code == 403 and error_code(r) == "forbidden"  # a certifier on the team
    assert admin_batam.event(app_id, "certify").status_code == 403
    detail = certifier.get(f"/applications/{app_id}").get_json()
    assert detail["recommendation"] == "K" and detail["allowed_events"] == ["return_assessment", "certify", "decline"]
    r = certifier.event(app_id, "certify", version=detail["version"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "certified" and body["allowed_events"] == []
    assert body["certificate"]["number"].startswith("PSG-") and body["certificate"]["status"] == "active"
    r = certifier.event(app_id, "decline", reason="Too late", version=detail["version"])
    assert r.status_code == 409 and error_code(r) == "stale_version"
    r = candidate.event(app_id, "withdraw")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"

    # -- what the candidate sees at the end ------------------------------------------------------
    mine = candidate.get(f"/applications/{app_id}").get_json()
    assert mine["certificate"] == body["certificate"]
    history = candidate.get(f"/applications/{app_id}/history").get_json()
    assert [(h["event"], h["to"]) for h in history] == [
        ("submit", "submitted"),
        ("request_revision", "revision_requested"),
        ("resubmit", "submitted"),
        ("approve", "eligible"),
        ("assign_team", "team_assigned"),
        ("start_assessment", "in_assessment"),
        ("recommend", "assessed"),
        ("certify", "certified"),
    ]
    assert [h["actor"]["name"] for h in history][-3:] == ["Lead Assessor", "Lead Assessor", "Certifier One"]
    listing = candidate.get("/applications?state=certified").get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == app_id

    # -- anyone verifies the certificate; a suspension shows at once -----------------------------
    number = body["certificate"]["number"]
    served = api.as_(world.candidate).get("/schemes").get_json()
    served_codes = [
        c["code"]
        for s in served
        if s["code"] == "PSG"
        for u in s["units"]
        for e in u["elements"]
        for c in e["criteria"]
    ]
    assert sorted(served_codes) == sorted(codes)
    public = client.get(f"/api/v1/certificates/{number}")  # no token
    assert public.status_code == 200
    assert public.get_json()["status"] == "active" and public.get_json()["holder"] == "Siti Candidate"
    assert set(public.get_json()) >= {"number", "status", "holder", "scheme", "issued_on", "expires_on"}
    assert "email" not in public.get_data(as_text=True)
    until = (clock.today() + timedelta(days=30)).isoformat()
    assert (
        candidate.post(
            f"/certificates/{number}/events", json={"event": "suspend", "reason": "x", "data": {"until": until}}
        ).status_code
        == 403
    )
    r = certifier.post(f"/certificates/{number}/events", json={"event": "suspend", "reason": "Complaint"})
    assert r.status_code == 422 and _rule(r) == "end_date_set"
    r = certifier.post(f"/certificates/{number}/events", json={"event": "reinstate", "reason": "Too early"})
    assert r.status_code == 409 and error_code(r) == "invalid_transition"
    r = certifier.post(
        f"/certificates/{number}/events",
        json={"event": "suspend", "reason": "Complaint under review", "data": {"until": until}},
    )
    assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    assert client.get(f"/api/v1/certificates/{number}").get_json()["status"] == "suspended"
    page = client.get(f"/verify/{number}?lang=en")
    assert page.status_code == 200 and 'data-status="suspended"' in page.get_data(as_text=True)
    r = certifier.post(f"/certificates/{number}/events", json={"event": "reinstate", "reason": "Complaint dismissed"})
    assert r.status_code == 200 and client.get(f"/api/v1/certificates/{number}").get_json()["status"] == "active"
    assert client.get("/api/v1/certificates/PSG-2026-NOSUCH00").status_code == 404
