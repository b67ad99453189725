"""The guard facts of many applications at once are the facts of each one alone.

``ApplicationFacts.many`` (the pages' batched read) and ``ApplicationFacts`` (what the guards read,
one application at a time) share one implementation per fact; these cases check that, for every
fact, over applications in many states, built at random from a few seeds.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, select

from certflow.applications.facts import (
    BATCHED,
    ApplicationFacts,
    member_conflicts,
    member_conflicts_by_app,
)
from certflow.models import (
    Application,
    AssessorRelation,
    Criterion,
    Document,
    Score,
    SelfAssessmentAnswer,
    Unit,
)
from certflow.people.policy import took_part
from tests.web.test_pages_support import count_queries

FACTS = (
    "apl01_missing",
    "missing_documents",
    "documents_not_valid",
    "unanswered_criteria",
    "scored_since_assignment",
    "unscored_criteria",
    "unit_results",
    "bk_units",
    "decision_appealed",
)
TEAM_FACTS = ("conflicted_members", "undeclared_members")
STATES = ("draft", "submitted", "eligible", "team_assigned", "in_assessment", "assessed", "certified")


def _criteria(db, app, unit: str | None = None) -> list[int]:
    stmt = select(Criterion.id).join(Unit, Unit.id == Criterion.unit_id).where(Criterion.scheme_id == app.scheme_id)
    if unit is not None:
        stmt = stmt.where(Unit.code == unit)
    return list(db.session.scalars(stmt.order_by(Criterion.id)))


def _lead_scores(db, w, app, rng: random.Random, unit: str | None = None) -> None:
    """Some of the lead's results (K or BK), on some criteria (of ``unit``)."""
    for crit in _criteria(db, app, unit):
        if rng.random() < 0.7:
            result = rng.choice(("K", "K", "BK"))
            db.session.add(
                Score(
                    application_id=app.id, assessor_id=w.lead.id, criterion_id=crit, result=result, method="observation"
                )
            )
    db.session.commit()


def _draft(db, w, rng: random.Random) -> Application:
    """A draft, its form, self-assessment or documents perhaps incomplete."""
    app = w.new_application(scheme=rng.choice((w.scheme, w.other_scheme)))
    if rng.random() < 0.4:
        app.apl01 = {**app.apl01, rng.choice(("education_field", "practice_hours")): ""}
    if rng.random() < 0.5:
        gone = rng.sample(_criteria(db, app), k=rng.randint(1, 3))
        db.session.execute(
            delete(SelfAssessmentAnswer).where(
                SelfAssessmentAnswer.application_id == app.id, SelfAssessmentAnswer.criterion_id.in_(gone)
            )
        )
    docs = list(app.documents)
    if docs and rng.random() < 0.5:
        db.session.delete(rng.choice(docs))
    db.session.commit()
    return app


def _submitted(db, w, rng: random.Random) -> Application:
    """A submitted application, its documents reviewed in part: valid, invalid, pending, or a second copy."""
    app = w.advance(w.new_application(scheme=rng.choice((w.scheme, w.other_scheme))), "submitted")
    for doc in app.documents:
        doc.status = rng.choice(("valid", "invalid", "pending"))
        if rng.random() < 0.3:
            db.session.add(
                Document(
                    application_id=app.id,
                    kind=doc.kind,
                    filename="again.pdf",
                    stored_name=f"{app.id}-again-{doc.kind}",
                    content_type="application/pdf",
                    size=10,
                    status=rng.choice(("valid", "invalid", "pending")),
                )
            )
    db.session.commit()
    return app


def _assessing(db, w, rng: random.Random) -> Application:
    """Somewhere in the assessment: declarations in part (some a conflict), the lead's scores in part."""
    target = rng.choice(("team_assigned", "in_assessment", "assessed", "certified"))
    if target == "team_assigned":
        app = w.advance(w.new_application(), "team_assigned")
        declaring = rng.sample([w.lead, w.member], k=rng.randint(0, 2))
        if declaring:
            w.declare(app, *declaring, conflict=rng.random() < 0.3)
        return app
    if target == "in_assessment":
        app = w.advance(w.new_application(), "in_assessment")
        _lead_scores(db, w, app, rng)
        return app
    recommendation = "K" if target == "certified" else rng.choice(("K", "BK"))
    return w.advance(w.new_application(), target, recommendation=recommendation)


def _decided(db, w, rng: random.Random) -> Application:
    """Declined, perhaps appealed, perhaps reassessed (the K units carried) and being scored again."""
    app = w.advance(w.new_application(), "assessed", recommendation="BK")
    w.fire(app, "decline", w.certifier, reason="BK")
    choice = rng.choice(("declined", "appealed", "reassessed"))
    if choice == "appealed":
        w.fire(app, "appeal", w.candidate, reason="I disagree")
        w.fire(app, "dismiss_appeal", w.certifier2, reason="No")
    elif choice == "reassessed":
        w.fire(app, "request_reassessment", w.candidate)
        w.fire(app, "assign_team", w.admin_kepri, data={"team": w.team.id})
        w.fire(app, "start_assessment", w.lead.user)
        _lead_scores(db, w, app, rng, unit="PSG.U1")
    return app


BUILDERS = (_draft, _submitted, _assessing, _decided)


def _applications(db, w, seed: int) -> list[Application]:
    rng = random.Random(seed)
    w.lead.max_load = w.member.max_load = w.scheme.max_load = w.other_scheme.max_load = 50
    db.session.commit()
    apps = [builder(db, w, rng) for builder in BUILDERS]
    apps += [rng.choice(BUILDERS)(db, w, rng) for _ in range(4)]
    db.session.expire_all()
    return list(db.session.scalars(select(Application).order_by(Application.id)))


def _facts_of(facts: ApplicationFacts) -> dict:
    values = {name: getattr(facts, name) for name in FACTS}
    if facts.app.team is not None:
        values.update({name: getattr(facts, name) for name in TEAM_FACTS})
    return values


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_batched_facts_equal_the_single_facts(world, db, seed):
    apps = _applications(db, world, seed)
    assert {a.state for a in apps} >= {"draft", "submitted"}
    batched = ApplicationFacts.many(apps, world.admin_kepri)
    for app in apps:
        db.session.expire(app)  # the single facts read the database afresh
        single = ApplicationFacts(db.session.get(Application, app.id), {}, world.admin_kepri)
        assert _facts_of(batched[app.id]) == _facts_of(single), (app.id, app.state)


@pytest.mark.parametrize("seed", [4, 5])
def test_the_batched_conflicts_and_involvement_equal_the_single_ones(world, db, seed):
    apps = _applications(db, world, seed)
    pool = [world.lead, world.member, world.same_dinas_assessor]
    # A relation declared after the assignments (before, it would have refused them).
    db.session.add(AssessorRelation(assessor_id=world.member.id, user_id=world.candidate.id, kind="relative"))
    db.session.commit()
    for override in (None, "agreed by the province"):
        batched = member_conflicts_by_app(apps, pool, override)
        for app in apps:
            assert batched[app.id] == member_conflicts(app, pool, override), app.id
    for assessor in pool:
        many = took_part(assessor.id, [a.id for a in apps])
        assert many == {a.id for a in apps if took_part(assessor.id, [a.id])}


def test_each_batched_fact_costs_one_query_whatever_the_number(world, db):
    apps = _applications(db, world, 6)
    for name, batch in BATCHED.items():
        with count_queries() as one:
            batch(apps[:1])
        with count_queries() as all_of_them:
            batch(apps)
        assert all_of_them[0] <= 1 and (all_of_them[0] == one[0] or name == "decision_appealed"), name
