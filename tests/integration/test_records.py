"""The records' operations on a real database: the FR.AK.01 agreement and its guard, FR.AK.02, FR.AK.03."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from certflow import clock
from certflow.applications.facts import ApplicationFacts
from certflow.applications.workflow import fire_application_event
from certflow.assessment import agreements
from certflow.assessment import records as recs
from certflow.core.errors import Forbidden, InvalidInput, NotEditable
from certflow.models import Agreement, Application, Notification, OutboxMessage, UnitRecord
from workflows import GuardFailed


def _terms(**over):
    terms = {
        "date": (clock.today() + timedelta(days=2)).isoformat(),
        "time": "13:15",
        "venue": "TUK Batam",
        "evidence": [
            {"unit": "PSG.U1", "methods": ["written", "observation"]},
            {"unit": "PSG.U2", "methods": ["portfolio"]},
        ],
    }
    terms.update(over)
    return terms


@pytest.fixture()
def assigned(world):
    app = world.advance(world.new_application(), "team_assigned")
    world.declare(app)
    return app


def _start(db, app, user):
    db.session.refresh(app)
    try:
        return fire_application_event(app, "start_assessment", user)
    finally:
        db.session.rollback()


def test_start_assessment_needs_both_signatures(world, db, assigned):
    lead = world.lead.user
    with pytest.raises(GuardFailed) as err:
        _start(db, assigned, lead)
    assert err.value.rule == "agreement_signed"
    agreement = agreements.write_agreement(assigned, lead, _terms())
    db.session.commit()
    assert agreement.evidence[0] == {"unit": "PSG.U1", "methods": ["observation", "written"]}, "the methods in order"
    for signer, missing in ((world.candidate, "lead assessor has not signed"), (lead, None)):
        agreements.sign_agreement(assigned, signer)
        db.session.commit()
        if missing:
            with pytest.raises(GuardFailed) as err:
                _start(db, assigned, lead)
            assert missing in str(err.value.message)
    db.session.refresh(assigned)
    fire_application_event(assigned, "start_assessment", lead)
    db.session.commit()
    assert db.session.get(Application, assigned.id).state == "in_assessment"


def test_a_change_of_terms_clears_the_signatures_and_tells_the_candidate_again(world, db, assigned):
    lead = world.lead.user
    agreements.write_agreement(assigned, lead, _terms())
    agreements.sign_agreement(assigned, world.candidate)
    agreements.sign_agreement(assigned, lead)
    db.session.commit()
    agreements.write_agreement(assigned, lead, _terms())  # the same terms
    assert agreements.agreement_of(assigned).signed
    agreements.write_agreement(assigned, lead, _terms(time="14:00"))
    db.session.commit()
    agreement = db.session.scalar(select(Agreement))
    assert agreement.signed_by_candidate_at is None and agreement.signed_by_lead_at is None
    told = db.session.scalars(select(OutboxMessage.recipient_id).where(OutboxMessage.event == "agreement_to_sign"))
    assert list(told) == [world.candidate.id, world.candidate.id]
    assert (
        db.session.scalar(
            select(Notification.event)
            .where(Notification.user_id == world.candidate.id)
            .order_by(Notification.id.desc())
        )
        == "agreement_to_sign"
    )


def test_an_agreement_of_an_earlier_assignment_does_not_count(world, db, assigned):
    lead = world.lead.user
    world.agree(assigned)
    world.fire(assigned, "release", world.admin_batam, reason="Tim berubah")
    world.fire(assigned, "assign_team", world.admin_kepri, data={"team": world.team.id})
    world.declare(assigned)
    facts = ApplicationFacts(db.session.get(Application, assigned.id), {}, lead)
    assert facts.agreement_unsigned is None
    with pytest.raises(GuardFailed):
        _start(db, assigned, lead)
    agreements.write_agreement(assigned, lead, _terms())  # the same terms, written again: unsigned
    db.session.commit()
    assert agreements.agreement_of(assigned).signed is False


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"date": (clock.today() - timedelta(days=1)).isoformat()}, "date"),
        ({"time": "soon"}, "time"),
        ({"venue": "x" * 300}, "venue"),
        ({"evidence": "all"}, "evidence"),
        (
            {"evidence": [{"unit": "PSG.U1", "methods": []}, {"unit": "PSG.U2", "methods": ["written"]}]},
            "evidence[0].methods",
        ),
        ({"evidence": [{"unit": "PSG.U1", "methods": ["written"]}] * 2}, "evidence[1].unit"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(world, db, assigned, over, field):
    with pytest.raises(InvalidInput) as err:
        agreements.write_agreement(assigned, world.lead.user, _terms(**over))
    assert field in err.value.fields
    db.session.rollback()
    assert db.session.scalar(select(Agreement.id)) is None


def test_who_writes_and_signs_and_when(world, db, assigned):
    with pytest.raises(Forbidden):
        agreements.write_agreement(assigned, world.member.user, _terms())
    with pytest.raises(agreements.FormNotReady):
        agreements.sign_agreement(assigned, world.candidate)
    agreements.write_agreement(assigned, world.lead.user, _terms())
    for user in (world.member.user, world.admin_batam, world.certifier, world.other_candidate):
        with pytest.raises(Forbidden):
            agreements.sign_agreement(assigned, user)
    db.session.commit()
    started = world.advance(world.new_application(), "in_assessment")
    with pytest.raises(NotEditable):
        agreements.write_agreement(started, world.lead.user, _terms())
    with pytest.raises(NotEditable):
        agreements.sign_agreement(started, world.candidate)


def test_the_agreement_fact_in_a_batch_equals_each_alone(world, db):
    apps = [world.advance(world.new_application(), "team_assigned") for _ in range(3)]
    world.agree(apps[0])
    world.agree(apps[1], sign=False)
    agreements.sign_agreement(apps[1], world.candidate)
    db.session.commit()
    many = ApplicationFacts.many(apps, world.lead.user, ("agreement_unsigned",))
    alone = [ApplicationFacts(a, {}, world.lead.user).agreement_unsigned for a in apps]
    assert [many[a.id].agreement_unsigned for a in apps] == alone == [(), ("lead",), None]


# -- FR.AK.02 -------------------------------------------------------------------------------------


def test_unit_records_follow_the_scores_and_keep_the_leads_words(world, db):
    app = world.advance(world.new_application(), "in_assessment")
    world.score_all(app, world.lead, bk_units=("PSG.U1",))
    rows = recs.save_unit_records(
        app, world.lead.user, [{"unit": "PSG.U1", "methods": ["interview"], "feedback": "Perlu bukti tambahan"}]
    )
    db.session.commit()
    assert [(r["unit"], r["result"], r["recorded"]) for r in rows] == [("PSG.U1", "BK", True), ("PSG.U2", "K", False)]
    row = db.session.scalar(select(UnitRecord))
    assert (row.result, row.methods, row.feedback, row.recorded_by_id) == (
        "BK",
        ["interview"],
        "Perlu bukti tambahan",
        world.lead.id,
    )
    with pytest.raises(Forbidden):
        recs.save_unit_records(app, world.member.user, [{"unit": "PSG.U1", "methods": ["written"]}])
    with pytest.raises(InvalidInput):
        recs.save_unit_records(app, world.lead.user, [{"unit": "PSG.U9", "methods": ["written"]}])
    db.session.rollback()
    world.fire(app, "recommend", world.lead.user, data={"recommendation": "BK"})
    with pytest.raises(NotEditable):
        recs.save_unit_records(app, world.lead.user, [{"unit": "PSG.U1", "methods": ["written"]}])


# -- FR.AK.03 -------------------------------------------------------------------------------------


def _answers(n=10):
    return [{"item": i, "answer": i % 2 == 0, "comment": ""} for i in range(1, n + 1)]


def test_feedback_once_assessed_by_the_candidate_only(world, db):
    app = world.advance(world.new_application(), "in_assessment")
    with pytest.raises(NotEditable):
        recs.save_feedback(app, world.candidate, {"answers": _answers()})
    world.score_all(app, world.lead)
    world.fire(app, "recommend", world.lead.user, data={"recommendation": "K"})
    with pytest.raises(Forbidden):
        recs.save_feedback(app, world.lead.user, {"answers": _answers()})
    with pytest.raises(InvalidInput) as err:
        recs.save_feedback(app, world.candidate, {"answers": _answers(9)})
    assert "answers" in err.value.fields
    with pytest.raises(InvalidInput) as err:
        recs.save_feedback(app, world.candidate, {"answers": [*_answers(9), {"item": 11, "answer": True}]})
    assert "answers[9].item" in err.value.fields
    row = recs.save_feedback(app, world.candidate, {"answers": list(reversed(_answers())), "comments": "Baik"})
    db.session.commit()
    assert [a["item"] for a in row.answers] == list(range(1, 11)) and row.comments == "Baik"
    again = recs.save_feedback(app, world.candidate, {"answers": _answers(), "comments": ""})
    db.session.commit()
    assert again.id == row.id and again.comments == ""
