"""``submit`` and ``resubmit`` ask for the route chosen in APL-01 and the purpose of the assessment.

A draft may be saved without them (it is partial); sending it may not. A route the scheme no longer
opens counts as not chosen, and the candidate is told so in words.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from certflow.applications.facts import ApplicationFacts
from certflow.applications.operations import update_apl01
from certflow.applications.workflow import allowed_application_events
from certflow.core.errors import as_app_error
from certflow.people.policy import application_actor
from certflow.web.refusals import refusal_message
from tests.integration.test_routes import _route_form
from tests.integration.test_rules_workflow import bring, refused
from workflows import GuardFailed


def _draft_without(world, db, *fields):
    app = world.new_application()
    app.apl01 = {k: v for k, v in app.apl01.items() if k not in fields}
    db.session.commit()
    return app


@pytest.mark.parametrize(
    ("fields", "named"),
    [(("route",), "route"), (("purpose",), "purpose"), (("route", "purpose"), "route, purpose")],
)
def test_submit_is_refused_naming_a_missing_route_or_purpose(world, db, app, fields, named):
    record = _draft_without(world, db, *fields)
    err = refused(db, GuardFailed, record, "submit", world.candidate, rule="apl01_complete")
    assert err.params == {"fields": named}
    assert record.state == "draft"
    with app.test_request_context(), force_locale("id"):
        said = refusal_message(err)
    assert said.startswith("Formulir permohonan (APL-01) belum lengkap") and "_" not in said
    for field in fields:
        assert field not in said  # the ids are not what a person reads
    assert ("jalur pendaftaran" in said) == ("route" in fields)
    assert ("tujuan asesmen" in said) == ("purpose" in fields)


def test_submit_passes_with_the_route_and_the_purpose(world, db):
    record = _draft_without(world, db, "route", "purpose")
    refused(db, GuardFailed, record, "submit", world.candidate, rule="apl01_complete")
    update_apl01(record, world.candidate, {"route": "education", "purpose": "certification"})
    db.session.commit()
    assert ApplicationFacts(record, {}, None).apl01_missing == []
    world.fire(record, "submit", world.candidate)
    assert record.state == "submitted"


def test_a_draft_may_be_saved_without_route_or_purpose(world, db):
    record = _draft_without(world, db, "route", "purpose")
    update_apl01(record, world.candidate, {"practice_hours": 3000, "route": None, "purpose": None})
    db.session.commit()
    assert record.apl01["practice_hours"] == 3000 and "route" not in record.apl01
    assert ApplicationFacts(record, {}, None).apl01_missing == ["route", "purpose"]


def test_a_route_the_scheme_closed_after_it_was_chosen_refuses_submit_in_words(world, db, app):
    record = world.new_application()
    world.scheme.routes = _route_form(education={"enabled": False})  # data written before it was in use
    db.session.commit()
    assert ApplicationFacts(record, {}, None).apl01_missing == ["route"]
    err = refused(db, GuardFailed, record, "submit", world.candidate, rule="apl01_complete")
    assert err.params == {}
    with app.test_request_context(), force_locale("en"):
        assert refusal_message(err) == "The scheme is no longer open by the route you chose; choose another."
    with app.test_request_context(), force_locale("id"):
        said = refusal_message(err)
    assert "education" not in said and said != err.message  # translated, and no route id
    update_apl01(record, world.candidate, {"route": "experience", "training": True})
    db.session.commit()
    assert ApplicationFacts(record, {}, None).apl01_missing == []


def test_resubmit_asks_for_the_route_and_the_purpose_too(world, db):
    """An application sent before the route was asked (legacy), sent back for revision, must choose one."""
    record = bring(world, world.new_application(), "revision_requested")
    world.as_legacy(record)
    err = refused(db, GuardFailed, record, "resubmit", world.candidate, rule="apl01_complete")
    assert err.params == {"fields": "route, purpose"}
    update_apl01(record, world.candidate, {"route": "education", "purpose": "certification"})
    db.session.commit()
    world.fire(record, "resubmit", world.candidate)
    assert record.state == "submitted"


def test_allowed_events_offer_submit_only_with_the_route_and_the_purpose(world, db):
    record = _draft_without(world, db, "purpose")
    actor = application_actor(world.candidate, record)
    assert "submit" not in allowed_application_events(record, world.candidate, actor)
    assert "withdraw" in allowed_application_events(record, world.candidate, actor)
    update_apl01(record, world.candidate, {"purpose": "certification"})
    db.session.commit()
    assert "submit" in allowed_application_events(record, world.candidate, actor)


def test_the_refusal_keeps_its_rule_and_ids_for_the_api(world, db):
    record = _draft_without(world, db, "route")
    err = refused(db, GuardFailed, record, "submit", world.candidate, rule="apl01_complete")
    error = as_app_error(err)
    assert error.code == "guard_failed" and error.rule == "apl01_complete" and error.params == {"fields": "route"}
