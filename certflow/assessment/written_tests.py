"""The written test taken in the browser (FR.IA.05 multiple choice, FR.IA.06 essays).

- The lead of the team, while the application is ``in_assessment``, draws a test from the
  scheme's bank (``draw_test``): for each unit, up to ``WRITTEN_TEST_CHOICES_PER_UNIT`` multiple-
  choice questions and ``WRITTEN_TEST_ESSAYS_PER_UNIT`` essays, at random; the candidate has
  ``WRITTEN_TEST_MINUTES`` to answer. One open test per application at a time.
- The candidate saves answers as often as they like (``save_answers``, the autosave) until the
  deadline; ``submit`` freezes them and scores multiple choice by the key. A test not submitted
  by its deadline is submitted by the scheduled job ``submit_expired_written_tests``.
- An assessor of the team scores each essay K or BK (``score_essays``) once submitted.
- ``view(test, role)`` is what anybody is shown (the role: ``policy.written_test_role``):
  never a key; whether each answer was right and
  the essays' results only to the team (the candidate sees scores of no kind, rule 6).

Functions raise ``AppError`` and flush, never commit.
"""

from __future__ import annotations

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from certflow import clock
from certflow.core.errors import AppError
from certflow.core.transaction import lock_row
from certflow.extensions import db
from certflow.models import Application, Question, Unit, User, WrittenAnswer, WrittenTest
from certflow.people.policy import application_actor, team_assessor
from workflows.guards import N_

DEFAULTS = {"WRITTEN_TEST_MINUTES": 90, "WRITTEN_TEST_CHOICES_PER_UNIT": 5, "WRITTEN_TEST_ESSAYS_PER_UNIT": 1}
MAX_ESSAY = 20000
EXPIRED_BATCH = 500


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _forbidden(message: str) -> AppError:
    return AppError(message, code="forbidden")


def load_test(test_id: int) -> WrittenTest | None:
    """A test with its answers and their questions (two queries)."""
    return db.session.scalar(
        select(WrittenTest)
        .where(WrittenTest.id == test_id)
        .options(selectinload(WrittenTest.answers).joinedload(WrittenAnswer.question))
    )


def tests_of(application_ids: list[int]) -> dict[int, WrittenTest]:
    """The latest test of each application, with its answers (two queries)."""
    if not application_ids:
        return {}
    rows = db.session.scalars(
        select(WrittenTest)
        .where(WrittenTest.application_id.in_(application_ids))
        .order_by(WrittenTest.id)
        .options(selectinload(WrittenTest.answers).joinedload(WrittenAnswer.question))
    )
    return {t.application_id: t for t in rows}


def latest_test(application_id: int) -> WrittenTest | None:
    """The latest test of an application, without its answers (one query)."""
    return db.session.scalar(
        select(WrittenTest).where(WrittenTest.application_id == application_id).order_by(WrittenTest.id.desc()).limit(1)
    )


def is_open(test: WrittenTest) -> bool:
    """Whether the candidate may still change the answers."""
    return test.submitted_at is None and clock.now() < test.deadline


# -- drawing ------------------------------------------------------------------------------------


def draw_test(app: Application, user: User, rng: random.Random | None = None) -> WrittenTest:
    """The lead draws a test for ``app`` from its scheme's bank."""
    actor = application_actor(user, app)
    if "team_lead" not in actor.relations:
        raise _forbidden(N_("Only the lead assessor of the team draws a written test."))
    if app.state != "in_assessment":
        raise AppError(N_("A written test is drawn while the assessment is in progress."), code="conflict")
    lock_row(Application.id, app.id)  # two draws at once: the second waits, then sees the first's test
    taken = db.session.scalar(
        select(WrittenTest.id).where(WrittenTest.application_id == app.id, WrittenTest.submitted_at.is_(None))
    )
    if taken is not None:
        raise AppError(N_("This candidate already has a written test that is not submitted."), code="conflict")
    bank = db.session.execute(
        select(Question.id, Question.unit_id, Question.kind)
        .join(Unit, Unit.id == Question.unit_id)
        .where(Question.scheme_id == app.scheme_id, Question.kind.in_(("multiple_choice", "essay")))
        .order_by(Unit.position, Unit.id, Question.position, Question.id)
    ).all()
    rng = rng or random.SystemRandom()
    limits = {
        "multiple_choice": _setting("WRITTEN_TEST_CHOICES_PER_UNIT"),
        "essay": _setting("WRITTEN_TEST_ESSAYS_PER_UNIT"),
    }
    groups: dict[tuple[int, str], list[int]] = {}
    for qid, unit_id, kind in bank:
        groups.setdefault((unit_id, kind), []).append(qid)
    drawn: list[int] = []
    for (_unit, kind), ids in groups.items():
        picked = set(rng.sample(ids, min(limits[kind], len(ids))))
        drawn += [q for q in ids if q in picked]
    if not drawn:
        raise AppError(
            N_("The scheme's question bank has no multiple-choice or essay question yet."), code="validation_error"
        )
    lead = team_assessor(user, app)
    choices = sum(1 for qid, _u, kind in bank if qid in set(drawn) and kind == "multiple_choice")
    test = WrittenTest(
        application_id=app.id,
        drawn_by_id=lead.id,
        deadline=clock.now() + timedelta(minutes=_setting("WRITTEN_TEST_MINUTES")),
        mc_total=choices,
    )
    test.answers = [WrittenAnswer(question_id=qid, position=n) for n, qid in enumerate(drawn, start=1)]
    db.session.add(test)
    db.session.flush()
    return test


# -- answering ----------------------------------------------------------------------------------


def _check_editable(test: WrittenTest) -> None:
    if test.submitted_at is not None:
        raise AppError(N_("The test is submitted: its answers can no longer change."), code="not_editable")
    if clock.now() >= test.deadline:
        raise AppError(N_("The time for this test is over: its answers can no longer change."), code="not_editable")


def save_answers(test: WrittenTest, app: Application, user: User, answers: list[dict]) -> WrittenTest:
    """The candidate saves some or all answers: ``[{"question", "choice"?, "text"?}]`` (choices from 0)."""
    if app.candidate_id != user.id:
        raise _forbidden(N_("Only the candidate answers the test."))
    _check_editable(test)
    by_question = {a.question_id: a for a in test.answers}
    fields: dict[str, str] = {}
    changes = []
    for n, item in enumerate(answers):
        row = by_question.get(item.get("question"))
        if row is None:
            fields[f"answers[{n}].question"] = N_("This question is not part of the test.")
            continue
        if row.question.kind == "multiple_choice":
            choice = item.get("choice")
            if choice is not None and not (isinstance(choice, int) and 0 <= choice < len(row.question.choices)):
                fields[f"answers[{n}].choice"] = N_("Choose one of the question's choices.")
                continue
            changes.append((row, "choice", choice))
        else:
            text = item.get("text") or ""
            if not isinstance(text, str) or len(text) > MAX_ESSAY:
                fields[f"answers[{n}].text"] = N_("The answer is too long.")
                continue
            changes.append((row, "text", text))
    if fields:
        raise AppError(N_("Please correct the answers marked."), fields=fields)
    for row, name, value in changes:
        setattr(row, name, value)
    flag_modified(test, "mc_total")  # the test row is written too: a save racing the submit is a stale version
    db.session.flush()
    return test


def _score(test: WrittenTest) -> None:
    correct = 0
    for row in test.answers:
        if row.question.kind == "multiple_choice":
            row.correct = row.choice is not None and row.choice == row.question.answer_key
            correct += bool(row.correct)
    test.mc_correct = correct


def submit(test: WrittenTest, app: Application, user: User) -> WrittenTest:
    """The candidate submits: the answers are frozen and multiple choice is scored by the key."""
    if app.candidate_id != user.id:
        raise _forbidden(N_("Only the candidate submits the test."))
    if test.submitted_at is not None:
        raise AppError(N_("The test is submitted: its answers can no longer change."), code="not_editable")
    _score(test)
    test.submitted_at = clock.now()
    db.session.flush()
    return test


def submit_expired(now=None) -> int:
    """Submit every test whose deadline has passed (the scheduled job); how many."""
    now = now or clock.now()
    tests = db.session.scalars(
        select(WrittenTest)
        .where(WrittenTest.submitted_at.is_(None), WrittenTest.deadline <= now)
        .order_by(WrittenTest.id)
        .limit(EXPIRED_BATCH)
        .options(selectinload(WrittenTest.answers).joinedload(WrittenAnswer.question))
    ).all()
    for test in tests:
        _score(test)
        test.submitted_at = test.deadline
    db.session.flush()
    return len(tests)


# -- essays -------------------------------------------------------------------------------------


def score_essays(test: WrittenTest, app: Application, user: User, scores: list[dict]) -> WrittenTest:
    """An assessor of the team scores essays K or BK: ``[{"question", "result"}]``."""
    assessor = team_assessor(user, app)
    if assessor is None:
        raise _forbidden(N_("Only an assessor of the team scores the essays."))
    if test.submitted_at is None:
        raise AppError(N_("Essays are scored once the test is submitted."), code="conflict")
    by_question = {a.question_id: a for a in test.answers if a.question.kind == "essay"}
    fields = {}
    for n, item in enumerate(scores):
        if item.get("question") not in by_question:
            fields[f"scores[{n}].question"] = N_("This is not an essay of the test.")
        elif item.get("result") not in ("K", "BK"):
            fields[f"scores[{n}].result"] = N_("Choose K or BK.")
    if fields:
        raise AppError(N_("Please correct the scores marked."), fields=fields)
    for item in scores:
        row = by_question[item["question"]]
        row.essay_result, row.scored_by_id = item["result"], assessor.id
    db.session.flush()
    return test


# -- what is shown ------------------------------------------------------------------------------


def view(test: WrittenTest, role: str) -> dict:
    """The test as ``role`` (``candidate`` or ``team``) sees it: never a key."""
    team = role == "team"
    submitted = test.submitted_at is not None
    questions, answers = [], []
    for row in test.answers:
        q = row.question
        questions.append(
            {"id": q.id, "kind": q.kind, "text": q.text, **({"choices": list(q.choices)} if q.choices else {})}
        )
        answer = {"question": q.id, "choice": row.choice, "text": row.text if q.kind == "essay" else None}
        if team and submitted:
            answer["correct"] = row.correct
            answer["result"] = row.essay_result
        answers.append(answer)
    out = {
        "id": test.id,
        "application": test.application_id,
        "deadline": test.deadline,
        "submitted_at": test.submitted_at,
        "open": is_open(test),
        "questions": questions,
        "answers": answers,
    }
    if team and submitted:
        essays = [r for r in test.answers if r.question.kind == "essay"]
        out["result"] = {
            "correct": test.mc_correct or 0,
            "total": test.mc_total,
            "essays": len(essays),
            "essays_k": sum(1 for r in essays if r.essay_result == "K"),
            "essays_scored": sum(1 for r in essays if r.essay_result is not None),
        }
    return out
