"""The instruments of a scheme (MUK): the assessment plan per unit and the question banks.

Versioned with the scheme like its standard (``certflow.schemes.operations``): while the scheme
is in use, what its candidates are assessed with is frozen — no plan, no question changes; a new
version of the scheme copies its instruments (``copy_instruments``) and is editable until used.
The observation checklist (FR.IA.01) is the scheme's criteria, one line each: never stored twice.

Functions check their input, raise ``SchemeError`` (a message per field) and flush, never commit.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from certflow.extensions import db
from certflow.models import Question, Scheme, Unit, UnitPlan
from certflow.models.instruments import PLAN_METHODS, QUESTION_KINDS
from certflow.schemes.operations import SchemeError, frozen_error, in_use, lock

MAX_TEXT = 4000
MAX_CHOICE = 500
MAX_CHOICES = 6
LETTERS = "ABCDEF"


def refuse_if_in_use(scheme: Scheme) -> None:
    """Instruments of a scheme in use are frozen, like its standard."""
    lock(scheme)
    if in_use(scheme):
        raise SchemeError({"instruments": frozen_error()})


def plans_by_unit(scheme: Scheme) -> dict[int, UnitPlan]:
    """The assessment plan of each unit of the scheme, by unit id (one query)."""
    rows = db.session.scalars(
        select(UnitPlan).join(Unit, Unit.id == UnitPlan.unit_id).where(Unit.scheme_id == scheme.id)
    )
    return {p.unit_id: p for p in rows}


def questions_by_unit(scheme: Scheme) -> dict[int, list[Question]]:
    """The bank of each unit of the scheme, by unit id, in order (one query)."""
    banks: dict[int, list[Question]] = {}
    rows = db.session.scalars(
        select(Question)
        .where(Question.scheme_id == scheme.id)
        .order_by(Question.unit_id, Question.position, Question.id)
    )
    for q in rows:
        banks.setdefault(q.unit_id, []).append(q)
    return banks


# -- the assessment plan -----------------------------------------------------------------------


def save_plan(scheme: Scheme, unit: Unit, evidence: Any, methods: Any) -> UnitPlan:
    """Set the evidence and methods of a unit's plan (FR.MAPA.01)."""
    refuse_if_in_use(scheme)
    errors = {}
    text = evidence.strip() if isinstance(evidence, str) else ""
    if len(text) > MAX_TEXT:
        errors["evidence"] = _("Use at most %(max)d characters.", max=MAX_TEXT)
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, list | tuple) or any(m not in PLAN_METHODS for m in methods):
        errors["methods"] = _("Choose from the list.")
    elif not methods:
        errors["methods"] = _("Choose at least one.")
    if errors:
        raise SchemeError(errors)
    plan = db.session.scalar(select(UnitPlan).where(UnitPlan.unit_id == unit.id))
    if plan is None:
        plan = UnitPlan(unit_id=unit.id)
        db.session.add(plan)
    plan.evidence = text
    plan.methods = [m for m in PLAN_METHODS if m in methods]
    db.session.flush()
    return plan


# -- questions ---------------------------------------------------------------------------------


def parse_key(value: Any, n_choices: int) -> int | None:
    """A key given as a letter (``B``) or a number from 1 (``2``): the index of the right choice, or None."""
    text = str(value).strip().upper() if value is not None else ""
    if len(text) == 1 and text in LETTERS:
        index = LETTERS.index(text)
    elif text.isascii() and text.isdigit() and len(text) < 3:
        index = int(text) - 1
    else:
        return None
    return index if 0 <= index < n_choices else None


def question_values(kind: Any, text: Any, choices: Any, key: Any) -> tuple[dict, dict[str, str]]:
    """A question's values from what was typed, and a message per field at fault (shared with the import)."""
    errors: dict[str, str] = {}
    kind = kind.strip() if isinstance(kind, str) else ""
    text = text.strip() if isinstance(text, str) else ""
    if isinstance(choices, str):
        choices = choices.splitlines()
    choices = [c.strip() for c in (choices or []) if isinstance(c, str) and c.strip()]
    if kind not in QUESTION_KINDS:
        errors["kind"] = _("Choose the kind of question.")
    if not text:
        errors["text"] = _("Enter the question.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Use at most %(max)d characters.", max=MAX_TEXT)
    answer_key = None
    if kind == "multiple_choice":
        if not 2 <= len(choices) <= MAX_CHOICES:
            errors["choices"] = _("Give from 2 to %(max)d choices.", max=MAX_CHOICES)
        elif any(len(c) > MAX_CHOICE for c in choices):
            errors["choices"] = _("Use at most %(max)d characters for a choice.", max=MAX_CHOICE)
        else:
            answer_key = parse_key(key, len(choices))
            if answer_key is None:
                errors["key"] = _(
                    "Give the letter of the right choice (A to %(last)s).", last=LETTERS[len(choices) - 1]
                )
    else:
        choices = []
    return {"kind": kind, "text": text, "choices": choices, "answer_key": answer_key}, errors


def get_question(scheme: Scheme, question_id: int) -> Question | None:
    """A question of the scheme's bank by id, or None."""
    return db.session.scalar(select(Question).where(Question.id == question_id, Question.scheme_id == scheme.id))


def add_question(scheme: Scheme, unit: Unit, data: dict) -> Question:
    """Add a question to a unit's bank, last."""
    refuse_if_in_use(scheme)
    values, errors = question_values(data.get("kind"), data.get("text"), data.get("choices"), data.get("key"))
    if errors:
        raise SchemeError(errors)
    last = db.session.scalar(select(func.max(Question.position)).where(Question.unit_id == unit.id)) or 0
    question = Question(scheme_id=scheme.id, unit_id=unit.id, position=last + 1, **values)
    db.session.add(question)
    db.session.flush()
    return question


def edit_question(scheme: Scheme, question: Question, data: dict) -> Question:
    """Change a question (its kind, text, choices and key)."""
    refuse_if_in_use(scheme)
    values, errors = question_values(data.get("kind"), data.get("text"), data.get("choices"), data.get("key"))
    if errors:
        raise SchemeError(errors)
    for name, value in values.items():
        setattr(question, name, value)
    db.session.flush()
    return question


def remove_question(scheme: Scheme, question: Question) -> None:
    """Remove a question from its bank."""
    refuse_if_in_use(scheme)
    db.session.delete(question)
    db.session.flush()


def add_questions(scheme: Scheme, rows: list[dict]) -> int:
    """Add checked rows (``unit_id`` and a question's values each) to the banks, in order; how many."""
    refuse_if_in_use(scheme)
    last = dict(
        db.session.execute(
            select(Question.unit_id, func.max(Question.position))
            .where(Question.scheme_id == scheme.id)
            .group_by(Question.unit_id)
        ).all()
    )
    for row in rows:
        last[row["unit_id"]] = last.get(row["unit_id"], 0) + 1
        db.session.add(Question(scheme_id=scheme.id, position=last[row["unit_id"]], **row))
    db.session.flush()
    return len(rows)


# -- versions ----------------------------------------------------------------------------------


def copy_instruments(old: Scheme, new: Scheme) -> None:
    """Copy the plans and question banks of ``old`` onto the units of ``new`` (matched by unit code)."""
    units = dict(db.session.execute(select(Unit.code, Unit.id).where(Unit.scheme_id == new.id)).all())
    old_units = dict(db.session.execute(select(Unit.id, Unit.code).where(Unit.scheme_id == old.id)).all())
    for plan in plans_by_unit(old).values():
        target = units.get(old_units.get(plan.unit_id))
        if target is not None:
            db.session.add(UnitPlan(unit_id=target, evidence=plan.evidence, methods=list(plan.methods)))
    for bank in questions_by_unit(old).values():
        for q in bank:
            target = units.get(old_units.get(q.unit_id))
            if target is not None:
                db.session.add(
                    Question(
                        scheme_id=new.id,
                        unit_id=target,
                        kind=q.kind,
                        text=q.text,
                        choices=list(q.choices),
                        answer_key=q.answer_key,
                        position=q.position,
                    )
                )
    db.session.flush()
