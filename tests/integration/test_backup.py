"""Backups that restore (issue 16 item 5): ``flask backup`` / ``flask restore`` on SQLite and PostgreSQL.

A backup of a database holding a certified journey and uploaded files is restored into an empty
database and an empty storage folder; every table's row count and every file's checksum match.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from certflow.backups.service import BackupError, Target, backup, restore, row_counts, sha256
from tests.conftest import _pg_admin_url

pytestmark = pytest.mark.usefixtures("db")


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def stored(app, world):
    """A certified application, another candidate's draft, and their documents as files in UPLOAD_DIR."""
    from certflow.extensions import db

    first = world.new_application()
    world.advance(first, "certified")
    second = world.new_application(world.other_candidate)
    root = Path(app.config["UPLOAD_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    for doc in [*first.documents, *second.documents]:
        (root / doc.stored_name).write_bytes(b"%PDF-1.4 " + doc.stored_name.encode() * 50)
    (root / "sub").mkdir(exist_ok=True)
    (root / "sub" / "nested.pdf").write_bytes(b"%PDF-1.4 nested")
    db.session.commit()
    yield root
    for p in sorted(root.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()


@pytest.fixture()
def empty_target(app, tmp_path):
    """An empty database of the same kind as the test database, and an empty storage folder."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield Target(f"sqlite:///{tmp_path / 'restored.sqlite'}", str(tmp_path / "restored-files"))
        return
    name = f"{url.database}_restore"
    admin = sa.create_engine(_pg_admin_url(url.render_as_string(hide_password=False)), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield Target(url.set(database=name).render_as_string(hide_password=False), str(tmp_path / "restored-files"))
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _source(app) -> Target:
    return Target(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_DIR"])


def test_backup_restores_into_an_empty_database_and_storage(app, stored, empty_target, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    kind = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert manifest["database"]["kind"] == kind
    assert manifest["database"]["alembic_revision"]
    assert manifest["created_at"]
    assert {f["path"] for f in manifest["files"]} == {f"files/{p}" for p in _files(stored)}
    assert all(f["size"] > 0 and len(f["sha256"]) == 64 for f in manifest["files"])

    before = row_counts(app.config["SQLALCHEMY_DATABASE_URI"])
    assert before["applications"] == 2 and before["certificates"] == 1 and before["transition_logs"] > 0
    restore(empty_target, tmp_path / "b")
    assert row_counts(empty_target.database_url) == before
    assert _files(Path(empty_target.upload_dir)) == _files(stored)
    engine = sa.create_engine(empty_target.database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        names = set(conn.execute(sa.text("SELECT name FROM users")).scalars())
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert {"Siti Candidate", "Budi Candidate"} <= names
    assert revision == manifest["database"]["alembic_revision"]

    # a second restore into what now holds data needs --force, and gives the same again
    with pytest.raises(BackupError, match="not empty"):
        restore(empty_target, tmp_path / "b")
    restore(empty_target, tmp_path / "b", force=True)
    assert row_counts(empty_target.database_url) == before


def test_restore_refuses_a_changed_or_missing_file_naming_it(app, stored, empty_target, tmp_path):
    backup(_source(app), tmp_path / "b")
    first = sorted((tmp_path / "b" / "files").iterdir())[0]
    first.write_bytes(first.read_bytes() + b"x")
    with pytest.raises(BackupError, match=f"files/{first.name} has changed"):
        restore(empty_target, tmp_path / "b")
    first.unlink()
    with pytest.raises(BackupError, match=f"files/{first.name} is missing"):
        restore(empty_target, tmp_path / "b")
    assert not Path(empty_target.upload_dir).exists()  # nothing was touched
    assert not any(row_counts(empty_target.database_url).values())


def test_restore_refuses_a_changed_database_dump(app, stored, empty_target, tmp_path):
    manifest = backup(_source(app), tmp_path / "b")
    dump = tmp_path / "b" / manifest["database"]["path"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=f"{manifest['database']['path']} has changed"):
        restore(empty_target, tmp_path / "b")


def test_cli_restore_refuses_a_database_with_data_unless_forced(app, stored, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    refused = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--force" in refused.output
    again = runner.invoke(args=["backup", str(tmp_path / "b")])
    assert again.exit_code != 0 and "not empty" in again.output
    not_a_backup = runner.invoke(args=["restore", str(tmp_path)])
    assert not_a_backup.exit_code != 0 and "manifest.json is missing" in not_a_backup.output
    before = row_counts(app.config["SQLALCHEMY_DATABASE_URI"])
    forced = runner.invoke(args=["restore", "--force", str(tmp_path / "b")])
    assert forced.exit_code == 0, forced.output
    assert row_counts(app.config["SQLALCHEMY_DATABASE_URI"]) == before


def test_missing_postgres_tools_are_named(monkeypatch, tmp_path):
    from certflow.backups import service

    monkeypatch.setattr(service.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not on PATH"):
        service._tool("pg_dump")
