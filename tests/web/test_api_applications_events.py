"""API: firing workflow events, concurrent changes, and the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Engine

from certflow import clock
from certflow.applications.workflow import fire_certificate_event
from certflow.models import Application, Criterion, SelfAssessmentAnswer
from tests.web.test_api_applications_support import Api, error_code


@pytest.fixture()
def api(client):
    return Api(client)


def test_owner_submits_and_gets_the_application_back(api, world):
    app = world.new_application()
    r = api.as_(world.candidate).event(app.id, "submit", version=1)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "submitted" and body["version"] == 2
    assert body["allowed_events"] == ["withdraw"]


@pytest.mark.parametrize("who", ["admin_batam", "admin_kepri", "sysadmin"])
def test_others_who_see_a_draft_may_not_submit_it(api, world, who):
    app = world.new_application()
    r = api.as_(getattr(world, who)).event(app.id, "submit")
    assert r.status_code == 403 and error_code(r) == "forbidden"


@pytest.mark.parametrize("who", ["other_candidate", "admin_riau", "certifier"])
def test_those_who_do_not_see_a_draft_get_404(api, world, who):
    app = world.new_application()
    r = api.as_(getattr(world, who)).event(app.id, "submit")
    assert r.status_code == 404 and error_code(r) == "not_found"


@pytest.mark.parametrize(
    "who, status",
    [("admin_batam", 200), ("admin_kepri", 200), ("admin_riau", 404), ("certifier", 404), ("candidate", 403)],
)
def test_who_may_approve(api, world, who, status):
    app = world.advance(world.new_application(), "submitted")
    world.mark_documents(app, "valid")
    r = api.as_(getattr(world, who)).event(app.id, "approve")
    assert r.status_code == status, r.get_json()
    if status == 200:
        assert r.get_json()["state"] == "eligible"


def test_an_event_not_possible_from_the_state_is_409(api, world):
    app = world.new_application()
    r = api.as_(world.admin_batam).event(app.id, "approve")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"
    r = api.as_(world.candidate).event(app.id, "fly")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"


@pytest.mark.parametrize(
    "event_name, body, rule",
    [
        ("reject", {}, "reason_given"),
        ("reject", {"reason": "   "}, "reason_given"),
        ("request_revision", {"reason": "Blurry diploma"}, "deadline_set"),
        ("request_revision", {"reason": "Blurry diploma", "data": {"deadline": "2001-01-01"}}, "deadline_set"),
        ("approve", {}, "documents_valid"),
    ],
)
def test_a_failed_guard_is_422_naming_the_rule(api, world, event_name, body, rule):
    app = world.advance(world.new_application(), "submitted")
    r = api.as_(world.admin_batam).event(app.id, event_name, **body)
    assert r.status_code == 422 and error_code(r) == "guard_failed"
    assert r.get_json()["error"]["rule"] == rule
    assert r.get_json()["error"]["message"]


def test_revision_request_sets_reason_and_deadline(api, world):
    app = world.advance(world.new_application(), "submitted")
    deadline = (clock.today() + timedelta(days=14)).isoformat()
    r = api.as_(world.admin_batam).event(app.id, "request_revision", reason="Blurry", data={"deadline": deadline})
    body = r.get_json()
    assert body["state"] == "revision_requested"
    assert body["revision_reason"] == "Blurry" and body["revision_deadline"] == deadline
    assert api.as_(world.candidate).get(f"/applications/{app.id}").get_json()["allowed_events"] == [
        "resubmit",
        "withdraw",
    ]


def test_a_stale_version_is_409_and_changes_nothing(api, world, db):
    app = world.advance(world.new_application(), "submitted")
    world.mark_documents(app, "valid")
    r = api.as_(world.admin_batam).event(app.id, "approve", version=1)
    assert r.status_code == 409 and error_code(r) == "stale_version"
    db.session.expire_all()
    assert db.session.get(Application, app.id).state == "submitted"
    assert api.as_(world.admin_batam).event(app.id, "approve", version=app.version).status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "event"),
        ({"event": ""}, "event"),
        ({"event": 3}, "event"),
        ({"event": "submit", "data": "team=1"}, "data"),
        ({"event": "submit", "data": [1]}, "data"),
        ({"event": "submit", "reason": 42}, "reason"),
        ({"event": "reject", "reason": "x" * 2001}, "reason"),
        ({"event": "submit", "version": "two"}, "version"),
        ({"event": "submit", "version": True}, "version"),
        ({"event": "submit", "comment": "hi"}, "comment"),
    ],
)
def test_bad_event_bodies_are_422(api, world, body, field):
    app = world.new_application()
    r = api.as_(world.candidate).post(f"/applications/{app.id}/events", json=body)
    assert r.status_code == 422 and error_code(r) == "validation_error"
    assert field in r.get_json()["error"]["message"]


def test_an_event_body_that_is_not_an_object_is_400(api, world):
    app = world.new_application()
    r = api.as_(world.candidate).post(f"/applications/{app.id}/events", data="submit", content_type="text/plain")
    assert r.status_code == 400 and error_code(r) == "bad_request"


def test_withdraw_then_nothing_more(api, world):
    app = world.advance(world.new_application(), "eligible")
    me = api.as_(world.candidate)
    assert me.event(app.id, "withdraw").get_json()["state"] == "withdrawn"
    r = me.event(app.id, "withdraw")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"


# -- two people at once ----------------------------------------------------------------------------


def _meanwhile(db, statement):
    """Run ``statement`` on another connection just before this request first writes its table.

    (Before the request's own UPDATE or INSERT of that table is sent, whether the session's flush or
    a Core statement sends it.)
    """
    table, done = statement.table.name.upper(), []

    def other_writer(conn, cursor, sql, parameters, context, executemany):
        if done or not sql.lstrip().upper().startswith(("UPDATE " + table, "INSERT INTO " + table)):
            return
        done.append(True)  # once (the listener stays, inert: it may not be removed while it runs)
        with db.engine.begin() as other:
            other.execute(statement)

    event.listen(Engine, "before_cursor_execute", other_writer)


def test_someone_else_acting_first_makes_the_event_409_stale_version(api, world, db):
    app = world.advance(world.new_application(), "submitted")
    world.mark_documents(app, "valid")
    admin = api.as_(world.admin_batam)  # log in before arming the hook
    _meanwhile(db, update(Application).where(Application.id == app.id).values(version=Application.version + 1))
    r = admin.event(app.id, "approve")
    assert r.status_code == 409 and error_code(r) == "stale_version"
    db.session.expire_all()
    assert db.session.get(Application, app.id).state == "submitted"


def test_a_concurrent_insert_of_the_same_answer_is_409_not_500(api, world, db):
    draft = api.as_(world.candidate).post("/applications", json={"scheme": "PSG"}).get_json()
    crit = db.session.scalar(select(Criterion).where(Criterion.code == "PSG.U1.E1.K1"))
    me = api.as_(world.candidate)
    _meanwhile(
        db,
        insert(SelfAssessmentAnswer).values(application_id=draft["id"], criterion_id=crit.id, claim="BK", evidence=""),
    )
    r = me.put(
        f"/applications/{draft['id']}/self-assessment", json={"answers": [{"criterion": crit.code, "claim": "K"}]}
    )
    assert r.status_code == 409 and error_code(r) == "stale_version"


def test_a_locked_sqlite_database_is_409_stale_version(api, world, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's writer lock")
    app = world.advance(world.new_application(), "submitted")
    world.mark_documents(app, "valid")
    admin = api.as_(world.admin_batam)
    held = {}

    def other_writer_holds_the_lock(conn, cursor, sql, parameters, context, executemany):
        if held or not sql.startswith("UPDATE applications"):  # just before the request's own UPDATE
            return
        held["other"] = db.engine.raw_connection()
        held["other"].execute("BEGIN IMMEDIATE")
        held["mine"] = conn.connection.dbapi_connection
        held["mine"].execute("PRAGMA busy_timeout=0")  # fail at once instead of waiting 10 s

    event.listen(Engine, "before_cursor_execute", other_writer_holds_the_lock)
    try:
        r = admin.event(app.id, "approve")
    finally:
        event.remove(Engine, "before_cursor_execute", other_writer_holds_the_lock)
        held["other"].rollback()
        held["other"].close()
        held["mine"].execute("PRAGMA busy_timeout=10000")
    assert r.status_code == 409 and error_code(r) == "stale_version"
    db.session.expire_all()
    assert db.session.get(Application, app.id).state == "submitted"


# -- GET /applications/<id>/history ----------------------------------------------------------------


def test_history_oldest_first_with_actor_and_reason(api, world):
    app = world.advance(world.new_application(), "certified")
    r = api.as_(world.candidate).get(f"/applications/{app.id}/history")
    assert r.status_code == 200
    rows = r.get_json()
    assert [row["event"] for row in rows] == [
        "submit",
        "approve",
        "assign_team",
        "start_assessment",
        "recommend",
        "certify",
    ]
    assert rows[0]["from"] == "draft" and rows[0]["to"] == "submitted"
    assert rows[0]["actor"] == {"id": world.candidate.id, "name": "Siti Candidate"}
    assert rows[-1]["actor"] == {"id": world.certifier.id, "name": "Certifier One"}
    assert all(row["workflow"] == "application" and row["at"] for row in rows)
    assert all("data" not in row for row in rows)  # the recommendation stays out of the history (rule 6)


def test_history_includes_appeal_and_certificate_rows(api, world, db):
    app = world.advance(world.new_application(), "submitted")
    world.fire(app, "reject", world.admin_batam, reason="No diploma")
    world.fire(app, "appeal", world.candidate, reason="The diploma is there")
    world.fire(app, "uphold_appeal", world.certifier, reason="Diploma found")
    world.mark_documents(app, "valid")
    world.fire(app, "approve", world.admin_batam)
    world.fire(app, "assign_team", world.admin_kepri, data={"team": world.team.id})
    world.declare(app)
    world.fire(app, "start_assessment", world.lead.user)
    world.score_all(app, world.lead)
    world.fire(app, "recommend", world.lead.user, data={"recommendation": "K"})
    world.fire(app, "certify", world.certifier2)
    until = (clock.today() + timedelta(days=30)).isoformat()
    fire_certificate_event(app.certificate, "suspend", world.certifier2, reason="Complaint", data={"until": until})
    db.session.commit()

    rows = api.as_(world.admin_kepri).get(f"/applications/{app.id}/history").get_json()
    events = [(row["workflow"], row["event"]) for row in rows]
    assert ("application", "reject") in events and ("appeal", "uphold") in events
    assert events[-1] == ("certificate", "suspend")
    assert rows[-1]["reason"] == "Complaint" and rows[-1]["from"] == "active" and rows[-1]["to"] == "suspended"


def test_system_transitions_have_no_actor(api, world, db, monkeypatch):
    app = world.advance(world.new_application(), "submitted")
    deadline = clock.today() + timedelta(days=3)
    world.fire(app, "request_revision", world.admin_batam, reason="Fix", data={"deadline": deadline.isoformat()})
    later = clock.today() + timedelta(days=5)
    monkeypatch.setattr(clock, "today", lambda: later)
    world.fire(app, "expire_revision", None)
    rows = api.as_(world.candidate).get(f"/applications/{app.id}/history").get_json()
    assert rows[-1]["event"] == "expire_revision" and rows[-1]["actor"] is None


@pytest.mark.parametrize("who, status", [("admin_riau", 404), ("other_candidate", 404), ("admin_batam", 200)])
def test_history_only_for_those_who_see_the_application(api, world, who, status):
    app = world.advance(world.new_application(), "submitted")
    assert api.as_(getattr(world, who)).get(f"/applications/{app.id}/history").status_code == status


# -- release ------------------------------------------------------------------------------


def test_the_dinas_admin_releases_the_team_through_the_api(api, world):
    app = world.advance(world.new_application(), "team_assigned")
    admin = api.as_(world.admin_batam)
    r = admin.get(f"/applications/{app.id}")
    assert r.get_json()["allowed_events"] == ["release"]

    r = admin.event(app.id, "release")
    assert r.status_code == 422 and error_code(r) == "guard_failed"
    assert r.get_json()["error"]["rule"] == "reason_given"
    r = api.as_(world.admin_riau).event(app.id, "release", reason="Bukan dinas saya.")
    assert r.status_code == 404 and error_code(r) == "not_found"
    r = api.as_(world.lead.user).event(app.id, "release", reason="Kami mundur.")
    assert r.status_code == 403 and error_code(r) == "forbidden"

    r = admin.event(app.id, "release", reason="Jadwal dibatalkan.", version=app.version)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["state"] == "eligible" and body["version"] == app.version + 1
    assert body["allowed_events"] == ["assign_team"]
    history = admin.get(f"/applications/{app.id}/history").get_json()
    assert (history[-1]["event"], history[-1]["reason"]) == ("release", "Jadwal dibatalkan.")
    r = api.as_(world.admin_kepri).event(app.id, "assign_team", data={"team": world.team.id})
    assert r.status_code == 200 and r.get_json()["state"] == "team_assigned"


def test_release_once_the_assessment_started_is_409(api, world):
    app = world.advance(world.new_application(), "in_assessment")
    r = api.as_(world.admin_batam).event(app.id, "release", reason="Terlambat.")
    assert r.status_code == 409 and error_code(r) == "invalid_transition"


def test_the_workflow_api_lists_release(api, world):
    body = api.as_(world.admin_batam).get("/workflows/application").get_json()
    assert body["version"] == 4  # 2: release; 3: the agreement before start_assessment; 4: resubmit guard
    release = next(ev for ev in body["events"] if ev["name"] == "release")
    assert (release["from"], release["to"], release["roles"]) == (
        ["team_assigned"],
        ["eligible"],
        ["dinas_admin", "system"],
    )
    assert release["guards"] == ["reason_given", "assessment_not_started"]
    assert [i["name"] for i in release["inputs"]] == ["reason"] and release["label"] == "Release team"
