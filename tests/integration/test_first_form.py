"""A new application's APL-01 starts from the account: the education, the hours, and the self-check's
training and position answers kept at registration (issue 13: the answers carried all the way)."""

from __future__ import annotations

from certflow.applications.operations import create_application
from certflow.extensions import db as _db
from certflow.models import Application
from tests.factories import make_user

ANSWERS = {"education_field": "other", "education_level": "S1", "practice_hours": 1500}


def test_the_first_form_starts_from_every_answer_kept_on_the_account(world, db):
    person = make_user("candidate", world.batam, training=True, position="Staf Dinas Sosial", **ANSWERS)
    db.session.commit()
    app_id = create_application(person, "PSG").id
    db.session.commit()
    _db.session.expire_all()
    apl01 = db.session.get(Application, app_id).apl01
    assert apl01 == {**ANSWERS, "training": True, "position": "Staf Dinas Sosial"}
    assert "route" not in apl01  # the route is the person's choice, on the form (preselected there, not saved)


def test_an_account_without_those_answers_starts_without_them(world, db):
    person = make_user("candidate", world.batam, **ANSWERS)  # made by an admin or an import: never asked
    untrained = make_user("candidate", world.batam, training=False, position="", **ANSWERS)
    db.session.commit()
    assert create_application(person, "PSG").apl01 == ANSWERS
    assert create_application(untrained, "PSG").apl01 == {**ANSWERS, "training": False}
    db.session.rollback()
