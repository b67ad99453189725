"""Test data for the instruments and written tests: a question bank per unit of a scheme."""

from __future__ import annotations

from certflow.extensions import db
from certflow.models import Question, Scheme

MC_KEY = 2  # the index of the key of every multiple-choice question made here


def make_bank(scheme: Scheme, choices: int = 2, essays: int = 1, oral: int = 1) -> list[Question]:
    """``choices`` multiple-choice questions (key: index 2), ``essays`` essays and ``oral`` oral ones per unit."""
    out = []
    for unit in scheme.units:
        n = 0
        for i in range(choices):
            n += 1
            out.append(
                Question(
                    scheme_id=scheme.id,
                    unit_id=unit.id,
                    kind="multiple_choice",
                    text=f"{unit.code} MC {i + 1}?",
                    choices=["alpha", "beta", f"gamma {unit.code} {i}", "delta"],
                    answer_key=MC_KEY,
                    position=n,
                )
            )
        for i in range(essays):
            n += 1
            out.append(
                Question(
                    scheme_id=scheme.id, unit_id=unit.id, kind="essay", text=f"{unit.code} essay {i + 1}", position=n
                )
            )
        for i in range(oral):
            n += 1
            out.append(
                Question(
                    scheme_id=scheme.id, unit_id=unit.id, kind="oral", text=f"{unit.code} oral {i + 1}", position=n
                )
            )
    db.session.add_all(out)
    db.session.commit()
    return out
