"""Editing schemes and standards (certflow.schemes.operations): the in-use rule, versions, validation.

The rule under test: once an application of a scheme has left draft, its standard, eligibility
rules and code are frozen; running applications keep their criteria, answers and scores; issued
certificates never change; a new version carries the change instead.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from certflow.applications.operations import create_application
from certflow.core.errors import InvalidInput
from certflow.models import (
    Application,
    AssessorScheme,
    Certificate,
    Criterion,
    Element,
    Scheme,
    Score,
    SelfAssessmentAnswer,
    Unit,
)
from certflow.schemes import operations as service
from certflow.schemes import standard
from tests.factories import make_scheme, make_user
from workflows import GuardFailed


def _standard(db, scheme_id: int) -> list[tuple]:
    """Every criterion of the scheme with its unit and element (not the order)."""
    return sorted(
        db.session.execute(
            select(Criterion.id, Criterion.code, Criterion.text, Element.code, Element.title, Unit.code, Unit.title)
            .join(Element, Element.id == Criterion.element_id)
            .join(Unit, Unit.id == Criterion.unit_id)
            .where(Criterion.scheme_id == scheme_id)
        ).all()
    )


def _rows(db, model, app_id: int) -> list[tuple]:
    cols = [c for c in model.__table__.columns if c.name != "updated_at"]
    return sorted(tuple(r) for r in db.session.execute(select(*cols).where(model.application_id == app_id)).all())


def _certificates(db) -> list[tuple]:
    cols = list(Certificate.__table__.columns)
    return sorted(tuple(r) for r in db.session.execute(select(*cols)).all())


@pytest.fixture()
def running(world, db):
    """PSG in use: one application being assessed (scored by the lead), one certified with its certificate."""
    assessed = world.advance(world.new_application(), "in_assessment")
    world.score_all(assessed, world.lead)
    second = make_user("candidate", world.batam, education_field="kesos")
    certified = world.advance(world.new_application(second), "certified")
    return assessed, certified


def _snapshot(db, world, assessed):
    return {
        "standard": _standard(db, world.scheme.id),
        "answers": _rows(db, SelfAssessmentAnswer, assessed.id),
        "scores": _rows(db, Score, assessed.id),
        "certificates": _certificates(db),
        "rules": (
            world.scheme.code,
            world.scheme.min_practice_hours,
            world.scheme.accepted_education,
            world.scheme.required_documents,
        ),
    }


def _first(db, model, scheme_id):
    if model is Element:
        return db.session.scalar(select(Element).join(Unit).where(Unit.scheme_id == scheme_id).order_by(Element.id))
    return db.session.scalar(select(model).where(model.scheme_id == scheme_id).order_by(model.id))


def test_in_use_once_an_application_leaves_draft(world, db):
    assert not service.in_use(world.scheme)
    app = world.new_application()
    assert not service.in_use(world.scheme)
    world.fire(app, "submit", app.candidate)
    assert service.in_use(world.scheme)
    assert not service.in_use(world.other_scheme)


def test_a_scheme_in_use_keeps_its_standard_rules_and_code(world, db, running):
    assessed, _certified = running
    scheme = world.scheme
    before = _snapshot(db, world, assessed)
    unit, element, criterion = (_first(db, m, scheme.id) for m in (Unit, Element, Criterion))
    attempts = [
        lambda: standard.add_item(scheme, "unit", None, {"code": "PSG.U9", "title": "New unit"}),
        lambda: standard.add_item(scheme, "element", unit, {"code": "PSG.U1.E9", "title": "New element"}),
        lambda: standard.add_item(scheme, "criterion", element, {"code": "PSG.X", "text": "New criterion"}),
        lambda: standard.edit_item(scheme, "criterion", criterion, {"code": criterion.code, "text": "Another meaning"}),
        lambda: standard.edit_item(scheme, "unit", unit, {"code": "PSG.U1-renamed", "title": unit.title}),
        lambda: standard.remove_item(scheme, "criterion", criterion),
        lambda: standard.remove_item(scheme, "element", element),
        lambda: standard.remove_item(scheme, "unit", unit),
    ]
    for attempt in attempts:
        with pytest.raises(service.SchemeError) as refused, force_locale("en"):
            attempt()
        assert set(refused.value.errors) == {"standard"}
        assert "new version" in refused.value.errors["standard"]
        db.session.rollback()
    for field, value in [
        ("code", "PSG2"),
        ("min_practice_hours", "0"),
        ("accepted_education", ["other"]),
        ("required_documents", ["diploma"]),
    ]:
        with pytest.raises(service.SchemeError) as refused:
            service.update_scheme(scheme, {field: value})
        assert set(refused.value.errors) == {field}
        db.session.rollback()
    db.session.expire_all()
    assert _snapshot(db, world, assessed) == before


def test_what_stays_editable_in_use_changes_no_assessment_and_no_certificate(world, db, running):
    assessed, certified = running
    scheme = world.scheme
    before = _snapshot(db, world, assessed)
    service.update_scheme(
        scheme,
        {
            "name": "Pekerja Sosial Generalis (2026)",
            "level": "Ahli",
            "validity_years": "3",
            "max_load": "9",
            "min_team_size": "3",
            "allow_same_dinas": True,
            # the frozen ones, unchanged, pass
            "code": "PSG",
            "accepted_education": list(scheme.accepted_education),
        },
    )
    units = db.session.scalars(select(Unit).where(Unit.scheme_id == scheme.id).order_by(Unit.position)).all()
    standard.move_item("unit", units[1], "up")
    db.session.commit()
    db.session.expire_all()
    assert (scheme.name, scheme.validity_years, scheme.max_load, scheme.min_team_size) == (
        "Pekerja Sosial Generalis (2026)",
        3,
        9,
        3,
    )
    assert [u.code for u in scheme.units] == ["PSG.U2", "PSG.U1"]
    after = _snapshot(db, world, assessed)
    assert after == before  # same criteria, answers, scores, certificates (the old name and validity kept)
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == certified.id))
    assert cert.scheme_name == "Pekerja Sosial Generalis" and cert.level == "Generalis"
    assert [u["code"] for u in cert.units] == ["PSG.U1", "PSG.U2"]


def test_a_new_version_carries_the_change_while_running_applications_finish_on_the_old(world, db, running):
    assessed, _certified = running
    old = world.scheme
    before = _snapshot(db, world, assessed)
    assert service.suggest_version_code("PSG") == "PSG-V2"
    copy = service.new_version(old, {"code": "psg-v2", "name": "Pekerja Sosial Generalis 2026"})
    db.session.commit()
    assert copy.code == "PSG-V2" and copy.active and not old.active
    assert service.suggest_version_code("PSG-V2") == "PSG-V3"
    # the same standard, as new rows; the same rules; the licences that covered the old cover the new
    strip = [(c[1], c[2], c[3], c[4], c[5], c[6]) for c in _standard(db, copy.id)]
    assert strip == [(c[1], c[2], c[3], c[4], c[5], c[6]) for c in before["standard"]]
    assert not {c[0] for c in _standard(db, copy.id)} & {c[0] for c in before["standard"]}
    assert (copy.min_practice_hours, copy.accepted_education, copy.required_documents, copy.validity_years) == (
        old.min_practice_hours,
        old.accepted_education,
        old.required_documents,
        old.validity_years,
    )
    covering = set(db.session.scalars(select(AssessorScheme.assessor_id).where(AssessorScheme.scheme_id == copy.id)))
    assert covering == {world.lead.id, world.member.id, world.same_dinas_assessor.id}
    # the new version is free to change
    criterion = _first(db, Criterion, copy.id)
    standard.edit_item(copy, "criterion", criterion, {"code": "PSG.NEW.1", "text": "A reworded criterion"})
    standard.remove_item(copy, "unit", copy.units[-1])
    service.update_scheme(copy, {"min_practice_hours": "2000", "required_documents": ["diploma"]})
    db.session.commit()
    db.session.expire_all()
    assert _snapshot(db, world, assessed) == before
    # the running application goes on to its certificate, on the old standard
    world.fire(assessed, "recommend", world.lead.user, data={"recommendation": "K"})
    world.fire(assessed, "certify", world.certifier)
    cert = assessed.certificate
    assert cert.scheme_code == "PSG" and [u["code"] for u in cert.units] == ["PSG.U1", "PSG.U2"]
    # new applications go to the new version only
    newcomer = make_user("candidate", world.pekanbaru)
    db.session.commit()
    with pytest.raises(InvalidInput):
        create_application(newcomer, "PSG")
    assert create_application(newcomer, "PSG-V2").scheme_id == copy.id


def test_a_scheme_not_in_use_is_edited_freely_and_drafts_follow(world, db):
    scheme = make_scheme("NEW", units=1, elements=1, criteria=2, required_documents=["diploma"])
    db.session.commit()
    draft = world.new_application(scheme=scheme)
    answers = _rows(db, SelfAssessmentAnswer, draft.id)
    assert len(answers) == 2
    first, second = db.session.scalars(select(Criterion).where(Criterion.scheme_id == scheme.id).order_by(Criterion.id))
    standard.edit_item(scheme, "criterion", first, {"code": "NEW.K1", "text": "Reworded"})
    standard.remove_item(scheme, "criterion", second)
    element = _first(db, Element, scheme.id)
    added = standard.add_item(scheme, "criterion", element, {"code": "NEW.K3", "text": "Added"})
    service.update_scheme(scheme, {"code": "NEW2", "min_practice_hours": "10", "accepted_education": ["other"]})
    db.session.commit()
    assert scheme.code == "NEW2" and scheme.accepted_education == ["other"]
    assert [c.code for c in scheme.units[0].elements[0].criteria] == ["NEW.K1", "NEW.K3"]
    assert added.unit_id == element.unit_id and added.scheme_id == scheme.id and added.position == 2
    # the draft lost its answer to the removed criterion, and must answer the new one before submitting
    assert [a[2] for a in _rows(db, SelfAssessmentAnswer, draft.id)] == [first.id]
    with pytest.raises(GuardFailed) as refused:
        world.fire(draft, "submit", draft.candidate)
    assert refused.value.rule == "self_assessment_complete"
    # removing a unit removes its elements and criteria
    db.session.rollback()
    standard.remove_item(scheme, "unit", scheme.units[0])
    db.session.commit()
    assert db.session.scalars(select(Criterion.id).where(Criterion.scheme_id == scheme.id)).all() == []
    assert _rows(db, SelfAssessmentAnswer, draft.id) == []


def test_moving_items_up_and_down(world, db):
    scheme = make_scheme("MOV", units=3, elements=1, criteria=3)
    db.session.commit()

    def codes() -> list[str]:
        return list(db.session.scalars(select(Unit.code).where(Unit.scheme_id == scheme.id).order_by(Unit.position)))

    u1, u2, u3 = db.session.scalars(select(Unit).where(Unit.scheme_id == scheme.id).order_by(Unit.position)).all()
    standard.move_item("unit", u3, "up")
    assert codes() == ["MOV.U1", "MOV.U3", "MOV.U2"]
    standard.move_item("unit", u1, "up")  # already first: stays
    standard.move_item("unit", u2, "down")  # already last: stays
    standard.move_item("unit", u1, "down")
    assert codes() == ["MOV.U3", "MOV.U1", "MOV.U2"]
    element = u1.elements[0]
    k1, k2, k3 = element.criteria
    standard.move_item("criterion", k1, "down")
    db.session.expire_all()
    assert [c.code for c in element.criteria] == [k2.code, k1.code, k3.code]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "A scheme"}, "code"),
        ({"code": "bad code", "name": "A scheme"}, "code"),
        ({"code": "PSG", "name": "Duplicate"}, "code"),
        ({"code": "OK"}, "name"),
        ({"code": "OK", "name": "   "}, "name"),
        ({"code": "OK", "name": "x" * 161}, "name"),
        ({"code": "OK", "name": "A", "validity_years": "0"}, "validity_years"),
        ({"code": "OK", "name": "A", "validity_years": "five"}, "validity_years"),
        ({"code": "OK", "name": "A", "min_team_size": "-1"}, "min_team_size"),
        ({"code": "OK", "name": "A", "max_load": "1000"}, "max_load"),
        ({"code": "OK", "name": "A", "min_practice_hours": "1.5"}, "min_practice_hours"),
        ({"code": "OK", "name": "A", "accepted_education": []}, "accepted_education"),
        ({"code": "OK", "name": "A", "accepted_education": ["peksos", "physics"]}, "accepted_education"),
        ({"code": "OK", "name": "A", "required_documents": ["passport"]}, "required_documents"),
    ],
)
def test_bad_settings_are_refused_field_by_field(world, db, data, field):
    with pytest.raises(service.SchemeError) as refused:
        service.create_scheme(data)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(Scheme.id).where(Scheme.code == "OK")) is None


def test_a_good_new_scheme(world, db):
    scheme = service.create_scheme(
        {
            "code": " ps-spc ",
            "name": "Pekerja Sosial Spesialis",
            "validity_years": "5",
            "min_team_size": "2",
            "max_load": "4",
            "min_practice_hours": "1344",
            "accepted_education": ["kesos", "peksos"],
            "required_documents": ["diploma", "practice_log"],
            "allow_same_dinas": "on",
        }
    )
    assert scheme.code == "PS-SPC" and scheme.active and scheme.allow_same_dinas
    assert scheme.accepted_education == ["peksos", "kesos"]  # in the list's order
    assert (scheme.max_load, scheme.min_practice_hours) == (4, 1344)


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("unit", {"code": "", "title": "T"}, "code"),
        ("unit", {"code": "PSG.U1", "title": "T"}, "code"),  # taken in this scheme
        ("unit", {"code": "has space", "title": "T"}, "code"),
        ("unit", {"code": "U" * 41, "title": "T"}, "code"),
        ("unit", {"code": "U9", "title": ""}, "title"),
        ("element", {"code": "PSG.U2.E1", "title": "T"}, "code"),  # an element of another unit
        ("criterion", {"code": "PSG.U2.E2.K2", "text": "T"}, "code"),
        ("criterion", {"code": "K9", "text": " "}, "text"),
        ("criterion", {"code": "K9", "text": "x" * 2001}, "text"),
    ],
)
def test_bad_items_are_refused(world, db, kind, data, field):
    scheme = world.scheme
    parent = {"unit": None, "element": _first(db, Unit, scheme.id), "criterion": _first(db, Element, scheme.id)}[kind]
    with pytest.raises(service.SchemeError) as refused:
        standard.add_item(scheme, kind, parent, data)
    assert field in refused.value.errors


def test_the_same_codes_may_be_used_by_another_scheme(world, db):
    unit = standard.add_item(world.other_scheme, "unit", None, {"code": "PSG.U1", "title": "Borrowed code"})
    assert unit.scheme_id == world.other_scheme.id
    assert standard.get_item(world.scheme, "unit", unit.id) is None  # items are found only in their scheme


def test_a_closed_scheme_takes_no_new_applications(world, db):
    service.set_active(world.other_scheme, False)
    db.session.commit()
    with pytest.raises(InvalidInput):
        create_application(world.candidate, "PNY")
    service.set_active(world.other_scheme, True)
    db.session.commit()
    assert create_application(world.candidate, "PNY").state == "draft"
    assert db.session.scalar(select(Application.id).where(Application.scheme_id == world.other_scheme.id))
