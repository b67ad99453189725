"""The progress view is read from the workflow definition; the home page's batched facts equal the guards' own."""

from __future__ import annotations

from certflow.applications.facts import ApplicationFacts
from certflow.candidate.progress import Step, anchor, main_path, progress, side_states
from certflow.candidate.records import load_records
from workflows import APPLICATION, CERTIFICATE
from workflows.definitions import Definition, _ev


def test_the_main_path_of_the_application_workflow():
    assert main_path(APPLICATION) == (
        "draft",
        "submitted",
        "eligible",
        "team_assigned",
        "in_assessment",
        "assessed",
        "certified",
    )
    assert main_path(CERTIFICATE) in {("active", "withdrawn"), ("active", "expired"), ("active", "superseded")}


def test_side_states_know_where_they_come_from_and_lead_to():
    sides = {s.state: s for s in side_states(APPLICATION)}
    assert list(sides) == ["revision_requested", "ineligible", "not_yet_competent", "under_appeal", "withdrawn"]
    assert sides["revision_requested"].entered_from == (("submitted", "request_revision"),)
    assert ("resubmit", "submitted") in sides["revision_requested"].leads_to
    assert sides["withdrawn"].leads_to == ()
    assert ("not_yet_competent", "appeal") in sides["under_appeal"].entered_from


def test_without_a_history_the_definition_places_a_side_state():
    assert anchor(APPLICATION, "revision_requested", []) == ("submitted", [])
    assert anchor(APPLICATION, "not_yet_competent", []) == ("assessed", [])
    # the first way in, in the definition's order (with a history, the application's own way is shown)
    assert anchor(APPLICATION, "under_appeal", []) == ("submitted", ["ineligible"])


def test_a_dismissed_appeal_shows_the_appeal_passed():
    visited = ["draft", "submitted", "eligible", "team_assigned", "in_assessment", "assessed"]
    visited += ["not_yet_competent", "under_appeal", "not_yet_competent"]
    steps = progress(APPLICATION, "not_yet_competent", visited)
    assert steps[5:8] == [
        Step("assessed", "done"),
        Step("under_appeal", "passed", side=True),
        Step("not_yet_competent", "current", side=True),
    ]


def test_any_workflow_gets_its_progress_view():
    review = Definition(
        name="review",
        version=1,
        initial="new",
        states=("new", "checked", "parked", "published", "dropped"),
        final=("published", "dropped"),
        events=(
            _ev("check", [("new", "checked")], [("editor", None)]),
            _ev("park", [("checked", "parked")], [("editor", None)]),
            _ev("unpark", [("parked", "checked")], [("editor", None)]),
            _ev("publish", [("checked", "published")], [("editor", None)]),
            _ev("drop", [("new", "dropped"), ("parked", "dropped")], [("editor", None)]),
        ),
    )
    assert main_path(review) == ("new", "checked", "published")
    assert progress(review, "dropped", ["new", "checked", "parked", "dropped"]) == [
        Step("new", "done"),
        Step("checked", "done"),
        Step("parked", "passed", side=True),
        Step("dropped", "current", side=True),
        Step("published", "stopped"),
    ]


def test_the_batched_facts_equal_the_facts_the_guards_read(app, world, db):
    world.lead.max_load = world.member.max_load = world.scheme.max_load = 10
    db.session.commit()
    draft = world.new_application()
    declined = world.advance(world.new_application(), "assessed", recommendation="BK")
    world.fire(declined, "decline", world.certifier, reason="BK")
    appealed = world.advance(world.new_application(), "submitted")
    world.fire(appealed, "reject", world.admin_batam, reason="x")
    world.fire(appealed, "appeal", world.candidate, reason="y")
    world.fire(appealed, "dismiss_appeal", world.certifier, reason="z")
    with app.test_request_context():
        records = {r.app.id: r for r in load_records(world.candidate)}
        for application in (draft, declined, appealed):
            batched = records[application.id].facts
            own = ApplicationFacts(records[application.id].app, {}, world.candidate)
            assert batched.unanswered_criteria == own.unanswered_criteria
            assert batched.decision_appealed == own.decision_appealed
            assert batched.bk_units == own.bk_units
            assert batched.missing_documents == own.missing_documents
        assert records[declined.id].facts.bk_units == ["PSG.U1"]
        assert records[appealed.id].facts.decision_appealed is True
