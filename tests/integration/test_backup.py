"""Backups that restore (issue 16 item 5): ``flask backup`` / ``flask restore`` on SQLite and PostgreSQL.

A backup of a database holding a certified journey and uploaded files is restored into an empty
database and an empty storage; every table's row count and every file's checksum match. The files
are in a local folder or in an S3 bucket (each test runs on both: ``storage_backend``).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from certflow.backups.service import BackupError, Target, backup, restore, row_counts
from certflow.storage import Storage
from tests.conftest import _pg_admin_url

pytestmark = pytest.mark.usefixtures("db")


def _files(store: Storage) -> dict[str, str]:
    return {name: store.sha256(name) for name in store.list()}


@pytest.fixture()
def stored(app, world, storage_backend):
    """A certified application, another candidate's draft, and their documents as files in the storage."""
    from certflow.extensions import db

    first = world.new_application()
    world.advance(first, "certified")
    second = world.new_application(world.other_candidate)
    for doc in [*first.documents, *second.documents]:
        storage_backend.put(doc.stored_name, b"%PDF-1.4 " + doc.stored_name.encode() * 50)
    storage_backend.put("sub/nested.pdf", b"%PDF-1.4 nested")
    db.session.commit()
    yield storage_backend
    for name in storage_backend.list():
        storage_backend.delete(name)


@pytest.fixture()
def empty_storage(request, storage_backend, tmp_path) -> tuple[str, dict]:
    """Another, empty storage of the same kind: (URL, options)."""
    if storage_backend.local:
        return str(tmp_path / "restored-files"), {}
    from tests.storage_support import new_bucket

    endpoint = storage_backend.options["endpoint_url"]
    return f"s3://{new_bucket(endpoint)}/restored", storage_backend.options


@pytest.fixture()
def empty_target(app, empty_storage, tmp_path):
    """An empty database of the same kind as the test database, and an empty storage of the same kind."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield Target(f"sqlite:///{tmp_path / 'restored.sqlite'}", *empty_storage)
        return
    name = f"{url.database}_restore"
    admin = sa.create_engine(_pg_admin_url(url.render_as_string(hide_password=False)), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield Target(url.set(database=name).render_as_string(hide_password=False), *empty_storage)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _source(app) -> Target:
    from certflow.storage import storage_options, storage_url

    return Target(app.config["SQLALCHEMY_DATABASE_URI"], storage_url(app), storage_options(app))


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
    assert _files(empty_target.storage) == _files(stored)
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
    assert empty_target.storage.list() == []  # nothing was touched
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


def test_restore_refuses_storage_that_holds_files_unless_forced(app, stored, empty_target, tmp_path):
    backup(_source(app), tmp_path / "b")
    empty_target.storage.put("left-over.pdf", b"%PDF-1.4 someone else's")
    with pytest.raises(BackupError, match="holds files"):
        restore(empty_target, tmp_path / "b")
    assert not any(row_counts(empty_target.database_url).values())
    restore(empty_target, tmp_path / "b", force=True)
    assert _files(empty_target.storage) == {
        **_files(stored),
        "left-over.pdf": empty_target.storage.sha256("left-over.pdf"),
    }


def test_a_manifest_naming_a_file_outside_the_storage_is_refused(app, stored, empty_target, tmp_path):
    manifest = backup(_source(app), tmp_path / "b")
    manifest["files"][0]["path"] = "files/../manifest.json"
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="outside"):
        restore(empty_target, tmp_path / "b")
    assert empty_target.storage.list() == []
