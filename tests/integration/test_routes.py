"""Eligibility routes on the scheme: the APL-01 chooses one, and the guards and documents follow it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from certflow.applications.facts import ApplicationFacts
from certflow.applications.operations import update_apl01
from certflow.core.errors import InvalidInput, translate
from certflow.models import Application, Document, Unit
from certflow.models.schemes import split_requirement_key
from certflow.schemes import operations as schemes
from certflow.schemes.routes import scheme_routes
from tests.integration.test_rules_workflow import refused
from workflows import GuardFailed
from workflows.eligibility import default_routes
from workflows.guards import eligibility_failures

UNRELATED = {"education_field": "other", "education_level": "S1"}


def _add_documents(db, app: Application, keys) -> None:
    """A pending document for each requirement key ``app`` lacks (a portfolio key names its unit)."""
    have = {d.key for d in db.session.scalars(select(Document).where(Document.application_id == app.id))}
    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.scheme_id == app.scheme_id))}
    for key in keys:
        if key not in have:
            kind, unit = split_requirement_key(key)
            db.session.add(
                Document(
                    application_id=app.id,
                    kind=kind,
                    unit=units[unit] if unit else None,
                    filename=f"{kind}.pdf",
                    stored_name=f"{app.id}-{key}",
                    content_type="application/pdf",
                    size=100,
                )
            )
    db.session.commit()


def _draft(world, db, **apl01) -> Application:
    app = world.new_application()
    app.apl01 = {**app.apl01, **apl01}
    db.session.commit()
    return app


def _submitted(world, db, **apl01) -> Application:
    app = _draft(world, db, **apl01)
    _add_documents(db, app, ApplicationFacts(app, {}, None).required_documents)
    world.fire(app, "submit", world.candidate)
    world.mark_documents(app, "valid")
    return app


def test_unrelated_degree_with_hours_and_training_is_eligible_by_experience(world, db):
    app = _submitted(world, db, **UNRELATED, practice_hours=1344, training=True, route="experience")
    world.fire(app, "approve", world.admin_batam)
    assert app.state == "eligible"


def test_unrelated_degree_by_education_is_refused_naming_the_degree(world, db):
    app = _submitted(world, db, **UNRELATED, practice_hours=5000, training=True, route="education")
    err = refused(db, GuardFailed, app, "approve", world.admin_batam, rule="scheme_rules_met")
    assert err.params == {"fields": "peksos, kesos"}


def test_without_hours_or_training_experience_is_refused_naming_what_is_missing(world, db, app):
    record = _submitted(world, db, **UNRELATED, practice_hours=100, route="experience")
    refused(db, GuardFailed, record, "approve", world.admin_batam, rule="scheme_rules_met")
    failures = eligibility_failures(ApplicationFacts(db.session.get(Application, record.id), {}, None))
    with app.test_request_context(), force_locale("en"):
        said = [translate(f.message, f.params) for f in failures]
    assert said == ["At least 1344 hours of practice (you have 100).", "The scheme's training (diklat)."]


def test_the_education_route_asks_no_hours(world, db):
    """The peksos graduate by the education route: the scheme's older hour rule does not apply."""
    app = _submitted(world, db, practice_hours=10, route="education")
    world.fire(app, "approve", world.admin_batam)
    assert app.state == "eligible"


def test_without_a_route_the_older_rules_still_hold(world, db):
    """An application sent before submit asked for a route (legacy data) keeps the older rules."""
    app = world.as_legacy(_submitted(world, db, practice_hours=10))
    err = refused(db, GuardFailed, app, "approve", world.admin_batam, rule="scheme_rules_met")
    assert err.params["minimum"] == 1344


@pytest.mark.parametrize(
    ("route", "extra"),
    [("education", []), ("experience", ["practice_log", "training_certificate"]), ("rpl", ["portfolio"])],
)
def test_the_required_documents_follow_the_route(world, db, route, extra):
    """Each route's kinds; the portfolio once per unit of the scheme, in the scheme's order."""
    app = _draft(world, db, route=route)
    kinds = list({r.route: r for r in scheme_routes(world.scheme)}[route].documents)
    codes = db.session.scalars(select(Unit.code).where(Unit.scheme_id == world.scheme.id).order_by(Unit.position))
    codes = list(codes)
    assert len(codes) == 2
    expected = [k for kind in kinds for k in ([f"{kind}@{c}" for c in codes] if kind == "portfolio" else [kind])]
    assert ApplicationFacts(app, {}, None).required_documents == expected
    assert set(extra) <= set(kinds)
    if extra:
        err = refused(db, GuardFailed, app, "submit", world.candidate, rule="documents_uploaded")
        assert err.params["kinds"].split(", ") == [k for k in expected if k.partition("@")[0] in extra]
        _add_documents(db, app, expected)
    world.fire(app, "submit", world.candidate)
    assert app.state == "submitted"


def test_batched_facts_equal_single_with_routes(world, db):
    apps = [_draft(world, db, route=r) for r in ("education", "experience")]
    apps.append(world.new_application(scheme=world.other_scheme))
    many = ApplicationFacts.many(apps, None)
    for app in apps:
        single = ApplicationFacts(app, {}, None)
        assert many[app.id].missing_documents == single.missing_documents
        assert many[app.id].documents_not_valid == single.documents_not_valid
        assert eligibility_failures(many[app.id]) == eligibility_failures(single)


def _route_form(**changes):
    rows = [r.as_data() for r in default_routes(["peksos", "kesos"], 1344, ["diploma", "work_letter"])]
    for row in rows:
        row.update(changes.get(row["route"], {}))
    return rows


def test_set_routes_saves_checked_data_that_the_guards_read(world, db, app):
    with app.test_request_context():
        schemes.set_routes(world.scheme, _route_form(experience={"min_practice_hours": "500"}, rpl={"enabled": False}))
    db.session.commit()
    routes = {r.route: r for r in scheme_routes(world.scheme)}
    assert routes["experience"].min_practice_hours == 500 and not routes["rpl"].enabled
    record = _submitted(world, db, **UNRELATED, practice_hours=600, training=True, route="experience")
    world.fire(record, "approve", world.admin_batam)
    assert record.state == "eligible"
    with app.test_request_context(), pytest.raises(InvalidInput) as err:
        update_apl01(_draft(world, db), world.candidate, {"route": "rpl"})
    assert set(err.value.fields) == {"route"}


def test_set_routes_reports_every_fault_at_once(world, db, app):
    bad = _route_form(
        education={"min_education_level": "S9"},
        experience={"min_practice_hours": "lots", "documents": ["passport"]},
        rpl={"documents": []},
    )
    with app.test_request_context(), pytest.raises(schemes.SchemeError) as err:
        schemes.set_routes(world.scheme, bad)
    assert set(err.value.errors) == {
        "education-min_education_level",
        "experience-min_practice_hours",
        "experience-documents",
        "rpl-documents",
    }
    db.session.rollback()
    with app.test_request_context(), pytest.raises(schemes.SchemeError) as err:
        schemes.set_routes(
            world.scheme, _route_form(**{r: {"enabled": False} for r in ("education", "experience", "rpl")})
        )
    assert set(err.value.errors) == {"routes"}
    db.session.rollback()
    assert world.scheme.routes is None


def test_a_route_closed_after_it_was_chosen_is_refused_in_words(world, db, app):
    record = _submitted(world, db, **UNRELATED, practice_hours=2000, training=True, route="experience")
    with app.test_request_context(), pytest.raises(schemes.SchemeError) as frozen:
        schemes.set_routes(world.scheme, _route_form(experience={"enabled": False}))  # in use: frozen
    assert set(frozen.value.errors) == {"routes"}
    db.session.rollback()
    world.scheme.routes = _route_form(experience={"enabled": False})  # as data written before it was in use
    db.session.commit()
    err = refused(db, GuardFailed, record, "approve", world.admin_batam, rule="scheme_rules_met")
    assert "no longer open" in err.message
