"""API: POST /api/v1/schedules/<id>/decision — 201, 422 naming every refused line, 403, 404."""

from __future__ import annotations

from sqlalchemy import func, select

from certflow.models import Certificate, PlenaryDecision
from tests.plenary_support import lines_for, reported_schedule
from tests.web.test_api_certificates import token


def _body(w, apps, decisions=None, number="SK/10/2026"):
    return {
        "number": number,
        "date": "2026-12-01",
        "members": [w.certifier.id, w.certifier2.id],
        "lines": lines_for(apps, decisions),
    }


def test_a_certifier_records_the_decision(client, world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK"])
    r = client.post(
        f"/api/v1/schedules/{schedule.id}/decision",
        json=_body(w, apps, ["K", "BK"]),
        headers=token(client, w.certifier),
    )
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert got["number"] == "SK/10/2026" and got["schedule"] == schedule.id and got["date"] == "2026-12-01"
    assert [ln["decision"] for ln in got["lines"]] == ["K", "BK"]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_refused_line_answers_422_naming_every_refused_line(client, world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK", "BK"])
    r = client.post(
        f"/api/v1/schedules/{schedule.id}/decision",
        json=_body(w, apps, ["K", "K", "K"]),
        headers=token(client, w.certifier),
    )
    assert r.status_code == 422
    got = r.get_json()
    assert got["error"]["code"] == "lines_refused"
    assert {(ln["application"], ln["code"]) for ln in got["lines"]} == {
        (apps[1].id, "guard_failed"),
        (apps[2].id, "guard_failed"),
    }
    assert db.session.scalar(select(func.count()).select_from(PlenaryDecision)) == 0
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_who_may_not(client, world, db):
    w = world
    schedule, apps = reported_schedule(w, candidates=1)
    url = f"/api/v1/schedules/{schedule.id}/decision"
    # the dinas admin of the schedule sees it but may not decide; another dinas's admin does not see it
    assert client.post(url, json=_body(w, apps), headers=token(client, w.admin_batam)).status_code == 403
    r = client.post(url, json=_body(w, apps), headers=token(client, w.admin_riau))
    assert r.status_code == 404
    assert client.post(url, json=_body(w, apps), headers=token(client, w.candidate)).status_code == 404
    assert client.post(url, json=_body(w, apps)).status_code == 401
    assert (
        client.post(
            "/api/v1/schedules/99999/decision", json=_body(w, apps), headers=token(client, w.certifier)
        ).status_code
        == 404
    )
    assert db.session.scalar(select(func.count()).select_from(PlenaryDecision)) == 0


def test_bad_input_and_a_second_decision(client, world, db):
    w = world
    schedule, apps = reported_schedule(w, candidates=1)
    url = f"/api/v1/schedules/{schedule.id}/decision"
    headers = token(client, w.certifier)
    bad = {"number": "", "date": "2026-13-01", "members": [], "lines": []}
    r = client.post(url, json=bad, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "validation_error"
    assert client.post(url, json=_body(w, apps), headers=headers).status_code == 201
    r = client.post(url, json=_body(w, apps, number="SK/11/2026"), headers=headers)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"


def test_the_forms_download_for_those_who_see_the_schedule(client, world, db):
    w = world
    schedule, apps = reported_schedule(w, candidates=1)
    base = f"/api/v1/schedules/{schedule.id}/forms"
    certifier = token(client, w.certifier)
    for form in ("attendance", "berita-acara", "ak-05"):
        r = client.get(f"{base}/{form}", headers=certifier)
        assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF"), form
    r = client.get(f"{base}/decision", headers=certifier)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "form_not_ready"
    assert client.get(f"{base}/ak-05", headers=token(client, w.admin_batam)).status_code == 200
    assert client.get(f"{base}/ak-05", headers=token(client, w.lead.user)).status_code == 200
    assert client.get(f"{base}/ak-05", headers=token(client, w.admin_riau)).status_code == 404
    assert client.get(f"{base}/ak-05", headers=token(client, w.candidate)).status_code == 404
    assert client.get(f"{base}/nothing", headers=certifier).status_code == 404
    assert (
        client.post(f"/api/v1/schedules/{schedule.id}/decision", json=_body(w, apps), headers=certifier).status_code
        == 201
    )
    r = client.get(f"{base}/decision", headers=certifier)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
