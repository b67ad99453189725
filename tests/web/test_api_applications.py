"""API: opening, listing and reading applications, for every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, update

from certflow import clock
from certflow.applications.workflow import fire_certificate_event
from certflow.models import Application
from tests.factories import make_user
from tests.web.test_api_applications_support import Api, error_code


@pytest.fixture()
def api(client):
    return Api(client)


# -- POST /applications ------------------------------------------------------------------------


def test_candidate_opens_a_draft_prefilled_from_the_profile(api, world, db):
    r = api.as_(world.candidate).post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["state"] == "draft"
    assert body["version"] == 1
    assert body["scheme"] == {"code": "PSG", "name": "Pekerja Sosial Generalis"}
    assert body["candidate"] == {"id": world.candidate.id, "name": "Siti Candidate"}
    assert body["dinas"] == {"id": world.batam.id, "name": "Dinas Sosial Kota Batam"}
    assert body["apl01"] == {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}
    # The profile does not say the route or the purpose: submit is offered once the form names them.
    assert body["allowed_events"] == ["withdraw"]
    assert body["certificate"] is None and body["team"] is None and body["documents"] == []
    assert r.headers["Location"].endswith(f"/api/v1/applications/{body['id']}")
    me = api.as_(world.candidate)
    r = me.put(f"/applications/{body['id']}/apl01", json={"route": "education", "purpose": "certification"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["allowed_events"] == ["submit", "withdraw"]
    app = db.session.get(Application, body["id"])
    assert app.candidate_id == world.candidate.id and app.dinas_id == world.batam.id


@pytest.mark.parametrize("who", ["admin_batam", "admin_kepri", "certifier", "sysadmin"])
def test_only_candidates_open_applications(api, world, who):
    r = api.as_(getattr(world, who)).post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 403 and error_code(r) == "forbidden"


def test_an_assessor_who_is_not_a_candidate_may_not_apply(api, world):
    r = api.as_(world.lead.user).post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 403


def test_without_a_token_is_401(client, world):
    r = client.post("/api/v1/applications", json={"scheme": "PSG"})
    assert r.status_code == 401 and error_code(r) == "unauthorized"


def test_a_body_that_is_not_an_object_is_400(api, world):
    r = api.as_(world.candidate).post("/applications", data="scheme=PSG", content_type="text/plain")
    assert r.status_code == 400 and error_code(r) == "bad_request"
    r = api.as_(world.candidate).post("/applications", json=["PSG"])
    assert r.status_code == 400


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "scheme"),
        ({"scheme": 7}, "scheme"),
        ({"scheme": "NOPE"}, "scheme"),
        ({"scheme": "PSG", "renews": 12}, "renews"),
        ({"scheme": "PSG", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, world, body, field):
    r = api.as_(world.candidate).post("/applications", json=body)
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert field in r.get_json()["error"]["message"]
    assert r.get_json()["error"]["fields"] == [field]


def test_an_inactive_scheme_is_refused(api, world, db):
    world.other_scheme.active = False
    db.session.commit()
    r = api.as_(world.candidate).post("/applications", json={"scheme": "PNY"})
    assert r.status_code == 422 and "PNY is not an active scheme" in r.get_json()["error"]["message"]


def test_a_candidate_without_a_dinas_is_refused(api, world, db):
    loner = make_user("candidate", None, name="No Dinas")
    db.session.commit()
    r = api.as_(loner).post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["dinas"]
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0


def test_one_open_application_per_scheme(api, world):
    me = api.as_(world.candidate)
    first = me.post("/applications", json={"scheme": "PSG"}).get_json()
    r = me.post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 422
    assert f"open application ({first['id']})" in r.get_json()["error"]["message"]
    # another scheme is fine
    assert me.post("/applications", json={"scheme": "PNY"}).status_code == 201
    # once the first is withdrawn, a new one may be opened
    assert me.event(first["id"], "withdraw").status_code == 200
    assert me.post("/applications", json={"scheme": "PSG"}).status_code == 201


@pytest.mark.parametrize("closed", ["ineligible", "not_yet_competent"])
def test_a_closed_application_does_not_block_a_new_one(api, world, db, closed):
    app = world.new_application()
    if closed == "ineligible":
        world.advance(app, "submitted")
        world.fire(app, "reject", world.admin_batam, reason="Not a social worker")
    else:
        world.advance(app, "assessed", recommendation="BK")
        world.fire(app, "decline", world.certifier, reason="Unit 1 not yet competent")
    assert app.state == closed
    assert api.as_(world.candidate).post("/applications", json={"scheme": "PSG"}).status_code == 201


def test_recertification_renews_the_callers_live_certificate(api, world, db):
    app = world.advance(world.new_application(), "certified")
    number = app.certificate.number
    me = api.as_(world.candidate)
    r = me.post("/applications", json={"scheme": "PSG"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["renews"]
    assert number in r.get_json()["error"]["message"]

    r = me.post("/applications", json={"scheme": "PSG", "renews": number})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["renews"] == number
    assert db.session.get(Application, r.get_json()["id"]).previous_certificate_id == app.certificate.id


def test_a_suspended_certificate_may_be_renewed(api, world, db):
    app = world.advance(world.new_application(), "certified")
    cert = app.certificate
    until = (clock.today() + timedelta(days=30)).isoformat()
    fire_certificate_event(cert, "suspend", world.certifier, reason="Complaint", data={"until": until})
    db.session.commit()
    r = api.as_(world.candidate).post("/applications", json={"scheme": "PSG", "renews": cert.number})
    assert r.status_code == 201, r.get_json()


def test_renews_must_be_the_callers_certificate_of_the_same_scheme(api, world, db):
    neighbour = make_user("candidate", world.batam, name="Neighbour")
    other = world.advance(world.new_application(neighbour), "certified")
    r = api.as_(world.candidate).post("/applications", json={"scheme": "PSG", "renews": other.certificate.number})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["renews"]

    mine = world.advance(world.new_application(), "certified")
    r = api.as_(world.candidate).post("/applications", json={"scheme": "PNY", "renews": mine.certificate.number})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == ["renews"]
    r = api.as_(world.candidate).post("/applications", json={"scheme": "PSG", "renews": "PSG-2020-NOTREAL1"})
    assert r.status_code == 422


def test_a_withdrawn_certificate_cannot_be_renewed(api, world, db):
    app = world.advance(world.new_application(), "certified")
    cert = app.certificate
    fire_certificate_event(cert, "withdraw", world.certifier, reason="Fraud")
    db.session.commit()
    me = api.as_(world.candidate)
    assert me.post("/applications", json={"scheme": "PSG", "renews": cert.number}).status_code == 422
    # and no longer blocks a fresh application
    assert me.post("/applications", json={"scheme": "PSG"}).status_code == 201


# -- GET /applications ----------------------------------------------------------------------------


@pytest.fixture()
def several(world, db):
    """Applications: candidate's draft and submitted ones, Bintan's submitted one, and one assigned to the team."""
    draft = world.new_application()
    submitted = world.advance(world.new_application(scheme=world.other_scheme), "submitted")
    bintan = world.advance(world.new_application(world.other_candidate), "submitted")
    assigned = world.advance(world.new_application(world.other_candidate, world.other_scheme), "submitted")
    assigned.team_id = world.team.id  # shortcut: visibility only
    db.session.commit()
    return {"draft": draft.id, "submitted": submitted.id, "bintan": bintan.id, "assigned": assigned.id}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("candidate", {"draft", "submitted"}),
        ("other_candidate", {"bintan", "assigned"}),
        ("admin_batam", {"draft", "submitted"}),
        ("admin_kepri", {"draft", "submitted", "bintan", "assigned"}),
        ("admin_riau", set()),
        ("certifier", set()),  # none is at a decision point yet (rule 8)
        ("sysadmin", {"draft", "submitted", "bintan", "assigned"}),
    ],
)
def test_list_shows_only_what_the_caller_may_see(api, world, several, who, expected):
    r = api.as_(getattr(world, who)).get("/applications")
    assert r.status_code == 200
    body = r.get_json()
    assert {i["id"] for i in body["items"]} == {several[k] for k in expected}
    assert body["total"] == len(expected)


@pytest.mark.parametrize("who, expected", [("lead", {"assigned"}), ("same_dinas_assessor", set())])
def test_assessors_see_their_teams_applications(api, world, several, who, expected):
    r = api.as_(getattr(world, who).user).get("/applications")
    assert {i["id"] for i in r.get_json()["items"]} == {several[k] for k in expected}


def test_list_filters_and_pages(api, world, several):
    kepri = api.as_(world.admin_kepri)
    ids = lambda r: [i["id"] for i in r.get_json()["items"]]  # noqa: E731
    assert set(ids(kepri.get("/applications?state=draft"))) == {several["draft"]}
    assert set(ids(kepri.get("/applications?scheme=PNY"))) == {several["submitted"], several["assigned"]}
    assert set(ids(kepri.get(f"/applications?dinas={world.bintan.id}"))) == {several["bintan"], several["assigned"]}
    assert ids(kepri.get("/applications?scheme=NOPE")) == []
    # newest first
    assert ids(kepri.get("/applications")) == sorted(several.values(), reverse=True)
    page = kepri.get("/applications?per_page=3&page=2").get_json()
    assert page["total"] == 4 and page["page"] == 2 and page["per_page"] == 3
    assert [i["id"] for i in page["items"]] == [min(several.values())]
    item = page["items"][0]
    assert set(item) >= {"id", "state", "version", "scheme", "candidate", "dinas", "created_at", "updated_at"}


@pytest.mark.parametrize(
    "query, field",
    [("state=finished", "state"), ("dinas=batam", "dinas"), ("page=two", "page"), ("per_page=x", "per_page")],
)
def test_bad_list_filters_are_422(api, world, query, field):
    r = api.as_(world.sysadmin).get(f"/applications?{query}")
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert field in r.get_json()["error"]["message"]


def _count_list_queries(api, db, user, n: int) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    caller = api.as_(user)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = caller.get("/applications?per_page=50")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert r.status_code == 200 and len(r.get_json()["items"]) == n
    return len(statements)


def _to_decision_point(db, who):
    """A certifier sees applications at a decision point only: put them under appeal (straight, visibility only)."""
    if who == "certifier":
        db.session.execute(update(Application).values(state="under_appeal", appealed_from="ineligible"))
        db.session.commit()


@pytest.mark.parametrize("who", ["admin_kepri", "sysadmin", "certifier"])
def test_listing_takes_the_same_number_of_queries_for_2_or_20(api, world, db, who):
    for i in range(2):
        world.advance(world.new_application(world.candidate if i % 2 else world.other_candidate), "submitted")
    _to_decision_point(db, who)
    few = _count_list_queries(api, db, getattr(world, who), 2)
    for i in range(18):
        world.advance(world.new_application(world.candidate if i % 2 else world.other_candidate), "submitted")
    _to_decision_point(db, who)
    db.session.expire_all()
    many = _count_list_queries(api, db, getattr(world, who), 20)
    assert few == many, (few, many)
    assert many <= 8


# -- GET /applications/<id> ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, draft_status, submitted_status",
    [
        ("candidate", 200, 200),
        ("other_candidate", 404, 404),
        ("admin_batam", 200, 200),
        ("admin_kepri", 200, 200),
        ("admin_riau", 404, 404),
        ("certifier", 404, 404),  # before a decision point (rule 8): tests/web/test_certifier_scope.py
        ("sysadmin", 200, 200),
    ],
)
def test_who_may_read_an_application(api, world, who, draft_status, submitted_status):
    draft = world.new_application()
    submitted = world.advance(world.new_application(scheme=world.other_scheme), "submitted")
    caller = api.as_(getattr(world, who))
    r = caller.get(f"/applications/{draft.id}")
    assert r.status_code == draft_status
    if draft_status == 404:
        assert error_code(r) == "not_found"
    assert caller.get(f"/applications/{submitted.id}").status_code == submitted_status


def test_assessors_read_only_their_teams_applications(api, world):
    app = world.advance(world.new_application(), "team_assigned")
    assert api.as_(world.lead.user).get(f"/applications/{app.id}").status_code == 200
    assert api.as_(world.member.user).get(f"/applications/{app.id}").status_code == 200
    assert api.as_(world.same_dinas_assessor.user).get(f"/applications/{app.id}").status_code == 404


def test_unknown_application_is_404(api, world):
    assert api.as_(world.sysadmin).get("/applications/999999").status_code == 404


@pytest.mark.parametrize(
    "who, events",
    [
        ("candidate", ["withdraw"]),
        ("admin_batam", ["request_revision", "approve", "reject"]),
        ("admin_kepri", ["request_revision", "approve", "reject"]),
        ("sysadmin", []),
    ],
)
def test_allowed_events_are_the_callers(api, world, who, events):
    app = world.advance(world.new_application(), "submitted")
    assert api.as_(getattr(world, who)).get(f"/applications/{app.id}").get_json()["allowed_events"] == events


@pytest.mark.parametrize(
    "who, sees",
    [
        ("candidate", True),
        ("admin_batam", False),
        ("admin_kepri", False),
        ("certifier", True),
        ("sysadmin", True),
    ],
)
def test_dinas_admins_see_status_not_the_recommendation(api, world, who, sees):
    app = world.advance(world.new_application(), "assessed")
    body = api.as_(getattr(world, who)).get(f"/applications/{app.id}").get_json()
    assert body["state"] == "assessed"
    assert ("recommendation" in body) is sees
    if sees:
        assert body["recommendation"] == "K"


def test_team_members_see_the_recommendation_and_the_lead_may_not_recommend_twice(api, world):
    app = world.advance(world.new_application(), "assessed")
    body = api.as_(world.lead.user).get(f"/applications/{app.id}").get_json()
    assert body["recommendation"] == "K" and body["allowed_events"] == []


def test_detail_shows_team_documents_and_certificate(api, world):
    app = world.advance(world.new_application(), "certified")
    body = api.as_(world.candidate).get(f"/applications/{app.id}").get_json()
    assert body["state"] == "certified"
    cert = body["certificate"]
    assert cert["number"] == app.certificate.number and cert["status"] == "active"
    assert cert["issued_on"] == app.certificate.issued_on.isoformat()
    assert cert["expires_on"] == app.certificate.expires_on.isoformat()
    team = body["team"]
    assert team["id"] == world.team.id and team["name"] == "Tim Kepri 1"
    assert team["lead"] == {"id": world.lead.id, "name": "Lead Assessor"}
    assert [m["name"] for m in team["members"]] == ["Lead Assessor", "Member Assessor"]
    assert all(m["conflict_declared"] is False for m in team["members"])
    assert [(d["kind"], d["status"]) for d in body["documents"]] == [("diploma", "valid"), ("work_letter", "valid")]
    assert set(body["documents"][0]) >= {"id", "kind", "filename", "status", "note"}
    assert body["revision_reason"] is None and body["revision_deadline"] is None
