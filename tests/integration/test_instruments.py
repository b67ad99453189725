"""The instruments of a scheme: plans, question banks, the in-use freeze, new versions, the import."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from certflow.assessment import instruments, question_import
from certflow.models import Question, UnitPlan
from certflow.schemes import operations as schemes
from certflow.schemes.operations import SchemeError


def _mc(text="Q?", key="B"):
    return {"kind": "multiple_choice", "text": text, "choices": "one\ntwo\nthree", "key": key}


def test_plan_and_questions_are_saved_and_checked(db, world):
    unit = world.other_scheme.units[0]
    plan = instruments.save_plan(world.other_scheme, unit, " Observed practice ", ["written", "observation"])
    assert plan.methods == ["observation", "written"] and plan.evidence == "Observed practice"
    q = instruments.add_question(world.other_scheme, unit, _mc())
    assert q.answer_key == 1 and q.choices == ["one", "two", "three"]
    essay = instruments.add_question(world.other_scheme, unit, {"kind": "essay", "text": "Explain.", "choices": "x"})
    assert essay.answer_key is None and essay.choices == []
    with pytest.raises(SchemeError) as exc:
        instruments.add_question(world.other_scheme, unit, {"kind": "multiple_choice", "text": "", "choices": "a"})
    assert set(exc.value.errors) == {"text", "choices"}
    with pytest.raises(SchemeError) as exc:
        instruments.add_question(world.other_scheme, unit, _mc(key="D"))
    assert set(exc.value.errors) == {"key"}
    with pytest.raises(SchemeError):
        instruments.save_plan(world.other_scheme, unit, "", ["bogus"])
    assert [x.id for x in instruments.questions_by_unit(world.other_scheme)[unit.id]] == [q.id, essay.id]


def test_instruments_of_a_scheme_in_use_are_frozen_and_a_new_version_copies_them(db, world):
    unit = world.scheme.units[0]
    instruments.save_plan(world.scheme, unit, "Evidence", ["portfolio"])
    instruments.add_question(world.scheme, unit, _mc())
    db.session.commit()
    app = world.new_application()
    world.fire(app, "submit", world.candidate)
    with pytest.raises(SchemeError) as exc:
        instruments.add_question(world.scheme, unit, _mc())
    assert "instruments" in exc.value.errors
    db.session.rollback()
    copy = schemes.new_version(world.scheme, {"code": "PSG-V2"})
    instruments.copy_instruments(world.scheme, copy)
    db.session.commit()
    new_unit = next(u for u in copy.units if u.code == unit.code)
    assert db.session.scalar(select(UnitPlan.evidence).where(UnitPlan.unit_id == new_unit.id)) == "Evidence"
    copied = db.session.scalars(select(Question).where(Question.scheme_id == copy.id)).all()
    assert [(q.unit_id, q.answer_key) for q in copied] == [(new_unit.id, 1)]


# -- the import --------------------------------------------------------------------------------


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER_ID = ["Kode Unit", "Jenis", "Pertanyaan", "Pilihan A", "Pilihan B", "Pilihan C", "Kunci"]


def test_read_rows_reads_xlsx_and_both_csv_separators_with_or_without_bom():
    xlsx = question_import.read_rows("bank.xlsx", _xlsx([["A", "B"], [1, "x"], [None, None], ["2", "y"]]))
    assert xlsx.header == ["a", "b"] and xlsx.rows == [(2, ["1", "x"]), (4, ["2", "y"])]
    semi = question_import.read_rows("b.csv", "\ufeffa;b\n1;x, y\n".encode())
    assert semi.header == ["a", "b"] and semi.rows == [(2, ["1", "x, y"])]
    comma = question_import.read_rows("b.csv", b'a,b\n1,"x; y"\n')
    assert comma.rows == [(2, ["1", "x; y"])]
    cp1252 = question_import.read_rows("b.csv", "a;b\n1;caf\xe9\n".encode("cp1252"))
    assert cp1252.rows == [(2, ["1", "café"])]


def test_import_xlsx_with_indonesian_headers(db, world):
    code = world.other_scheme.units[0].code
    data = _xlsx(
        [
            HEADER_ID,
            [code, "pilihan ganda", "Apa?", "satu", "dua", "tiga", "C"],
            [code, "esai", "Jelaskan.", None, None, None, None],
            [code, "portofolio", "Laporan kasus", None, None, None, None],
        ]
    )
    assert question_import.import_questions(world.other_scheme, "bank.xlsx", data) == 3
    kinds = [q.kind for q in db.session.scalars(select(Question).order_by(Question.position))]
    assert kinds == ["multiple_choice", "essay", "portfolio"]


def test_import_semicolon_csv_with_bom_and_english_headers(db, world):
    code = world.other_scheme.units[0].code
    text = f"\ufeffunit;kind;question;a;b;key\n{code};multiple choice;Which?;x;y;2\n{code};oral;Tell us.;;;\n"
    assert question_import.import_questions(world.other_scheme, "bank.csv", text.encode()) == 2
    assert db.session.scalar(select(Question.answer_key).where(Question.kind == "multiple_choice")) == 1


def test_import_names_every_bad_row_and_imports_nothing(db, world, app):
    code = world.other_scheme.units[0].code
    text = (
        "kode unit;jenis;pertanyaan;pilihan a;pilihan b;kunci\n"
        f"{code};esai;Baik.;;;\n"
        f"NOPE;esai;Unit salah;;;\n"
        f"{code};pilihan ganda;Tanpa kunci;x;y;\n"
        f"{code};puisi;;;;\n"
    )
    with app.test_request_context(headers={"Accept-Language": "id"}):
        with pytest.raises(question_import.ImportRejected) as exc:
            question_import.import_questions(world.other_scheme, "bank.csv", text.encode())
    rows = exc.value.rows
    assert [r["line"] for r in rows] == [3, 4, 5]
    assert "Baris 3" in rows[0]["reason"] and "kode unit" in rows[0]["reason"] and "NOPE" in rows[0]["reason"]
    assert "kolom kunci" in rows[1]["reason"]
    assert "puisi" in rows[2]["reason"] and "pertanyaan" in rows[2]["reason"]
    db.session.rollback()
    assert db.session.scalar(select(Question.id)) is None


def test_import_refuses_a_file_without_the_columns_and_a_broken_workbook(db, world):
    from certflow.core.errors import AppError

    with pytest.raises(AppError):
        question_import.import_questions(world.other_scheme, "bank.csv", b"foo;bar\n1;2\n")
    with pytest.raises(AppError):
        question_import.import_questions(world.other_scheme, "bank.xlsx", b"PK\x03\x04garbage")
    assert question_import.template_csv().startswith("\ufeffkode unit;jenis;pertanyaan")


# -- the demo ----------------------------------------------------------------------------------


def test_the_demo_has_a_bank_per_scheme_and_a_written_test_in_progress(db):
    from certflow.models import Application, Scheme, WrittenTest
    from certflow.seed import seed_demo

    seed_demo()
    db.session.commit()
    for scheme in db.session.scalars(select(Scheme)):
        banks = instruments.questions_by_unit(scheme)
        assert set(banks) == {u.id for u in scheme.units}
        keys = {q.answer_key for bank in banks.values() for q in bank if q.kind == "multiple_choice"}
        assert keys == {0, 1, 2, 3}
        assert len(instruments.plans_by_unit(scheme)) == len(scheme.units)
    test = db.session.scalar(select(WrittenTest))
    assert db.session.get(Application, test.application_id).state == "in_assessment"
    assert test.submitted_at is None and len(test.answers) == 4 * 4  # PS-GEN: 4 units × (3 + 1)


# -- written tests: the service ------------------------------------------------------------------


def test_a_save_racing_the_submit_is_a_stale_version(db, world):
    import sqlalchemy as sa

    from certflow.assessment import written_tests
    from certflow.core.errors import StaleVersion
    from certflow.core.transaction import unit_of_work
    from certflow.models import WrittenTest
    from tests.instruments_support import make_bank

    make_bank(world.scheme)
    app = world.advance(world.new_application(), "in_assessment")
    written_tests.draw_test(app, world.lead.user)
    db.session.commit()
    test = written_tests.load_test(db.session.scalar(select(WrittenTest.id)))
    first = next(a for a in test.answers if a.question.kind == "multiple_choice")
    with db.engine.begin() as conn:  # the submit, by another request, meanwhile
        conn.execute(sa.update(WrittenTest).values(version=WrittenTest.version + 1, submitted_at=sa.func.now()))
    with pytest.raises(StaleVersion):
        with unit_of_work():
            written_tests.save_answers(test, app, world.candidate, [{"question": first.question_id, "choice": 1}])


def test_the_draw_takes_at_most_the_configured_number_per_unit(db, world, app):
    import random

    from certflow.assessment import written_tests
    from tests.instruments_support import make_bank

    make_bank(world.scheme, choices=8, essays=3)
    application = world.advance(world.new_application(), "in_assessment")
    app.config["WRITTEN_TEST_CHOICES_PER_UNIT"] = 3
    try:
        test = written_tests.draw_test(application, world.lead.user, rng=random.Random(1))
    finally:
        del app.config["WRITTEN_TEST_CHOICES_PER_UNIT"]
    kinds = [a.question.kind for a in test.answers]
    assert kinds.count("multiple_choice") == 3 * 2 and kinds.count("essay") == 1 * 2
    assert test.mc_total == 6
    assert (test.deadline - test.drawn_at).total_seconds() == pytest.approx(90 * 60, abs=5)
