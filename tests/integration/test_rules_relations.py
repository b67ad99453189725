"""Who relates to an application how: owner, dinas admin scope, team lead and member, certifier, appeal handler."""

from __future__ import annotations

from sqlalchemy import select

from certflow.applications.workflow import fire_application_event
from certflow.models import Application, Dinas, Score
from certflow.people.policy import (
    application_actor,
    dinas_scope,
    get_visible_application,
    in_dinas_scope,
    visible_applications,
)
from tests.factories import make_assessor, make_team, make_user
from tests.integration.test_rules_workflow import bring, refused
from workflows import Forbidden


def relations(user, app) -> set[str]:
    return set(application_actor(user, app).relations)


# -- the owner ------------------------------------------------------------------------------


def test_the_owner_and_only_the_owner_acts_as_candidate(world, db):
    app = world.new_application()
    assert "owner" in relations(world.candidate, app)
    assert "owner" not in relations(world.other_candidate, app)
    refused(db, Forbidden, app, "submit", world.other_candidate)
    refused(db, Forbidden, app, "withdraw", world.other_candidate)
    fire_application_event(app, "submit", world.candidate)
    assert app.state == "submitted"


# -- dinas admins: kab/kota sees its dinas, province its province, another province nothing ---------


def _ids(stmt) -> set[int]:
    from certflow.extensions import db

    return set(db.session.scalars(stmt)) if stmt is not None else set()


def test_dinas_scope(world, db):
    w = world
    assert _ids(dinas_scope(w.admin_batam)) == {w.batam.id}
    assert _ids(dinas_scope(w.admin_kepri)) == {w.dinas_kepri.id, w.batam.id, w.bintan.id}
    assert _ids(dinas_scope(w.admin_riau)) == {w.dinas_riau.id, w.pekanbaru.id}
    for not_admin in (w.candidate, w.certifier, w.sysadmin, w.lead.user):
        assert dinas_scope(not_admin) is None
    for dinas in db.session.scalars(select(Dinas)):
        for admin in (w.admin_batam, w.admin_kepri, w.admin_riau):
            assert in_dinas_scope(admin, dinas) == (dinas.id in _ids(dinas_scope(admin)))
        assert not in_dinas_scope(w.candidate, dinas)


def test_a_dinas_admin_without_a_dinas_has_no_scope(world, db):
    nowhere = make_user("dinas_admin", None)
    assert dinas_scope(nowhere) is None
    assert not in_dinas_scope(nowhere, world.batam)
    app = bring(world, world.new_application(), "submitted")
    assert "dinas_admin" not in relations(nowhere, app)
    assert db.session.scalars(visible_applications(nowhere)).all() == []


def test_kab_kota_admin_acts_only_in_its_dinas(world, db):
    w = world
    batam_app = bring(w, w.new_application(), "submitted")
    bintan_app = bring(w, w.new_application(w.other_candidate), "submitted")
    assert "dinas_admin" in relations(w.admin_batam, batam_app)
    assert "dinas_admin" not in relations(w.admin_batam, bintan_app)
    refused(db, Forbidden, bintan_app, "reject", w.admin_batam, reason="not mine")
    w.mark_documents(batam_app, "valid")
    w.fire(batam_app, "approve", w.admin_batam)
    assert batam_app.state == "eligible"


def test_province_admin_acts_in_every_dinas_of_its_province(world, db):
    w = world
    batam_app = bring(w, w.new_application(), "submitted")
    bintan_app = bring(w, w.new_application(w.other_candidate), "submitted")
    for app in (batam_app, bintan_app):
        assert "dinas_admin" in relations(w.admin_kepri, app)
        w.fire(app, "reject", w.admin_kepri, reason="Not eligible.")
        assert app.state == "ineligible"


def test_another_provinces_admin_acts_on_nothing(world, db):
    w = world
    app = bring(w, w.new_application(), "submitted")
    assert "dinas_admin" not in relations(w.admin_riau, app)
    w.mark_documents(app, "valid")
    for event, kw in (("approve", {}), ("reject", {"reason": "x"}), ("request_revision", {"reason": "x"})):
        refused(db, Forbidden, app, event, w.admin_riau, **kw)


def test_visible_applications_are_scoped(world, db):
    w = world
    batam_app = bring(w, w.new_application(), "team_assigned")
    bintan_app = w.new_application(w.other_candidate)
    w.fire(bintan_app, "submit", w.other_candidate)
    draft = w.new_application(w.other_candidate, w.other_scheme)

    def seen(user) -> set[int]:
        return {a.id for a in db.session.scalars(visible_applications(user))}

    assert seen(w.admin_batam) == {batam_app.id}
    assert seen(w.admin_kepri) == {batam_app.id, bintan_app.id, draft.id}
    assert seen(w.admin_riau) == set()
    assert seen(w.candidate) == {batam_app.id}
    assert seen(w.other_candidate) == {bintan_app.id, draft.id}
    assert seen(w.lead.user) == seen(w.member.user) == {batam_app.id}
    assert seen(w.same_dinas_assessor.user) == set()
    assert seen(w.certifier) == set()  # none at a decision point yet (rule 8)
    assert seen(w.sysadmin) == {batam_app.id, bintan_app.id, draft.id}
    assert get_visible_application(w.admin_batam, bintan_app.id) is None
    assert get_visible_application(w.admin_kepri, bintan_app.id).id == bintan_app.id


# -- the team: its lead starts and recommends, a member does not ----------------------------


def test_team_lead_versus_member(world, db):
    w = world
    app = bring(w, w.new_application(), "team_assigned")
    assert {"team_member", "team_lead"} <= relations(w.lead.user, app)
    assert relations(w.member.user, app) == {"team_member"}
    assert relations(w.same_dinas_assessor.user, app) == set()
    w.declare(app)
    refused(db, Forbidden, app, "start_assessment", w.member.user)
    refused(db, Forbidden, app, "start_assessment", w.same_dinas_assessor.user)
    w.fire(app, "start_assessment", w.lead.user)
    w.score_all(app, w.lead)
    refused(db, Forbidden, app, "recommend", w.member.user, data={"recommendation": "K"})
    w.fire(app, "recommend", w.lead.user, data={"recommendation": "K"})
    assert app.state == "assessed"


def test_a_lead_of_another_team_is_not_this_teams_lead(world, db):
    w = world
    other_lead = make_assessor(w.dinas_kepri, [w.scheme], name="Other Lead")
    make_team(w.dinas_kepri, w.scheme, other_lead, [w.member], name="Tim Kepri 2")
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app)
    assert "team_lead" not in relations(other_lead.user, app)
    refused(db, Forbidden, app, "start_assessment", other_lead.user)


# -- the certifier decides only on what they did not assess ---------------------------------


def test_an_independent_certifier_decides(world, db):
    app = bring(world, world.new_application(), "assessed")
    assert {"independent", "appeal_handler"} <= relations(world.certifier, app)
    world.fire(app, "certify", world.certifier)
    assert app.state == "certified"


def test_a_certifier_on_the_team_may_not_decide(world, db):
    w = world
    as_assessor = make_assessor(w.dinas_kepri, [w.scheme], user=w.certifier2)
    w.team.member_rows.append(type(w.team.member_rows[0])(assessor_id=as_assessor.id))
    db.session.commit()
    app = bring(w, w.new_application(), "team_assigned")
    w.declare(app, w.lead, w.member, as_assessor)
    w.fire(app, "start_assessment", w.lead.user)
    w.score_all(app, w.lead)
    w.fire(app, "recommend", w.lead.user, data={"recommendation": "K"})
    assert "team_member" in relations(w.certifier2, app)
    assert "independent" not in relations(w.certifier2, app)
    refused(db, Forbidden, app, "certify", w.certifier2)
    refused(db, Forbidden, app, "decline", w.certifier2, reason="x")
    refused(db, Forbidden, app, "return_assessment", w.certifier2, reason="x")
    w.fire(app, "certify", w.certifier)


def test_a_certifier_who_scored_the_application_may_not_decide_even_off_the_team(world, db):
    w = world
    app = bring(w, w.new_application(), "assessed")
    as_assessor = make_assessor(w.dinas_riau, [w.scheme], user=w.certifier2)
    criterion = db.session.scalar(select(Score.criterion_id).where(Score.application_id == app.id).limit(1))
    db.session.add(Score(application_id=app.id, assessor_id=as_assessor.id, criterion_id=criterion, result="K"))
    db.session.commit()
    assert "team_member" not in relations(w.certifier2, app)
    assert "independent" not in relations(w.certifier2, app)
    refused(db, Forbidden, app, "certify", w.certifier2)


def test_a_certifier_never_decides_on_their_own_application(world, db):
    w = world
    w.candidate.set_roles({"candidate", "certifier"})
    db.session.commit()
    app = bring(w, w.new_application(), "assessed")
    assert "independent" not in relations(w.candidate, app)
    refused(db, Forbidden, app, "certify", w.candidate)


def test_a_certifier_assessor_not_involved_is_independent(world, db):
    w = world
    make_assessor(w.dinas_riau, [w.scheme], user=w.certifier2)
    db.session.commit()
    app = bring(w, w.new_application(), "assessed")
    assert "independent" in relations(w.certifier2, app)
    w.fire(app, "decline", w.certifier2, reason="Evidence thin.")
    assert app.state == "not_yet_competent"


# -- an appeal is never handled by the person who took the decision --------------------------


def test_the_certifier_who_declined_may_not_handle_the_appeal(world, db):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from="not_yet_competent")
    assert app.decided_by_id == w.certifier.id
    assert "appeal_handler" not in relations(w.certifier, app)
    assert "appeal_handler" in relations(w.certifier2, app)
    refused(db, Forbidden, app, "uphold_appeal", w.certifier, reason="I was right after all.")
    refused(db, Forbidden, app, "dismiss_appeal", w.certifier, reason="I was right.")
    w.fire(app, "dismiss_appeal", w.certifier2, reason="The decision stands.")
    assert app.state == "not_yet_competent"


def test_an_appeal_against_a_dinas_rejection_is_handled_by_any_uninvolved_certifier(world, db):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from="ineligible")
    assert app.decided_by_id == w.admin_batam.id
    for certifier in (w.certifier, w.certifier2):
        assert "appeal_handler" in relations(certifier, app)
    refused(db, Forbidden, app, "uphold_appeal", w.admin_batam, reason="I changed my mind.")
    refused(db, Forbidden, app, "uphold_appeal", w.candidate, reason="Please.")
    w.fire(app, "uphold_appeal", w.certifier, reason="The diploma is from a kesos programme.")
    assert db.session.get(Application, app.id).state == "submitted"
