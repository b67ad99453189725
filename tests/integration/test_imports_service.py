"""The import services on a real database: line numbers, all-or-nothing, flush without commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from certflow.core.errors import AppError
from certflow.models import OutboxMessage, User
from certflow.people.imports import (
    CANDIDATE_COLUMNS,
    MAX_ROWS,
    ImportRejected,
    import_candidates,
    read_rows,
)

HEADER = ",".join(CANDIDATE_COLUMNS)


def test_line_numbers_follow_the_file_even_with_quoted_newlines_and_blank_lines():
    data = (
        f'{HEADER}\r\na@x.id,"Ani\nSutrisno",D,peksos,S1,1\r\n\r\nb@x.id,Budi,D,kesos,S1,2\r\n"c@x.id",C,D,other,S1,3'
    ).encode()
    rows = read_rows(data, CANDIDATE_COLUMNS)
    assert [r.line for r in rows] == [2, 5, 6]
    assert rows[0].cells["name"] == "Ani\nSutrisno" and rows[2].cells["email"] == "c@x.id"


def test_a_header_with_stray_spaces_or_capitals_is_accepted_but_not_other_columns():
    data = b" Email , NAME,dinas,education_field,education_level,practice_hours\n"
    assert read_rows(data, CANDIDATE_COLUMNS) == []
    with pytest.raises(AppError):
        read_rows(b"email,name,dinas\n", CANDIDATE_COLUMNS)


def test_the_row_cap_is_exact():
    body = "".join(f"u{i}@x.id,U,D,peksos,S1,1\n" for i in range(MAX_ROWS))
    assert len(read_rows(f"{HEADER}\n{body}".encode(), CANDIDATE_COLUMNS)) == MAX_ROWS
    with pytest.raises(AppError):
        read_rows(f"{HEADER}\n{body}last@x.id,U,D,peksos,S1,1\n".encode(), CANDIDATE_COLUMNS)


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_rejected_import_lists_message_ids_and_writes_nothing(world, db):
    data = f"{HEADER}\nok@x.id,Ok,Dinas Sosial Kota Batam,peksos,S1,10\nbad@x.id,Bad,Nowhere,peksos,S1,10\n".encode()
    before = _count(db, User)
    with pytest.raises(ImportRejected) as rejected:
        import_candidates(world.admin_batam, data)
    [(line, reasons)] = rejected.value.rows
    assert line == 3 and reasons == [
        ("dinas", "no dinas is called %(dinas)s (write its full name)", {"dinas": "Nowhere"})
    ]
    assert _count(db, User) == before


def test_an_import_flushes_and_leaves_the_commit_to_the_caller(world, db):
    data = f"{HEADER}\nnew@x.id,New Person,Dinas Sosial Kota Batam,other,SMA,0\n".encode()
    assert import_candidates(world.admin_batam, data) == (1, 0)
    user = db.session.scalar(select(User).where(User.email == "new@x.id"))
    assert user.roles == {"candidate"} and user.dinas_id == world.batam.id
    assert db.session.scalar(select(OutboxMessage.key)) == f"invite:{user.id}"
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "new@x.id")) is None


def test_an_existing_user_gains_missing_profile_fields_without_an_invite(world, db):
    person = world.admin_batam  # a dinas admin with no education on record
    data = f"{HEADER}\n{person.email},{person.name},Dinas Sosial Kota Batam,kesos,S2,500\n".encode()
    assert import_candidates(world.admin_batam, data) == (1, 0)
    assert person.roles == {"dinas_admin", "candidate"} and person.education_field == "kesos"
    assert _count(db, OutboxMessage) == 0
    assert import_candidates(world.admin_batam, data) == (0, 1)
    conflicting = f"{HEADER}\n{person.email},{person.name},Dinas Sosial Kota Batam,kesos,S2,600\n".encode()
    with pytest.raises(ImportRejected) as rejected:
        import_candidates(world.admin_batam, conflicting)
    assert [column for column, _, _ in rejected.value.rows[0][1]] == ["practice_hours"]
