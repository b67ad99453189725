"""Certifier pages: the plenary list, a schedule's decision form (every refused line shown), its printed forms."""

from __future__ import annotations

from sqlalchemy import func, select

from certflow.models import Certificate, PlenaryDecision
from tests.plenary_support import reported_schedule
from tests.web.test_pages_support import Browser, fresh


def _browser(app, user) -> Browser:
    browser = Browser(app).login(user)
    browser.get("/?lang=en")
    return browser


def _form(w, apps, decisions, number="SK/5/2026"):
    data = {
        "number": number,
        "date": "2026-12-01",
        "members": [str(w.certifier.id), str(w.certifier2.id)],
        "application": [str(a.id) for a in apps],
    }
    for a, d in zip(apps, decisions, strict=True):
        data[f"decision-{a.id}"] = d
        data[f"reason-{a.id}"] = "Unit 1 belum kompeten." if d == "BK" else ""
    return data


def test_a_certifier_sees_the_list_and_decides(app, world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["K", "BK"])
    b = _browser(app, w.certifier)
    page = b.get("/certifier/plenary")
    assert page.status_code == 200 and "TUK Batam" in page.text and f"/certifier/plenary/{schedule.id}" in page.text
    page = b.get(f"/certifier/plenary/{schedule.id}")
    assert page.status_code == 200
    for text in ("Siti Candidate", "Calon 1", "Record the plenary decision", "Berjalan lancar.", "forms/ak-05"):
        assert text in page.text, text
    url = f"/certifier/plenary/{schedule.id}"
    r = b.submit(url, **_form(w, apps, ["K", "BK"]))
    assert r.status_code == 303, r.text
    fresh(db)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    page = b.get(url)
    assert "SK/5/2026" in page.text and "Record the plenary decision" not in page.text
    pdf = b.get(f"{url}/forms/decision")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_every_refused_line_is_shown_and_nothing_is_decided(app, world, db):
    w = world
    schedule, apps = reported_schedule(w, recommendations=["BK", "BK"])
    b = _browser(app, w.certifier)
    url = f"/certifier/plenary/{schedule.id}"
    r = b.submit(url, **_form(w, apps, ["K", "K"]))
    assert r.status_code == 422
    assert r.text.count('role="alert"') >= 3  # the summary and each refused line
    assert "Siti Candidate" in r.text and "Calon 1" in r.text and 'value="SK/5/2026"' in r.text
    fresh(db)
    assert db.session.scalar(select(func.count()).select_from(PlenaryDecision)) == 0


def test_who_may_not(app, world, db):
    w = world
    schedule, _apps = reported_schedule(w, candidates=1)
    for user in (w.admin_batam, w.candidate, w.lead.user):
        b = _browser(app, user)
        assert b.get("/certifier/plenary").status_code in (302, 403, 404), user.name
        assert b.get(f"/certifier/plenary/{schedule.id}").status_code in (302, 403, 404), user.name
    b = _browser(app, w.certifier)
    assert b.get("/certifier/plenary/99999").status_code == 404
    assert b.get(f"/certifier/plenary/{schedule.id}/forms/nothing").status_code == 404
    assert b.get(f"/certifier/plenary/{schedule.id}/forms/decision").status_code == 409
