"""Where uploaded files live: one interface over fsspec, a local folder or an S3-compatible object store.

``STORAGE_URL`` names the place: ``file:///srv/certflow/uploads`` (or a plain path) for a local
folder, ``s3://bucket/prefix`` for an object store shared by every web and worker machine. With
none set, the folder ``UPLOAD_DIR`` is used (the embedded default: ``instance/uploads``).
``STORAGE_OPTIONS`` (JSON) is handed to the filesystem, e.g. ``{"endpoint_url": "https://…"}``
for an S3-compatible store other than AWS; keys come from there or from the usual
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` environment.

Names are relative, ``/``-separated and never climb (``..``). A file is written once (``put``
refuses a name that is taken) and is private: mode 0600 in a folder; in an object store no ACL
is sent, so an object is as private as its bucket (keep the bucket's public access blocked).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

import fsspec
from flask import Flask, current_app

CHUNK = 1024 * 1024
PART = ".part"  # a local file being replaced; never listed
_S3 = ("s3", "s3a")
# An object store that does not answer is given up on quickly: a request waits for it, and /readyz
# must name it down rather than hang. (botocore's own default is 60 s and several retries.)
_S3_CONFIG = {"connect_timeout": 3, "read_timeout": 20, "retries": {"max_attempts": 3, "mode": "standard"}}
_PROBE_CONFIG = {"connect_timeout": 1, "read_timeout": 1, "retries": {"max_attempts": 1}}


class StorageError(Exception):
    """A name the storage refuses, or a storage that cannot be used; the message says why."""


def check_name(name: str) -> str:
    """``name`` if it is a safe relative name (``a`` or ``a/b``), else StorageError."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name:
        raise StorageError(f"not a storage name: {name!r}")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise StorageError(f"not a storage name: {name!r}")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise StorageError(f"not a storage name: {name!r}")
    return name


def _protocol(url: str) -> str:
    protocol, _ = fsspec.core.split_protocol(url)
    return protocol or "file"


class Storage:
    """Files under one root (a folder or a bucket prefix)."""

    def __init__(self, url: str, options: dict | None = None, *, probe: bool = False):
        self.url = url
        self.options = dict(options or {})
        self.protocol = _protocol(url)
        self.local = self.protocol in ("file", "local")
        kwargs = dict(self.options)
        if self.protocol in _S3:
            kwargs.setdefault("use_listings_cache", False)  # another machine may have written since
            kwargs["config_kwargs"] = {**(_PROBE_CONFIG if probe else _S3_CONFIG), **kwargs.get("config_kwargs", {})}
            if probe:
                kwargs["skip_instance_cache"] = True
        self.fs, root = fsspec.core.url_to_fs(url, **kwargs)
        if probe and hasattr(self.fs, "retries"):
            self.fs.retries = 1  # s3fs's own retry loop, on top of botocore's
        self.root = root.rstrip("/") if root != "/" else root

    def __repr__(self) -> str:
        return f"Storage({self.describe()!r})"

    def describe(self) -> str:
        """Where the files are, without options or keys."""
        return f"{self.protocol}://{self.root.lstrip('/') if not self.local else self.root}"

    def path(self, name: str) -> str:
        """The filesystem path of ``name``."""
        return f"{self.root}/{check_name(name)}"

    # -- writing -------------------------------------------------------------------------------

    def put(self, name: str, data: bytes, *, replace: bool = False) -> None:
        """Store ``data`` as ``name``; FileExistsError if the name is taken (unless ``replace``)."""
        path = self.path(name)
        if self.local:
            self._put_local(path, data, replace)
            return
        with self.fs.open(path, "wb" if replace else "xb") as out:
            out.write(data)

    def _put_local(self, path: str, data: bytes, replace: bool) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not replace:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
            except BaseException:
                os.unlink(path)
                raise
            return
        part = f"{path}.{secrets.token_hex(4)}{PART}"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(part, path)
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise

    def delete(self, name: str) -> None:
        """Remove ``name`` if it is there."""
        try:
            self.fs.rm_file(self.path(name))
        except FileNotFoundError:
            pass

    # -- reading -------------------------------------------------------------------------------

    def open(self, name: str):
        """A binary file object reading ``name`` (streamed); FileNotFoundError if it is not there."""
        return self.fs.open(self.path(name), "rb")

    def read(self, name: str) -> bytes:
        """The bytes of ``name``; FileNotFoundError if it is not there."""
        return self.fs.cat_file(self.path(name))

    def exists(self, name: str) -> bool:
        """Whether ``name`` is a stored file."""
        return self.fs.isfile(self.path(name))

    def size(self, name: str) -> int:
        """The size of ``name`` in bytes; FileNotFoundError if it is not there."""
        return int(self.fs.size(self.path(name)))

    def sha256(self, name: str) -> str:
        """The SHA-256 of ``name``, read in chunks."""
        digest = hashlib.sha256()
        with self.open(name) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def list(self) -> list[str]:
        """Every stored name, sorted (a local file half-replaced is left out)."""
        if self.local and not os.path.isdir(self.root):
            return []
        prefix = self.root.rstrip("/") + "/"
        names = []
        for found in self.fs.find(self.root):
            found = found if found.startswith("/") or not self.local else "/" + found
            if not found.startswith(prefix) or found.endswith(PART):
                continue
            names.append(found[len(prefix) :])
        return sorted(names)

    # -- health --------------------------------------------------------------------------------

    def problem(self) -> str | None:
        """None if files can be stored here now, else a short reason (no URL, no secret)."""
        if self.local:
            if not os.path.isdir(self.root):
                try:
                    os.makedirs(self.root, exist_ok=True)
                except OSError:
                    return "folder missing"
            return None if os.access(self.root, os.W_OK | os.X_OK) else "not writable"
        try:
            self.fs.info(self.root.split("/", 1)[0])  # the bucket answers (one request)
        except FileNotFoundError:
            return "bucket missing"
        except PermissionError:
            return "access denied"
        except Exception:  # noqa: BLE001 - whatever the client raises, the store is down
            return "unreachable"
        return None


def storage_url(app: Flask) -> str:
    """The configured ``STORAGE_URL``, else the folder ``UPLOAD_DIR`` as a ``file://`` URL."""
    url = app.config.get("STORAGE_URL")
    if url:
        return url
    return Path(app.config["UPLOAD_DIR"]).resolve().as_uri()


def storage_options(app: Flask) -> dict:
    """``STORAGE_OPTIONS`` as a dict (the environment gives it as JSON)."""
    options = app.config.get("STORAGE_OPTIONS") or {}
    if isinstance(options, str):
        options = json.loads(options)
    return dict(options)


def for_app(app: Flask, *, probe: bool = False) -> Storage:
    """The application's storage, made once per process and configuration.

    A local folder inside the static (web) folder is refused: the web server would serve it.
    """
    url, options = storage_url(app), storage_options(app)
    key = (os.getpid(), url, json.dumps(options, sort_keys=True), probe)
    cache = app.extensions.setdefault("storage", {})
    if key not in cache:
        made = Storage(url, options, probe=probe)
        static = app.static_folder
        if made.local and static and Path(made.root).resolve().is_relative_to(Path(static).resolve()):
            raise StorageError("the upload storage must not be inside the static (web) folder")
        cache[key] = made
    return cache[key]


def current(*, probe: bool = False) -> Storage:
    """The storage of the current application."""
    return for_app(current_app._get_current_object(), probe=probe)  # noqa: SLF001 - the app, not its proxy


def copy_between(source: Storage, target: Storage, *, move: bool = False) -> dict:
    """Copy every file of ``source`` into ``target`` (and delete it from ``source`` if ``move``).

    Idempotent: a file already in ``target`` with the same size and SHA-256 is left as it is; one
    that differs is not overwritten but counted (and named) under ``differ``. Each copy is read back
    and checked (size and SHA-256) before it counts, and before a move deletes the original.
    """
    copied, same, differ = [], [], []
    for name in source.list():
        digest = source.sha256(name)
        size = source.size(name)
        if target.exists(name):
            if target.size(name) == size and target.sha256(name) == digest:
                same.append(name)
                if move:
                    source.delete(name)
            else:
                differ.append(name)
            continue
        target.put(name, source.read(name))
        if target.size(name) != size or target.sha256(name) != digest:
            target.delete(name)
            raise StorageError(f"{name} did not copy intact (its checksum differs); nothing of it is kept")
        copied.append(name)
        if move:
            source.delete(name)
    return {"copied": copied, "same": same, "differ": differ}
