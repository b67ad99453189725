"""A certifier sees an application and its documents only at a decision point (DOMAIN.md rule 8, UU PDP).

From ``assessed`` onward (``certified``, ``not_yet_competent``) and under appeal; never a candidate
being verified or assessed. The same through the API (list, detail, documents, files, forms) and the
pages (the application page, the certifier's record, the document download, the home list).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from certflow.people.policy import CERTIFIER_APPLICATION_STATES
from tests.integration.test_rules_workflow import bring
from tests.web.test_api_applications_support import Api, pdf_bytes
from tests.web.test_pages_support import Browser

# (state, whether a certifier sees it); ``under_appeal`` is appealed from ``ineligible``, a dinas decision.
STATES = [
    ("submitted", False),
    ("revision_requested", False),
    ("eligible", False),
    ("ineligible", False),
    ("team_assigned", False),
    ("in_assessment", False),
    ("withdrawn", False),
    ("assessed", True),
    ("certified", True),
    ("not_yet_competent", True),
    ("under_appeal", True),
]


@pytest.fixture()
def api(client):
    return Api(client)


@pytest.fixture()
def uploads(app):
    directory = Path(app.config["UPLOAD_DIR"])
    shutil.rmtree(directory, ignore_errors=True)  # what other tests stored there, folders included
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _application_with_file(api, world, state):
    """An application brought to ``state`` with one real uploaded PDF: (application, document id)."""
    app = world.new_application()
    r = api.as_(world.candidate).upload(app.id, "work_letter", pdf_bytes("Surat Kerja"), "surat kerja.pdf")
    assert r.status_code == 201, r.get_json()
    return bring(world, app, state), r.get_json()["id"]


def test_the_states_a_certifier_sees_are_the_decision_points():
    assert {s for s, sees in STATES if sees} == set(CERTIFIER_APPLICATION_STATES)


@pytest.mark.parametrize(("state", "sees"), STATES)
def test_a_certifier_sees_an_application_through_the_api_only_at_a_decision_point(api, world, uploads, state, sees):
    application, doc_id = _application_with_file(api, world, state)
    certifier = api.as_(world.certifier2)
    listed = {i["id"] for i in certifier.get("/applications?per_page=50").get_json()["items"]}
    assert (application.id in listed) is sees
    detail = certifier.get(f"/applications/{application.id}")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert doc_id in {d["id"] for d in detail.get_json()["documents"]}
    assert certifier.get(f"/documents/{doc_id}/file").status_code == (200 if sees else 404)
    assert certifier.get(f"/applications/{application.id}/forms/apl-01").status_code == (200 if sees else 404)
    # the system admin (who sees every application) still sees it: the certifier's rule is the certifier's
    assert api.as_(world.sysadmin).get(f"/applications/{application.id}").status_code == 200


@pytest.mark.parametrize(("state", "sees"), STATES)
def test_a_certifier_sees_an_application_through_the_pages_only_at_a_decision_point(
    app, api, world, uploads, state, sees
):
    application, doc_id = _application_with_file(api, world, state)
    browser = Browser(app).login(world.certifier2)
    status = 200 if sees else 404
    assert browser.get(f"/applications/{application.id}").status_code == status
    assert browser.get(f"/certifier/applications/{application.id}").status_code == status
    download = browser.get(f"/certifier/documents/{doc_id}")
    assert download.status_code == status
    if sees:
        assert download.headers["Content-Disposition"].startswith("attachment;")
    home = browser.get("/").text
    assert (f'href="/applications/{application.id}"' in home) is sees


def test_the_certifier_queues_hold_only_decision_points(app, api, world, uploads):
    assessed, _ = _application_with_file(api, world, "assessed")
    early = bring(world, world.new_application(), "in_assessment")
    appealed = bring(world, world.new_application(), "under_appeal")
    browser = Browser(app).login(world.certifier2)
    decisions, appeals = browser.get("/certifier/").text, browser.get("/certifier/appeals").text
    assert f"/certifier/applications/{assessed.id}" in decisions
    assert f"/certifier/applications/{appealed.id}" in appeals
    assert f"/certifier/applications/{early.id}" not in decisions + appeals


def test_a_certifier_who_is_also_a_dinas_admin_sees_early_applications_only_as_the_admin(api, world, db):
    """The scores of an assessment in progress stay the team's (rule 6), whatever else the certifier is."""
    from certflow.models import UserRole

    db.session.add(UserRole(user_id=world.admin_batam.id, role="certifier"))
    db.session.commit()
    application = bring(world, world.new_application(), "in_assessment")
    admin = api.as_(world.admin_batam)
    assert admin.get(f"/applications/{application.id}").status_code == 200
    assert admin.get(f"/applications/{application.id}/scores").status_code == 403
    assert admin.get(f"/applications/{application.id}/unit-records").status_code == 403
