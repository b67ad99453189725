"""A person downloads everything certflow holds about them (DOMAIN.md rule 8): the account page and the API."""

from __future__ import annotations

import io
import json
import zipfile

from certflow.extensions import db as _db
from certflow.security import issue_token
from tests.privacy_support import full_records, one_schedule, second_person
from tests.web.test_pages_support import Browser

KINDS = (
    "self_assessment",
    "documents",
    "appeals",
    "agreements",
    "unit_records",
    "feedback",
    "scores",
    "written_tests",
    "attendance",
    "transitions",
)


def _open(data: bytes) -> tuple[dict, dict]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    parts = {n: json.loads(archive.read(n)) for n in names if n.endswith(".json")}
    files = {n: archive.read(n) for n in names if n.startswith("files/")}
    return parts, files


def _check_export(data: bytes, world, mine, other) -> None:
    parts, files = _open(data)
    assert set(parts) == {"person.json", "applications.json", "certificates.json", "notifications.json"}
    person = parts["person.json"]["profile"]
    assert person["name"] == "Siti Candidate" and person["email"] == world.candidate.email
    assert "password_hash" not in person and "session_epoch" not in person
    assert parts["person.json"]["api_tokens"] and "token_hash" not in parts["person.json"]["api_tokens"][0]
    apps = parts["applications.json"]
    assert len(apps) == 2 and {a["candidate_id"] for a in apps} == {world.candidate.id}
    certified = next(a for a in apps if a["id"] == mine.id)
    assert certified["apl01"]["address"] == "Jalan SITI"  # APL-01
    for kind in KINDS:
        assert any(a[kind] for a in apps), f"no {kind} in the export"
    assert certified["self_assessment"][0]["evidence"] == "evidence SITI"  # APL-02
    assert [c["number"] for c in parts["certificates.json"]] == [mine.certificate.number]
    notes = parts["notifications.json"]
    assert notes["in_app"] and notes["emails"]
    assert {n["user_id"] for n in notes["in_app"]} == {world.candidate.id}
    assert {m["recipient_id"] for m in notes["emails"]} == {world.candidate.id}
    docs = [d for a in apps for d in a["documents"]]
    assert len(files) == len(docs) > 0
    assert all(b"file of SITI" in content for content in files.values())
    whole = data.decode("latin-1") + json.dumps(parts)
    for foreign in ("Rudi Lain", other.email, "Budi Candidate", world.other_candidate.email, "BUDI"):
        assert foreign not in whole, f"{foreign} leaked into the export"


def test_the_account_page_offers_and_gives_the_download(app, world):
    schedule = one_schedule(world)
    mine = full_records(world, world.candidate, "SITI", schedule)
    other = second_person(world)
    full_records(world, other, "BUDI", schedule)
    browser = Browser(app).login(world.candidate)
    page = browser.get("/account")
    assert page.status_code == 200 and "/account/my-data" in page.get_data(as_text=True)
    answer = browser.get("/account/my-data")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "private, no-store"
    _check_export(answer.data, world, mine, other)


def test_every_role_gets_only_their_own_data(app, world):
    full_records(world, world.candidate, "SITI")
    for user in (world.admin_batam, world.certifier, world.sysadmin, world.lead.user):
        answer = Browser(app).login(user).get("/account/my-data")
        assert answer.status_code == 200
        parts, files = _open(answer.data)
        assert parts["person.json"]["profile"]["id"] == user.id
        assert parts["applications.json"] == [] and files == {}
        assert "SITI" not in json.dumps(parts) and "Siti Candidate" not in json.dumps(parts)
    lead = _open(Browser(app).login(world.lead.user).get("/account/my-data").data)[0]
    assert lead["person.json"]["assessor"]["id"] == world.lead.id


def test_the_download_needs_a_signed_in_person(app, world):
    answer = Browser(app).get("/account/my-data")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_api_export_for_a_token(client, world):
    schedule = one_schedule(world)
    mine = full_records(world, world.candidate, "SITI", schedule)
    other = second_person(world)
    full_records(world, other, "BUDI", schedule)
    token, _row = issue_token(world.candidate)
    _db.session.commit()
    answer = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    _check_export(answer.data, world, mine, other)
    assert client.get("/api/v1/me/export").status_code == 401
    assert client.get("/api/v1/me/export", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_export_runs_the_same_statements_whatever_a_person_holds(app, world):
    from certflow.privacy.export import export_zip
    from tests.web.test_pages_support import count_queries

    schedule = one_schedule(world)
    few = second_person(world)
    full_records(world, few, "FEW", schedule)
    many = second_person(world)
    for n in range(3):
        full_records(world, many, f"MANY{n}", schedule)
    counts = []
    for person in (few, many):
        _db.session.expire_all()
        with count_queries() as n:
            export_zip(person)
        counts.append(n[0])
    assert counts[0] == counts[1]
