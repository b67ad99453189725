"""The one policy for APL-01's personal data (DOMAIN.md rule 8), read role by role on a stored application."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from certflow.people.policy import personal_data_view, shown_apl01
from tests.factories import make_user

IDENTITY = {
    "nik": "2171015508850001",
    "birth_place": "Tanjung Pinang",
    "birth_date": "1985-08-15",
    "sex": "female",
    "jf_level": "peksos_mahir",
    "phone": "0812 3456 7890",
    "address": "Jl. Engku Putri 1",
    "workplace": "Dinas Sosial Kota Batam",
}
MASKED = {
    "nik": "2171********0001",
    "sex": "female",
    "jf_level": "peksos_mahir",
    "workplace": "Dinas Sosial Kota Batam",
}


def _application(world, db):
    application = world.new_application()
    application.apl01 = {**IDENTITY}
    db.session.commit()
    return application


def _shown(user, application) -> dict:
    return {k: v for k, v in shown_apl01(user, application).items() if k in IDENTITY}


def test_whole_to_the_candidate_and_the_dinas_admins_whose_scope_holds_it(world, db):
    application = _application(world, db)
    for user in (world.candidate, world.admin_batam, world.admin_kepri):
        assert personal_data_view(user, application) == "whole"
        assert _shown(user, application) == IDENTITY


def test_masked_to_everyone_else_signed_in(world, db):
    application = _application(world, db)
    for user in (world.lead.user, world.certifier, world.sysadmin, world.admin_riau, world.other_candidate):
        assert personal_data_view(user, application) == "masked", user.name
        assert _shown(user, application) == MASKED, user.name


def test_nothing_to_the_public(world, db):
    application = _application(world, db)
    assert personal_data_view(AnonymousUserMixin(), application) == "none"
    assert personal_data_view(None, application) == "none"
    assert _shown(None, application) == {k: v for k, v in MASKED.items() if k != "nik"}


def test_an_assessor_who_is_also_the_dinas_admin_sees_it_whole(world, db):
    application = _application(world, db)
    both = make_user(["dinas_admin", "assessor"], world.batam, name="Admin and Assessor")
    db.session.commit()
    assert personal_data_view(both, application) == "whole"


def test_the_stored_form_is_never_changed_by_showing_it(world, db):
    application = _application(world, db)
    shown_apl01(world.certifier, application)
    assert application.apl01 == IDENTITY
