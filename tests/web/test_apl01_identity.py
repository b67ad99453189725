"""APL-01's identity fields (NIK, place and date of birth, sex, functional-position level) through the API
and the page, and who sees the personal data (DOMAIN.md rule 8): whole to the candidate and the dinas
admins of the scope, the NIK masked to the team, certifiers and system admins, nothing to the public."""

from __future__ import annotations

import pytest

from certflow.models import Application
from tests.web.test_api_applications_support import Api, error_code
from tests.web.test_api_records import _pdf_text
from tests.web.test_pages_candidate_support import bare_draft, browser, post
from tests.web.test_pages_support import fresh

# Siti, of Batam (Kepri 21, Batam 71), born 15 August 1985: a woman's day is 15 + 40 = 55.
NIK = "2171015508850001"
MASKED = "2171********0001"
IDENTITY = {
    "nik": NIK,
    "birth_place": "Tanjung Pinang",
    "birth_date": "1985-08-15",
    "sex": "female",
    "jf_level": "peksos_ahli_pertama",
    "phone": "+62 812 3456 7890",
    "address": "Jl. Engku Putri 1, Batam",
}
PERSONAL = ("birth_place", "birth_date", "phone", "address")


@pytest.fixture()
def api(client):
    return Api(client)


def _with_identity(world, db, target: str = "draft") -> Application:
    application = world.new_application()
    application.apl01 = {**application.apl01, **IDENTITY}
    db.session.commit()
    if target != "draft":
        world.advance(application, target)
    return application


# -- the API: saved, refused with every field named ------------------------------------------


def test_the_owner_saves_the_identity_fields_and_the_nik_is_kept_without_separators(api, world, db):
    draft = world.new_application()
    r = api.as_(world.candidate).put(f"/applications/{draft.id}/apl01", json={**IDENTITY, "nik": "2171 0155 0885 0001"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["apl01"] == {**draft.apl01, **IDENTITY}
    fresh(db)
    assert db.session.get(Application, draft.id).apl01["nik"] == NIK


@pytest.mark.parametrize(
    ("form", "bad", "words"),
    [
        ({"nik": "217101550885"}, ["nik"], "exactly 16 digits"),
        ({"nik": "0000000000000000"}, ["nik"], "all zeros"),
        ({"nik": "9971015508850001"}, ["nik"], "province"),
        ({"nik": "2100005508850001"}, ["nik"], "cannot be 00"),
        ({"nik": "2171017308850001"}, ["nik"], "not a date of birth"),
        ({"nik": "2171015508850000"}, ["nik"], "0000"),
        ({"nik": NIK, "birth_date": "1985-08-16"}, ["nik"], "date of birth given"),
        ({"nik": NIK, "sex": "male"}, ["nik"], "sex given"),
        ({"birth_date": "2099-01-01"}, ["birth_date"], "in the past"),
        ({"birth_date": "2015-01-01"}, ["birth_date"], "under 17"),
        ({"birth_date": "1900-01-01"}, ["birth_date"], "over 80"),
        ({"birth_date": "15-08-1985"}, ["birth_date"], None),
        ({"sex": "x"}, ["sex"], None),
        ({"jf_level": "Ahli Super"}, ["jf_level"], None),
        ({"nik": "99", "birth_date": "2099-01-01"}, ["birth_date", "nik"], None),  # the service's checks
        # the schema's checks
        ({"birth_date": "1985-02-30", "sex": "x", "jf_level": "y"}, ["birth_date", "jf_level", "sex"], None),
    ],
)
def test_bad_identity_is_422_naming_each_field_and_nothing_is_saved(api, world, db, form, bad, words):
    draft = world.new_application()
    r = api.as_(world.candidate).put(f"/applications/{draft.id}/apl01", json={"workplace": "Kept?", **form})
    assert r.status_code == 422 and error_code(r) == "validation_error"
    error = r.get_json()["error"]
    assert sorted(error["fields"]) == bad
    for name in bad:
        assert name in error["message"]
    if words:
        assert words in error["message"]
    fresh(db)
    assert "workplace" not in db.session.get(Application, draft.id).apl01


def test_a_new_date_of_birth_is_checked_against_the_saved_nik(api, world, db):
    draft = world.new_application()
    me = api.as_(world.candidate)
    assert me.put(f"/applications/{draft.id}/apl01", json={"nik": NIK}).status_code == 200
    r = me.put(f"/applications/{draft.id}/apl01", json={"birth_date": "1990-01-01"})
    assert r.status_code == 422
    assert list(r.get_json()["error"]["fields"]) == ["birth_date"]
    assert me.put(f"/applications/{draft.id}/apl01", json={"birth_date": "1985-08-15"}).status_code == 200


def test_the_identity_fields_stay_optional_for_submit(api, world, db):
    draft = world.new_application()
    assert "nik" not in draft.apl01
    assert api.as_(world.candidate).event(draft.id, "submit").status_code == 200


# -- the page: every fault at once, with a summary --------------------------------------------


def test_the_page_saves_the_identity_fields(app, world, db):
    draft = bare_draft(world.candidate, world.scheme)
    b = browser(app, world.candidate)
    page = b.get(f"/candidate/applications/{draft.id}/apl01").text
    assert 'name="nik"' in page and 'name="birth_date"' in page and 'value="peksos_ahli_pertama"' in page
    r = post(b, f"/candidate/applications/{draft.id}/apl01", **IDENTITY)
    assert r.status_code == 303
    fresh(db)
    assert db.session.get(Application, draft.id).apl01 == IDENTITY


def test_the_page_shows_every_fault_at_once_in_a_summary(app, world, db):
    draft = bare_draft(world.candidate, world.scheme)
    b = browser(app, world.candidate)
    r = post(
        b,
        f"/candidate/applications/{draft.id}/apl01",
        nik="9971011608850000",
        birth_date="1985-08-15",
        sex="female",
        phone="call me",
    )
    assert r.status_code == 422
    page = r.text
    assert 'class="error-summary' in page
    for words in (
        "not the code of a province",
        "do not agree with the date of birth given",
        "do not agree with the sex given",
        "cannot be 0000",
        "A phone number may hold only digits",
    ):
        assert words in page, words
    assert '<a href="#nik">' in page and '<a href="#phone">' in page
    fresh(db)
    assert db.session.get(Application, draft.id).apl01 == {}


# -- who sees the personal data (rule 8) --------------------------------------------------------


def _seen(api, user, application) -> dict:
    r = api.as_(user).get(f"/applications/{application.id}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["apl01"]


def test_the_candidate_and_the_dinas_admins_of_the_scope_see_it_whole(api, world, db):
    application = _with_identity(world, db, "submitted")
    for user in (world.candidate, world.admin_batam, world.admin_kepri):
        seen = _seen(api, user, application)
        assert {k: seen.get(k) for k in IDENTITY} == IDENTITY, user.name


def test_the_team_certifiers_and_system_admins_see_the_nik_masked_and_no_more(api, world, db):
    application = _with_identity(world, db, "assessed")
    for user in (world.lead.user, world.member.user, world.certifier, world.sysadmin):
        seen = _seen(api, user, application)
        assert seen["nik"] == MASKED, user.name
        assert not set(PERSONAL) & set(seen), user.name
        assert seen["sex"] == "female" and seen["jf_level"] == "peksos_ahli_pertama"
        assert seen["education_field"] == "peksos"


def test_an_admin_outside_the_scope_does_not_see_the_application(api, world, db):
    application = _with_identity(world, db, "submitted")
    assert api.as_(world.admin_riau).get(f"/applications/{application.id}").status_code == 404


def test_the_pages_follow_the_same_policy(app, world, db):
    application = _with_identity(world, db, "assessed")
    verify = browser(app, world.admin_batam).get(f"/admin/verification/{application.id}").text
    assert NIK in verify and "Tanjung Pinang" in verify and "+62 812 3456 7890" in verify
    record = browser(app, world.certifier).get(f"/certifier/applications/{application.id}").text
    assert MASKED in record and NIK not in record
    assert "Tanjung Pinang" not in record and "+62 812 3456 7890" not in record and "Engku Putri" not in record
    assert "Pekerja Sosial Ahli Pertama" in record


def test_the_assessor_sheet_shows_the_nik_masked(app, world, db):
    application = _with_identity(world, db, "in_assessment")
    sheet = browser(app, world.lead.user).get(f"/assessor/applications/{application.id}/scores").text
    assert MASKED in sheet and NIK not in sheet and "Tanjung Pinang" not in sheet


def test_the_printed_form_shows_the_identity_as_the_reader_may_see_it(api, world, db):
    application = _with_identity(world, db, "assessed")
    path = f"/applications/{application.id}/forms/apl-01"
    for user in (world.candidate, world.admin_batam):
        text = _pdf_text(api.as_(user).get(path))
        assert NIK in text and "Tanjung Pinang, 15 Agustus 1985" in text and "Perempuan" in text
        assert "Pekerja Sosial Ahli Pertama" in text
    text = _pdf_text(api.as_(world.certifier).get(path))
    assert MASKED in text and NIK not in text and "Tanjung Pinang" not in text and "Engku Putri" not in text


def test_the_public_verification_page_shows_no_personal_data(client, world, db):
    application = _with_identity(world, db, "certified")
    page = client.get(f"/verify/{application.certificate.number}?lang=en").text
    assert world.candidate.name in page
    for value in (NIK, MASKED, "Tanjung Pinang", "1985", "Engku Putri", "3456 7890"):
        assert value not in page, value
    body = client.get(f"/api/v1/certificates/{application.certificate.number}").get_json()
    assert NIK not in str(body) and "1985-08-15" not in str(body)


def test_every_level_has_its_label(app):
    from certflow.core.labels import JF_LEVEL_LABELS
    from workflows.identity import JF_LEVELS

    assert tuple(JF_LEVEL_LABELS) == JF_LEVELS
