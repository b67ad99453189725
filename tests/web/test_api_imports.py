"""POST /api/v1/imports/assessors|candidates and their templates: every row checked, all or nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certflow import clock
from certflow.extensions import db as _db
from certflow.models import Assessor, OutboxMessage, User
from certflow.people.imports import ASSESSOR_COLUMNS, CANDIDATE_COLUMNS, FORMATS, header_names
from tests.web.test_api_reference import auth, count_queries

BATAM = "Dinas Sosial Kota Batam"
BINTAN = "Dinas Sosial Kabupaten Bintan"
PEKANBARU = "Dinas Sosial Kota Pekanbaru"


def _future(days=365):
    return (clock.today() + timedelta(days=days)).isoformat()


def assessor_csv(rows, header=ASSESSOR_COLUMNS) -> bytes:
    return ("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n").encode()


def assessor_rows(n, dinas=BATAM, start=0):
    return [
        [f"asesor{i}@example.id", f"Asesor {i}", dinas, f"MET-{i:04d}", _future(400 + i), "PSG;PNY", str(1 + i % 5)]
        for i in range(start, start + n)
    ]


def upload(client, admin, data: bytes, kind="assessors"):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), f"{kind}.csv")},
        content_type="multipart/form-data",
        headers=auth(admin),
    )


def _count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


def _rejected(resp):
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert body["error"]["code"] == "validation_error"
    return {r["line"]: r["reason"] for r in body.get("rows", [])}, body


# -- roles ------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["candidate", "assessor", "certifier"])
def test_other_roles_may_not_import(client, world, who):
    user = world.lead.user if who == "assessor" else getattr(world, who)
    for kind in ("assessors", "candidates"):
        assert upload(client, user, assessor_csv(assessor_rows(1)), kind).status_code == 403
        assert client.get(f"/api/v1/imports/{kind}/template", headers=auth(user)).status_code == 403
    assert _count(Assessor) == 3


# -- a good file, twice -----------------------------------------------------------------------
def test_a_good_file_of_50_assessors_imports_all_and_again_nothing_new(client, world):
    users_before = _count(User)
    resp = upload(client, world.admin_batam, assessor_csv(assessor_rows(50)))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"imported": 50, "unchanged": 0}
    assert _count(User) == users_before + 50 and _count(Assessor) == 53
    user = _db.session.scalar(select(User).where(User.email == "asesor7@example.id"))
    assert user.name == "Asesor 7" and user.password_hash is None and user.roles == {"assessor"}
    assert user.dinas_id == world.batam.id
    record = _db.session.scalar(select(Assessor).where(Assessor.user_id == user.id))
    assert record.licence_number == "MET-0007" and record.max_load == 3 and record.dinas_id == world.batam.id
    assert {r.scheme.code for r in record.scheme_rows} == {"PSG", "PNY"}
    invite = _db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"invite:{user.id}"))
    assert invite.event == "account_invite" and invite.workflow == "account" and invite.recipient_id == user.id
    assert invite.payload == {} and invite.status == "pending"
    assert _count(OutboxMessage) == 50

    again = upload(client, world.admin_batam, assessor_csv(assessor_rows(50)))
    assert again.status_code == 200 and again.get_json() == {"imported": 0, "unchanged": 50}
    assert _count(User) == users_before + 50 and _count(Assessor) == 53 and _count(OutboxMessage) == 50


def test_the_import_takes_a_constant_number_of_reads(client, world):
    with count_queries() as small:
        assert upload(client, world.admin_kepri, assessor_csv(assessor_rows(5))).status_code == 200
    with count_queries() as large:
        assert upload(client, world.admin_kepri, assessor_csv(assessor_rows(60, start=100))).status_code == 200

    def selects(statements):
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    assert len(selects(large)) == len(selects(small)) <= 12  # inserts are per new row; reads are constant


def test_a_province_admin_imports_into_any_dinas_of_the_province(client, world):
    rows = assessor_rows(2, BINTAN) + assessor_rows(1, BATAM, start=2)
    assert upload(client, world.admin_kepri, assessor_csv(rows)).get_json() == {"imported": 3, "unchanged": 0}


def test_an_existing_user_with_the_same_data_becomes_an_assessor_without_a_new_invite(client, world):
    candidate = world.candidate
    row = [candidate.email, candidate.name, BATAM, "MET-9", _future(), "PSG", "2"]
    assert upload(client, world.admin_batam, assessor_csv([row])).get_json() == {"imported": 1, "unchanged": 0}
    _db.session.expire_all()
    assert _db.session.get(User, candidate.id).roles == {"candidate", "assessor"}
    assert _count(OutboxMessage) == 0
    assert upload(client, world.admin_batam, assessor_csv([row])).get_json() == {"imported": 0, "unchanged": 1}


# -- bad files --------------------------------------------------------------------------------
def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(client, world):
    good = assessor_rows(3)
    lines = [
        ",".join(ASSESSOR_COLUMNS).encode(),  # 1
        ",".join(good[0]).encode(),  # 2 good
        b"missing@example.id,,Dinas Sosial Kota Batam,MET-1,,PSG,2",  # 3 missing name and date
        ",".join(good[1]).encode(),  # 4 good
        f"x@example.id,X,Dinas Sosial Kota Atlantis,MET-2,{_future()},PSG,2".encode(),  # 5 unknown dinas
        f"{good[0][0]},Another,{BATAM},MET-3,{_future()},PSG,2".encode(),  # 6 duplicate e-mail of line 2
        f"d@example.id,D,{BATAM},MET-4,31/13/2030,PSG,2".encode(),  # 7 bad date
        f"e@example.id,José Ñ,{BATAM},MET-5,{_future()},PSG,2".encode() + b"\x81",  # 8 not text in any encoding
        b"",  # 9 blank: skipped
        f"f@example.id,F,{BATAM},MET-6,{_future()},PSG;NOPE,2".encode(),  # 10 unknown scheme
        f"g@example.id,G,{BATAM},MET-7,{_future()},PSG,many".encode(),  # 11 not a number
        f"h@example.id,H,{BINTAN},MET-8,{_future()},PSG,2".encode(),  # 12 outside a kota admin's scope
        f"{world.candidate.email},Someone Else,{BATAM},MET-9,{_future()},PSG,2".encode(),  # 13 conflicting user
        f"i@example.id,I,{BATAM},MET-10,{(clock.today() - timedelta(days=1)).isoformat()},PSG,2".encode(),  # 14 past
        b"j@example.id,J,Dinas Sosial Kota Batam",  # 15 too few fields
        b"not-an-email,K,Dinas Sosial Kota Batam,MET-11,2031-01-01,PSG,2",  # 16 bad e-mail
    ]
    users_before, assessors_before = _count(User), _count(Assessor)
    rows, body = _rejected(upload(client, world.admin_batam, b"\n".join(lines) + b"\n"))
    assert sorted(rows) == [3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16]
    assert "name" in rows[3] and "licence_expires" in rows[3]
    assert "Atlantis" in rows[5]
    assert "email: " in rows[6] and "also on row 2" in rows[6]
    assert "licence_expires: 31/13/2030 is not a date" in rows[7]
    assert "not text" in rows[8]
    assert "NOPE" in rows[10]
    assert "max_load" in rows[11]
    assert BINTAN in rows[12]
    assert "another name or dinas" in rows[13]
    assert "licence_expires: the licence has already expired" in rows[14]
    assert "expected 7 cells" in rows[15]
    assert "e-mail" in rows[16]
    assert "errors: 12" in body["error"]["message"]
    assert _count(User) == users_before and _count(Assessor) == assessors_before and _count(OutboxMessage) == 0


def test_a_wrong_header_is_one_error(client, world):
    header = ("email", "mail", "dinas", "licence_number", "licence_expires", "schemes", "max_load")
    rows, body = _rejected(upload(client, world.admin_batam, assessor_csv(assessor_rows(2), header)))
    message = body["error"]["message"]
    assert (
        rows == {} and "email, name, dinas" in message and "Missing: name." in message and "Not known: mail." in message
    )
    rows, _ = _rejected(upload(client, world.admin_batam, b""))
    assert rows == {}


def test_a_file_that_is_not_utf8_is_one_error(client, world):
    text = assessor_csv(assessor_rows(2)).decode()
    rows, body = _rejected(upload(client, world.admin_batam, text.encode("utf-16")))
    assert rows == {} and "UTF-8" in body["error"]["message"]
    assert _count(Assessor) == 3


def test_a_utf8_file_with_a_byte_order_mark_is_fine(client, world):
    data = "\ufeff".encode() + assessor_csv(assessor_rows(1)).replace(b"Asesor 0", "Asesor Ñoño".encode())
    assert upload(client, world.admin_batam, data).get_json() == {"imported": 1, "unchanged": 0}


def test_too_large_too_long_and_missing_files_are_refused(client, world):
    big = assessor_csv(assessor_rows(1)) + b"#" * (2 * 1024 * 1024)
    resp = upload(client, world.admin_batam, big)
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"
    rows, body = _rejected(upload(client, world.admin_batam, assessor_csv(assessor_rows(5001))))
    assert rows == {} and "5000" in body["error"]["message"]
    resp = client.post("/api/v1/imports/assessors", data={}, headers=auth(world.admin_batam))
    assert _rejected(resp)[1]["error"]["message"]
    assert _count(Assessor) == 3


def test_a_changed_assessor_row_is_refused_not_silently_applied(client, world):
    assert upload(client, world.admin_batam, assessor_csv(assessor_rows(2))).status_code == 200
    rows_ = assessor_rows(2)
    rows_[1][6] = "9"
    rows, _ = _rejected(upload(client, world.admin_batam, assessor_csv(rows_)))
    assert list(rows) == [3] and "max_load" in rows[3]


# -- candidates -------------------------------------------------------------------------------
def candidate_csv(rows) -> bytes:
    return ("\n".join([",".join(CANDIDATE_COLUMNS)] + [",".join(r) for r in rows]) + "\n").encode()


def test_candidates_import_and_reimport(client, world):
    rows = [[f"c{i}@example.id", f"Calon {i}", BINTAN, "kesos", "S1", str(1000 + i)] for i in range(10)]
    resp = upload(client, world.admin_kepri, candidate_csv(rows), "candidates")
    assert resp.status_code == 200 and resp.get_json() == {"imported": 10, "unchanged": 0}
    user = _db.session.scalar(select(User).where(User.email == "c3@example.id"))
    assert user.roles == {"candidate"} and user.password_hash is None
    assert (user.education_field, user.education_level, user.practice_hours) == ("kesos", "S1", 1003)
    assert _db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"invite:{user.id}")) is not None
    again = upload(client, world.admin_kepri, candidate_csv(rows), "candidates")
    assert again.get_json() == {"imported": 0, "unchanged": 10}
    assert _count(OutboxMessage) == 10


def test_bad_candidate_rows_are_listed(client, world):
    rows = [
        ["a@example.id", "A", BATAM, "sociology", "S1", "100"],
        ["b@example.id", "B", BATAM, "peksos", "S1", "lots"],
        ["c@example.id", "C", PEKANBARU, "peksos", "S1", "100"],
        ["d@example.id", "D", BATAM, "other", "", "-5"],
        ["e@example.id", "E", BATAM, "other", "SMA", "0"],
    ]
    lines, _ = _rejected(upload(client, world.admin_kepri, candidate_csv(rows), "candidates"))
    assert sorted(lines) == [2, 3, 4, 5]
    assert "education_field" in lines[2] and "practice_hours" in lines[3] and PEKANBARU in lines[4]
    assert "education_level" in lines[5] and "practice_hours" in lines[5]
    assert _db.session.scalar(select(User).where(User.email == "e@example.id")) is None


# -- templates --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, columns", [("assessors", ASSESSOR_COLUMNS), ("candidates", CANDIDATE_COLUMNS)])
@pytest.mark.parametrize("who", ["admin_batam", "sysadmin"])
def test_the_template_is_a_csv_download_that_imports(client, world, kind, columns, who):
    admin = getattr(world, who)
    resp = client.get(f"/api/v1/imports/{kind}/template?language=en", headers=auth(admin))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == f"attachment; filename={kind}-template-en.csv"
    lines = resp.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(columns) and len(lines) == 2
    assert upload(client, admin, resp.get_data(), kind).get_json() == {"imported": 1, "unchanged": 0}


@pytest.mark.parametrize("kind, columns", [("assessors", ASSESSOR_COLUMNS), ("candidates", CANDIDATE_COLUMNS)])
@pytest.mark.parametrize("fmt, language", [("csv", "id"), ("xlsx", "id"), ("xlsx", "en")])
def test_every_template_imports_as_it_is(client, world, kind, columns, fmt, language):
    resp = client.get(
        f"/api/v1/imports/{kind}/template?format={fmt}&language={language}", headers=auth(world.admin_batam)
    )
    assert resp.status_code == 200 and resp.mimetype == FORMATS[fmt]
    assert resp.headers["Content-Disposition"] == f"attachment; filename={kind}-template-{language}.{fmt}"
    if fmt == "csv":  # the Indonesian CSV: Indonesian headers separated by ";"
        assert resp.get_data().decode("utf-8-sig").splitlines()[0] == ";".join(header_names(columns, "id"))
    data = resp.get_data()
    assert upload(client, world.admin_batam, data, kind).get_json() == {"imported": 1, "unchanged": 0}
    assert upload(client, world.admin_batam, data, kind).get_json() == {"imported": 0, "unchanged": 1}


def test_a_template_of_an_unknown_format_or_language_is_422(client, world):
    for query in ("format=pdf", "language=fr"):
        resp = client.get(f"/api/v1/imports/assessors/template?{query}", headers=auth(world.admin_batam))
        assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "validation_error"


# -- files as offices write them ----------------------------------------------------------------
def test_an_xlsx_and_a_semicolon_file_with_indonesian_headers_import(client, world):
    from tests.integration.test_imports_formats import ID_ASSESSOR, xlsx

    rows = assessor_rows(2)
    book = xlsx([header_names(ASSESSOR_COLUMNS, "id"), *rows])
    assert upload(client, world.admin_batam, book).get_json() == {"imported": 2, "unchanged": 0}
    assert upload(client, world.admin_batam, book).get_json() == {"imported": 0, "unchanged": 2}
    more = assessor_rows(1, start=5)[0]
    name, email = more[1], more[0]
    text = f"{ID_ASSESSOR}\n{name};{email};{more[2]};{more[3]};{more[4]};PSG, PNY;{more[6]}\n"
    assert upload(client, world.admin_batam, "\ufeff".encode() + text.encode()).get_json() == {
        "imported": 1,
        "unchanged": 0,
    }


def test_bad_rows_carry_each_problem_with_its_column(client, world):
    from tests.integration.test_imports_formats import xlsx

    good, bad = assessor_rows(2)
    bad[5] = "PSG;XYZ"
    book = xlsx([header_names(ASSESSOR_COLUMNS, "id"), good, bad])
    users = _count(User)
    rows, body = _rejected(upload(client, world.admin_batam, book))
    assert list(rows) == [3] and rows[3] == "Skema: no scheme has the code XYZ"
    assert body["rows"][0]["problems"] == [{"column": "Skema", "message": "no scheme has the code XYZ"}]
    assert _count(User) == users
