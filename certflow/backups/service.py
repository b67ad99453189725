"""Back up and restore certflow: the database and the stored files, with a manifest.

A backup is a folder::

    manifest.json        created_at, database kind, alembic revision, every file with size and SHA-256
    database.dump        PostgreSQL: ``pg_dump --format=custom`` (restored by ``pg_restore``)
    database.sqlite      SQLite: a copy made with SQLite's online backup API
    files/<name>         every file of the storage (uploaded documents; PDFs are generated on demand),
                         a local folder or an object store alike (certflow.storage)

A restore verifies every checksum before it changes anything (a changed or missing file is refused,
by name), and refuses a database or file storage that already holds data unless ``force`` is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from certflow import clock
from certflow.storage import Storage, StorageError, check_name

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Target:
    """Where the data lives: the database URL (SQLAlchemy form) and the file storage (a URL or a folder)."""

    database_url: str
    storage_url: str
    storage_options: dict = field(default_factory=dict)

    @property
    def storage(self) -> Storage:
        """The file storage (certflow.storage)."""
        return Storage(self.storage_url, self.storage_options)

    @property
    def kind(self) -> str:
        """``postgresql`` or ``sqlite``."""
        backend = sa.engine.make_url(self.database_url).get_backend_name()
        if backend not in ("postgresql", "sqlite"):
            raise BackupError(f"cannot back up a {backend} database (only PostgreSQL and SQLite)")
        return backend


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """The URL as PostgreSQL's own tools read it (no SQLAlchemy driver name)."""
    parsed = sa.engine.make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client tools (the same major version as the server)"
        )
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603 (our own arguments)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.returncode}")


def _sqlite_path(url: str) -> str:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def alembic_revision(url: str) -> str | None:
    """The database's migration revision (None if it has none)."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def row_counts(url: str) -> dict[str, int]:
    """Rows per table (every table but alembic's), for checking a restore and refusing a full database."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
            return {
                name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                for name in sorted(names)
            }
    finally:
        engine.dispose()


def backup(target: Target, dest: str | os.PathLike) -> dict:
    """Write a backup of ``target`` into the folder ``dest`` (new or empty); the manifest written."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: back up into a new folder")
    kind = target.kind
    dest.mkdir(parents=True, exist_ok=True)
    created_at = clock.now().isoformat()
    revision = alembic_revision(target.database_url)
    if kind == "postgresql":
        database_file = "database.dump"
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--file={dest / database_file}",
                f"--dbname={_libpq_url(target.database_url)}",
            ]
        )
    else:
        database_file = "database.sqlite"
        source = sqlite3.connect(_sqlite_path(target.database_url))
        copy = sqlite3.connect(dest / database_file)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    files = []
    store = target.storage
    for name in store.list():
        copied = dest / "files" / name
        copied.parent.mkdir(parents=True, exist_ok=True)
        with store.open(name) as source, open(copied, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        size = copied.stat().st_size
        if size != store.size(name):
            raise BackupError(f"{name} changed while it was copied: make the backup again")
        files.append({"path": f"files/{name}", "size": size, "sha256": sha256(copied)})
    db_path = dest / database_file
    manifest = {
        "format": FORMAT,
        "created_at": created_at,
        "database": {
            "kind": kind,
            "alembic_revision": revision,
            "path": database_file,
            "size": db_path.stat().st_size,
            "sha256": sha256(db_path),
        },
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(source: str | os.PathLike) -> dict:
    """The backup's manifest; a missing or unreadable one is refused."""
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} is missing: this is not a certflow backup") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a manifest this certflow can read")
    return manifest


def _safe_relative(source: Path, relative: str) -> Path:
    path = (source / relative).resolve()
    if not path.is_relative_to(source.resolve()) or not relative:
        raise BackupError(f"the manifest names a file outside the backup: {relative!r}")
    return path


def verify(source: str | os.PathLike) -> dict:
    """Check every file the manifest lists (size and SHA-256); the manifest, or a refusal naming the file."""
    source = Path(source)
    manifest = read_manifest(source)
    entries = [manifest["database"], *manifest.get("files", [])]
    for entry in manifest.get("files", []):
        try:
            check_name(entry["path"].removeprefix("files/"))
        except StorageError:
            raise BackupError(f"the manifest names a file outside the storage: {entry['path']!r}") from None
        if not entry["path"].startswith("files/"):
            raise BackupError(f"the manifest names a file outside files/: {entry['path']!r}")
    for entry in entries:
        path = _safe_relative(source, entry["path"])
        if not path.is_file():
            raise BackupError(f"{entry['path']} is missing from the backup")
        if path.stat().st_size != entry["size"] or sha256(path) != entry["sha256"]:
            raise BackupError(f"{entry['path']} has changed since the backup was made (its checksum differs)")
    return manifest


def restore(target: Target, source: str | os.PathLike, *, force: bool = False) -> dict:
    """Restore the backup in ``source`` into ``target``; the manifest.

    Refuses a backup whose files changed, a backup of the other database kind, and (unless
    ``force``) a database with rows in any table or a file storage that holds files.
    """
    source = Path(source)
    manifest = verify(source)
    kind = target.kind
    if manifest["database"]["kind"] != kind:
        raise BackupError(f"the backup is of a {manifest['database']['kind']} database, the target is {kind}")
    if not force:
        full = [name for name, count in row_counts(target.database_url).items() if count]
        if full:
            raise BackupError(
                f"the database is not empty ({', '.join(full[:5])}{'…' if len(full) > 5 else ''} hold rows): "
                "restore into an empty database, or add --force to replace its data"
            )
        if target.storage.list():
            raise BackupError(f"{target.storage.describe()} holds files: restore into empty storage, or add --force")
    database_file = source / manifest["database"]["path"]
    if kind == "postgresql":
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_libpq_url(target.database_url)}",
                str(database_file),
            ]
        )
    else:
        path = _sqlite_path(target.database_url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(database_file)
        into = sqlite3.connect(path)
        try:
            with into:
                copy.backup(into)
        finally:
            into.close()
            copy.close()
    store = target.storage
    for entry in manifest.get("files", []):
        name = entry["path"].removeprefix("files/")
        store.put(name, (source / entry["path"]).read_bytes(), replace=True)
        if store.size(name) != entry["size"] or store.sha256(name) != entry["sha256"]:
            store.delete(name)
            raise BackupError(f"{entry['path']} did not copy intact into {store.describe()}")
    return manifest
