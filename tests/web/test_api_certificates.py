"""API: certificates — the public check, the PDF, lifecycle events, the list; every role."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certflow import clock
from certflow.applications.workflow import fire_certificate_event
from certflow.certificates.operations import issue_certificate
from certflow.extensions import db as _db
from certflow.models import Application, Certificate, Notification, TransitionLog
from tests.factories import PASSWORD, make_user

_ip = itertools.count(1)


def token(client, user) -> dict:
    """Bearer headers for ``user`` (each token from its own address, clear of the login rate limit)."""
    n = next(_ip)
    r = client.post(
        "/api/v1/auth/tokens",
        json={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": f"10.1.{n // 250}.{n % 250 + 1}"},
    )
    assert r.status_code == 201, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def certified_in(world, dinas, state="certified") -> Application:
    """An application of a new candidate of ``dinas``, put straight into ``state``, with its certificate."""
    candidate = make_user("candidate", dinas, name=f"Holder of {dinas.area}")
    app = Application(candidate=candidate, scheme=world.scheme, dinas=dinas, state=state)
    _db.session.add(app)
    _db.session.flush()
    issue_certificate(app)
    _db.session.commit()
    return app


@pytest.fixture()
def cert(world, db) -> Certificate:
    """The certificate of the world's candidate (Kota Batam), certified through the real workflow."""
    app = world.new_application()
    world.advance(app, "certified")
    return db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


# -- the public check ---------------------------------------------------------------------------
def test_public_certificate_needs_no_token_and_shows_only_the_minimum(client, cert):
    r = client.get(f"/api/v1/certificates/{cert.number}")
    assert r.status_code == 200
    body = r.get_json()
    assert body == {
        "number": cert.number,
        "status": "active",
        "holder": "Siti Candidate",
        "scheme": "PSG",
        "scheme_name": "Pekerja Sosial Generalis",
        "level": "Generalis",
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat(),
    }
    assert cert.holder.email not in r.get_data(as_text=True)


def test_public_certificate_unknown_number_is_404(client, world):
    r = client.get("/api/v1/certificates/PSG-2026-NOSUCHNO")
    assert r.status_code == 404
    assert error_code(r) == "not_found"


def test_public_status_is_live_expired_from_the_expiry_date(client, cert, monkeypatch):
    expires = cert.expires_on
    monkeypatch.setattr(clock, "today", lambda: expires - timedelta(days=1))
    assert client.get(f"/api/v1/certificates/{cert.number}").get_json()["status"] == "active"
    monkeypatch.setattr(clock, "today", lambda: expires)
    assert client.get(f"/api/v1/certificates/{cert.number}").get_json()["status"] == "expired"
    assert _db.session.get(Certificate, cert.id).status == "active"  # the job has not run; nothing written


def test_public_status_shows_a_suspension(client, cert, world):
    until = (clock.today() + timedelta(days=30)).isoformat()
    fire_certificate_event(cert, "suspend", world.certifier, reason="Complaint", data={"until": until})
    _db.session.commit()
    assert client.get(f"/api/v1/certificates/{cert.number}").get_json()["status"] == "suspended"


# -- the PDF --------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["candidate", "certifier", "admin_batam", "admin_kepri", "sysadmin"])
def test_pdf_for_those_who_may_have_it(client, cert, world, who):
    r = client.get(f"/api/v1/certificates/{cert.number}/pdf", headers=token(client, getattr(world, who)))
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert f"{cert.number}.pdf" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["other_candidate", "admin_riau", "lead", "member"])
def test_pdf_is_404_for_everyone_else(client, cert, world, who):
    user = getattr(world, who)
    user = getattr(user, "user", user)  # an assessor's account
    r = client.get(f"/api/v1/certificates/{cert.number}/pdf", headers=token(client, user))
    assert r.status_code == 404
    assert error_code(r) == "not_found"


def test_pdf_needs_a_token_and_a_known_number(client, cert, world):
    r = client.get(f"/api/v1/certificates/{cert.number}/pdf")
    assert r.status_code == 401 and error_code(r) == "unauthorized"
    r = client.get("/api/v1/certificates/PSG-2026-NOSUCHNO/pdf", headers=token(client, world.certifier))
    assert r.status_code == 404 and error_code(r) == "not_found"


# -- lifecycle events -----------------------------------------------------------------------------
def post_event(client, headers, number, **body):
    return client.post(f"/api/v1/certificates/{number}/events", json=body, headers=headers)


def test_certifier_suspends_reinstates_and_withdraws(client, cert, world):
    headers = token(client, world.certifier)
    until = (clock.today() + timedelta(days=60)).isoformat()
    r = post_event(
        client, headers, cert.number, event="suspend", reason="Complaint under review", data={"until": until}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "suspended"
    assert body["status_reason"] == "Complaint under review"
    assert body["suspended_until"] == until
    assert body["version"] == 2

    r = post_event(client, headers, cert.number, event="reinstate", reason="Cleared", version=2)
    assert r.status_code == 200
    assert r.get_json()["status"] == "active" and r.get_json()["suspended_until"] is None

    r = post_event(client, headers, cert.number, event="withdraw", reason="Fraud proven")
    assert r.get_json()["status"] == "withdrawn"

    logs = _db.session.scalars(
        select(TransitionLog.event).where(TransitionLog.workflow == "certificate", TransitionLog.subject_id == cert.id)
    ).all()
    assert logs == ["suspend", "reinstate", "withdraw"]
    told = _db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == world.candidate.id, Notification.event == "withdraw")
    )
    assert told == 1


@pytest.mark.parametrize("who", ["candidate", "admin_batam", "admin_kepri", "sysadmin", "lead"])
def test_only_certifiers_fire_certificate_events(client, cert, world, who):
    user = getattr(world, who)
    user = getattr(user, "user", user)
    r = post_event(client, token(client, user), cert.number, event="withdraw", reason="x")
    assert r.status_code == 403
    assert error_code(r) == "forbidden"
    assert _db.session.get(Certificate, cert.id).status == "active"


def test_certificate_event_errors(client, cert, world):
    headers = token(client, world.certifier)
    number = cert.number
    # unknown number
    r = post_event(client, headers, "PSG-2026-NOSUCHNO", event="withdraw", reason="x")
    assert r.status_code == 404 and error_code(r) == "not_found"
    # not a JSON object
    r = client.post(f"/api/v1/certificates/{number}/events", data="nope", headers=headers)
    assert r.status_code == 400 and error_code(r) == "bad_request"
    r = client.post(f"/api/v1/certificates/{number}/events", json=["withdraw"], headers=headers)
    assert r.status_code == 400
    # bad values name the field
    for body, field in (
        ({"event": "expire", "reason": "x"}, "event"),
        ({"reason": "x"}, "event"),
        ({"event": "withdraw", "reason": 5}, "reason"),
        ({"event": "suspend", "reason": "x", "data": "2030-01-01"}, "data"),
    ):
        r = post_event(client, headers, number, **body)
        assert r.status_code == 422, body
        assert error_code(r) == "validation_error"
        assert field in r.get_json()["error"]["message"]
    # guards
    r = post_event(client, headers, number, event="suspend", reason="x")
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "end_date_set"
    r = post_event(client, headers, number, event="suspend", reason="x", data={"until": clock.today().isoformat()})
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "end_date_set"
    r = post_event(client, headers, number, event="withdraw", reason="  ")
    assert r.status_code == 422 and r.get_json()["error"]["rule"] == "reason_given"
    # not possible from the current state
    r = post_event(client, headers, number, event="reinstate", reason="x")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"
    # stale version
    r = post_event(client, headers, number, event="withdraw", reason="x", version=7)
    assert r.status_code == 409 and error_code(r) == "stale_version"
    # nothing was written by any of these
    assert _db.session.get(Certificate, cert.id).status == "active"
    assert _db.session.get(Certificate, cert.id).version == 1


def test_no_event_on_a_certificate_past_its_expiry(client, cert, world, monkeypatch):
    headers = token(client, world.certifier)
    monkeypatch.setattr(clock, "today", lambda: cert.expires_on + timedelta(days=1))
    r = post_event(client, headers, cert.number, event="withdraw", reason="x")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"


def test_certificate_events_need_a_token(client, cert):
    r = post_event(client, {}, cert.number, event="withdraw", reason="x")
    assert r.status_code == 401


# -- the list -------------------------------------------------------------------------------------
@pytest.fixture()
def three(world, db):
    """Certificates in Kota Batam (2: one via the workflow) and Kota Pekanbaru (1)."""
    app = world.new_application()
    world.advance(app, "certified")
    batam2 = certified_in(world, world.batam)
    pekanbaru = certified_in(world, world.pekanbaru)
    numbers = {
        "batam": {app.certificate.number, batam2.certificate.number},
        "pekanbaru": {pekanbaru.certificate.number},
    }
    return numbers


def list_numbers(client, headers, query="") -> set[str]:
    r = client.get(f"/api/v1/certificates{query}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return {c["number"] for c in r.get_json()["items"]}


@pytest.mark.parametrize("who", ["certifier", "sysadmin"])
def test_certifiers_and_admins_list_every_certificate(client, world, three, who):
    assert list_numbers(client, token(client, getattr(world, who))) == three["batam"] | three["pekanbaru"]


def test_dinas_admins_list_their_scope(client, world, three):
    assert list_numbers(client, token(client, world.admin_batam)) == three["batam"]
    assert list_numbers(client, token(client, world.admin_kepri)) == three["batam"]
    assert list_numbers(client, token(client, world.admin_riau)) == three["pekanbaru"]


@pytest.mark.parametrize("who", ["candidate", "lead"])
def test_candidates_and_assessors_may_not_list(client, world, three, who):
    user = getattr(world, who)
    r = client.get("/api/v1/certificates", headers=token(client, getattr(user, "user", user)))
    assert r.status_code == 403 and error_code(r) == "forbidden"


def test_list_filters_by_live_status_and_pages(client, world, three, monkeypatch):
    headers = token(client, world.certifier)
    some = sorted(three["batam"])[0]
    cert = _db.session.scalar(select(Certificate).where(Certificate.number == some))
    fire_certificate_event(
        cert, "suspend", world.certifier, reason="x", data={"until": (clock.today() + timedelta(days=9)).isoformat()}
    )
    _db.session.commit()
    assert list_numbers(client, headers, "?status=suspended") == {some}
    assert len(list_numbers(client, headers, "?status=active")) == 2
    assert list_numbers(client, headers, "?status=expired") == set()
    r = client.get("/api/v1/certificates?per_page=2&page=2", headers=headers)
    body = r.get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 2, 2, 1)

    later = cert.expires_on + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: later)
    assert len(list_numbers(client, headers, "?status=expired")) == 3
    assert list_numbers(client, headers, "?status=active") == set()

    r = client.get("/api/v1/certificates?status=valid", headers=headers)
    assert r.status_code == 422 and "status" in r.get_json()["error"]["message"]
    r = client.get("/api/v1/certificates?page=x", headers=headers)
    assert r.status_code == 422


def test_list_needs_a_token(client, world):
    assert client.get("/api/v1/certificates").status_code == 401


def test_downloaded_pdf_qr_opens_the_public_page_of_base_url(app, client, cert, world):
    from io import BytesIO

    import pypdf
    import zxingcpp

    r = client.get(f"/api/v1/certificates/{cert.number}/pdf", headers=token(client, world.candidate))
    page = pypdf.PdfReader(BytesIO(r.data)).pages[0]
    codes = [b.text for image in page.images for b in zxingcpp.read_barcodes(image.image)]
    assert codes == [f"{app.config['BASE_URL'].rstrip('/')}/verify/{cert.number}"]
    assert cert.number in page.extract_text()
    # and that address is the public page
    path = codes[0][len(app.config["BASE_URL"].rstrip("/")) :]
    assert client.get(path).status_code == 200
