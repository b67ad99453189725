"""The assessment, the decision, reassessment and appeals, on real data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from certflow import clock
from certflow.models import Appeal, Application, Certificate, Criterion, Score, TransitionLog, Unit
from tests.integration.test_rules_workflow import bring, logs_of, refused, travel  # noqa: F401  (fixture)
from workflows import GuardFailed, InvalidTransition

# -- recommend ------------------------------------------------------------------------------------


def _in_assessment(world):
    return bring(world, world.new_application(), "in_assessment")


def test_recommend_refused_with_unscored_criteria(world, db):
    w = world
    app = _in_assessment(w)
    err = refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": "K"})
    assert err.rule == "all_criteria_scored" and err.params == {"count": 8}
    w.score_all(app, w.lead)
    one = db.session.scalar(select(Score.id).where(Score.application_id == app.id).limit(1))
    db.session.execute(delete(Score).where(Score.id == one))
    db.session.commit()
    err = refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": "BK"})
    assert err.rule == "all_criteria_scored" and err.params == {"count": 1}


def test_only_the_leads_scores_are_the_teams_result(world, db):
    w = world
    app = _in_assessment(w)
    w.score_all(app, w.member)
    refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": "K"}, rule="all_criteria_scored")


def test_recommend_k_refused_with_a_bk_unit(world, db):
    w = world
    app = _in_assessment(w)
    w.score_all(app, w.lead, bk_units=("PSG.U2",))
    err = refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": "K"})
    assert err.rule == "recommendation_consistent" and err.params == {"units": "PSG.U2"}
    w.fire(app, "recommend", w.lead.user, data={"recommendation": "BK"})
    assert app.recommendation == "BK"


def test_a_single_bk_criterion_makes_its_unit_bk(world, db):
    w = world
    app = _in_assessment(w)
    w.score_all(app, w.lead)
    score = db.session.scalar(
        select(Score)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Unit, Unit.id == Criterion.unit_id)
        .where(Score.application_id == app.id, Unit.code == "PSG.U1")
        .limit(1)
    )
    score.result = "BK"
    db.session.commit()
    err = refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": "K"})
    assert err.params == {"units": "PSG.U1"}


@pytest.mark.parametrize("recommendation", [None, "", "k", "competent", 1, ["K"]])
def test_recommend_needs_k_or_bk(world, db, recommendation):
    w = world
    app = _in_assessment(w)
    w.score_all(app, w.lead)
    err = refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": recommendation})
    assert err.rule == "recommendation_consistent"


# -- the decision ----------------------------------------------------------------------------------


def test_certify_refused_on_a_bk_recommendation(world, db):
    w = world
    app = bring(w, w.new_application(), "assessed", recommendation="BK")
    refused(db, GuardFailed, app, "certify", w.certifier, rule="recommendation_is_k")
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    w.fire(app, "decline", w.certifier, reason="Unit 1 not yet competent.")
    assert app.state == "not_yet_competent" and app.decided_by_id == w.certifier.id


def test_certify_issues_one_certificate_with_the_schemes_content(world, db):
    w = world
    app = bring(w, w.new_application(), "certified")
    cert = db.session.scalar(select(Certificate).where(Certificate.application_id == app.id))
    assert cert.status == "active" and cert.holder_id == w.candidate.id
    assert cert.issued_on == clock.today() and cert.expires_on == clock.today().replace(year=clock.today().year + 5)
    assert cert.scheme_code == "PSG" and [u["code"] for u in cert.units] == ["PSG.U1", "PSG.U2"]
    assert app.decided_by_id == w.certifier.id


def test_decline_and_return_need_a_reason(world, db):
    w = world
    app = bring(w, w.new_application(), "assessed")
    refused(db, GuardFailed, app, "decline", w.certifier, rule="reason_given")
    refused(db, GuardFailed, app, "return_assessment", w.certifier, reason="", rule="reason_given")
    w.fire(app, "return_assessment", w.certifier, reason="Unit 2 evidence missing.")
    assert app.state == "in_assessment" and app.recommendation is None


# -- reassessment -----------------------------------------------------------------------------------


def _scores_by_unit(db, app) -> dict[str, int]:
    rows = db.session.execute(
        select(Unit.code, func.count(Score.id))
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Unit, Unit.id == Criterion.unit_id)
        .where(Score.application_id == app.id)
        .group_by(Unit.code)
    ).all()
    return dict(rows)


def test_reassessment_of_a_k_unit_is_refused(world, db):
    w = world
    app = bring(w, w.new_application(), "not_yet_competent")  # PSG.U1 is BK, PSG.U2 K
    for units in (["PSG.U2"], ["PSG.U1", "PSG.U2"], ["NOPE"], "PSG.U1"):
        err = refused(db, GuardFailed, app, "request_reassessment", w.candidate, data={"units": units})
        assert err.rule == "bk_units_only" and err.params == {"units": "PSG.U1"}


def test_reassessment_deletes_only_the_bk_units_scores(world, db):
    w = world
    app = bring(w, w.new_application(), "assessed", recommendation="BK")
    w.score_all(app, w.member, bk_units=("PSG.U1",))  # the member's own scores, too
    w.fire(app, "decline", w.certifier, reason="Unit 1 not yet competent.")
    assert _scores_by_unit(db, app) == {"PSG.U1": 8, "PSG.U2": 8}

    w.fire(app, "request_reassessment", w.candidate, data={"units": ["PSG.U1"]})
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.state == "eligible"
    assert _scores_by_unit(db, app) == {"PSG.U2": 8}
    assert app.reassessment_units == ["PSG.U1"]
    assert app.team_id is None and app.recommendation is None


def test_reassessment_defaults_to_every_bk_unit_and_can_lead_to_certification(world, db):
    w = world
    app = bring(w, w.new_application(), "not_yet_competent")
    w.fire(app, "request_reassessment", w.candidate)
    assert app.reassessment_units == ["PSG.U1"]
    w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})
    w.fire(app, "start_assessment", w.lead.user)  # the declarations of the first assessment still stand
    # only the BK unit is left to score
    err = refused(db, GuardFailed, app, "recommend", w.lead.user, data={"recommendation": "K"})
    assert err.params == {"count": 4}
    criteria = db.session.scalars(
        select(Criterion.id).join(Unit, Unit.id == Criterion.unit_id).where(Unit.code == "PSG.U1")
    ).all()
    db.session.add_all(
        Score(application_id=app.id, assessor_id=w.lead.id, criterion_id=c, result="K", method="observation")
        for c in criteria
    )
    db.session.commit()
    w.fire(app, "recommend", w.lead.user, data={"recommendation": "K"})
    w.fire(app, "certify", w.certifier2)
    assert app.state == "certified"


def test_reassessment_with_no_bk_unit_is_refused(world, db):
    """A BK recommendation with every unit scored K: nothing to reassess."""
    w = world
    app = bring(w, w.new_application(), "in_assessment")
    w.score_all(app, w.lead)
    w.fire(app, "recommend", w.lead.user, data={"recommendation": "BK"})
    w.fire(app, "decline", w.certifier, reason="Portfolio doubtful.")
    err = refused(db, GuardFailed, app, "request_reassessment", w.candidate, rule="bk_units_only")
    assert "no BK units" in err.message


# -- appeals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["ineligible", "not_yet_competent"])
def test_appeal_within_fourteen_days(world, db, travel, decision):  # noqa: F811
    w = world
    app = bring(w, w.new_application(), decision)
    travel(days=14)
    refused(db, GuardFailed, app, "appeal", w.candidate, rule="reason_given")
    w.fire(app, "appeal", w.candidate, reason="The evidence was overlooked.")
    assert app.state == "under_appeal" and app.appealed_from == decision
    appeal = db.session.scalar(select(Appeal).where(Appeal.application_id == app.id))
    assert (appeal.state, appeal.appealed_from, appeal.decision_by_id) == ("open", decision, app.decided_by_id)


@pytest.mark.parametrize("decision", ["ineligible", "not_yet_competent"])
def test_appeal_after_fourteen_days_is_refused(world, db, travel, decision):  # noqa: F811
    w = world
    app = bring(w, w.new_application(), decision)
    travel(days=14, seconds=1)
    err = refused(db, GuardFailed, app, "appeal", w.candidate, reason="Late.", rule="within_appeal_window")
    assert err.params == {"days": 14}


@pytest.mark.parametrize("decision", ["ineligible", "not_yet_competent"])
def test_a_decision_is_appealed_only_once(world, db, decision):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from=decision)
    w.fire(app, "dismiss_appeal", w.certifier2, reason="The decision stands.")
    assert app.state == decision
    err = refused(db, GuardFailed, app, "appeal", w.candidate, reason="Again.", rule="within_appeal_window")
    assert "already been appealed" in err.message


def test_a_new_decision_after_an_upheld_appeal_may_be_appealed(world, db):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from="ineligible")
    w.fire(app, "uphold_appeal", w.certifier, reason="Kesos diploma accepted.")
    assert app.state == "submitted" and app.decided_at is None
    w.fire(app, "reject", w.admin_kepri, reason="Practice hours are not proven.")
    w.fire(app, "appeal", w.candidate, reason="Here is my practice log.")
    assert app.state == "under_appeal"
    assert db.session.scalar(select(func.count()).select_from(Appeal).where(Appeal.application_id == app.id)) == 2


ROUTING = [
    ("ineligible", "uphold_appeal", "submitted", "upheld"),
    ("ineligible", "dismiss_appeal", "ineligible", "dismissed"),
    ("not_yet_competent", "uphold_appeal", "eligible", "upheld"),
    ("not_yet_competent", "dismiss_appeal", "not_yet_competent", "dismissed"),
]


@pytest.mark.parametrize(("decision", "event", "dest", "appeal_state"), ROUTING)
def test_appeal_resolution_routes_by_the_decision_appealed(world, db, decision, event, dest, appeal_state):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from=decision)
    team_before, recommendation_before = app.team_id, app.recommendation
    refused(db, GuardFailed, app, event, w.certifier2, rule="reason_given")
    w.fire(app, event, w.certifier2, reason="Considered.")
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.state == dest and app.appealed_from is None
    appeal = db.session.scalar(select(Appeal).where(Appeal.application_id == app.id))
    assert appeal.state == appeal_state
    assert (appeal.handled_by_id, appeal.resolution) == (w.certifier2.id, "Considered.")
    assert appeal.resolved_at is not None
    [appeal_log] = logs_of(db, app, "appeal")
    assert (appeal_log.subject_id, appeal_log.from_state, appeal_log.to_state) == (appeal.id, "open", appeal_state)
    if event == "uphold_appeal":
        assert app.team_id is None and app.recommendation is None and app.decided_at is None
    else:
        assert (app.team_id, app.recommendation) == (team_before, recommendation_before)


def test_an_upheld_assessment_appeal_goes_back_to_team_assignment(world, db):
    w = world
    app = bring(w, w.new_application(), "under_appeal", appealed_from="not_yet_competent")
    w.fire(app, "uphold_appeal", w.certifier2, reason="The assessment was unfair.")
    w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})
    assert app.state == "team_assigned"


def test_no_appeal_from_other_states(world, db):
    w = world
    for state in ("submitted", "eligible", "certified"):
        app = bring(w, w.new_application(), state)
        refused(db, InvalidTransition, app, "appeal", w.candidate, reason="Why not.")


def test_appeal_window_counts_from_the_decision_not_from_the_submission(world, db, travel):  # noqa: F811
    w = world
    app = bring(w, w.new_application(), "submitted")
    travel(days=30)
    w.fire(app, "reject", w.admin_batam, reason="No.")
    travel(days=13)
    w.fire(app, "appeal", w.candidate, reason="Yes.")
    logs = db.session.scalars(select(TransitionLog).where(TransitionLog.event == "appeal")).all()
    assert len(logs) == 1 and logs[0].at - app.decided_at == timedelta(days=13)
