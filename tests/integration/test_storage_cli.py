"""``flask storage copy`` / ``move``: existing files from one storage to another (a folder to an S3 bucket)."""

from __future__ import annotations

import json

import pytest

from certflow.storage import Storage, for_app
from tests.storage_support import new_bucket, s3_options

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture()
def folder(app, monkeypatch, tmp_path):
    """The application's storage: a local folder holding three files."""
    monkeypatch.setitem(app.config, "STORAGE_URL", (tmp_path / "uploads").as_uri())
    store = for_app(app)
    for i in range(3):
        store.put(f"{i:032x}", b"%PDF-1.4 " + bytes([i]) * 1000)
    return store


@pytest.fixture()
def bucket(s3_server) -> tuple[str, str]:
    """An empty S3 bucket: (URL, options as JSON)."""
    return f"s3://{new_bucket(s3_server)}/uploads", json.dumps(s3_options(s3_server))


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["storage", *args])


def test_copy_to_s3_is_checked_and_safe_to_run_again(app, folder, bucket):
    url, options = bucket
    first = _run(app, "copy", "--to", url, "--to-options", options)
    assert first.exit_code == 0, first.output
    assert "3 copied, 0 already there (same checksum), 0 differ" in first.output
    target = Storage(url, json.loads(options))
    assert target.list() == folder.list()
    assert all(target.sha256(n) == folder.sha256(n) for n in folder.list())
    again = _run(app, "copy", "--to", url, "--to-options", options)
    assert again.exit_code == 0 and "0 copied, 3 already there" in again.output
    assert folder.list() == target.list()  # a copy leaves the source as it was


def test_a_file_that_differs_is_left_and_named(app, folder, bucket):
    url, options = bucket
    target = Storage(url, json.loads(options))
    name = folder.list()[0]
    target.put(name, b"%PDF-1.4 another file of the same name")
    result = _run(app, "move", "--to", url, "--to-options", options)
    assert result.exit_code == 1
    assert "2 moved, 0 already there (same checksum), 1 differ" in result.output
    assert f"differs: {name}" in result.output
    assert folder.list() == [name]  # the two moved are gone here; the one that differs stays
    assert target.read(name) == b"%PDF-1.4 another file of the same name"


def test_move_empties_the_source_and_a_second_move_does_nothing(app, folder, bucket):
    url, options = bucket
    before = {n: folder.sha256(n) for n in folder.list()}
    result = _run(app, "move", "--to", url, "--to-options", options)
    assert result.exit_code == 0, result.output
    assert "3 moved" in result.output and "set STORAGE_URL" in result.output
    assert folder.list() == []
    target = Storage(url, json.loads(options))
    assert {n: target.sha256(n) for n in target.list()} == before
    again = _run(app, "move", "--to", url, "--to-options", options)
    assert again.exit_code == 0 and "0 moved, 0 already there" in again.output


def test_a_target_that_does_not_answer_is_refused_before_anything_moves(app, folder):
    from tests.storage_support import free_port

    options = json.dumps({"endpoint_url": f"http://127.0.0.1:{free_port()}", "key": "k", "secret": "s"})
    result = _run(app, "move", "--to", "s3://nowhere/uploads", "--to-options", options)
    assert result.exit_code != 0 and "is not usable: unreachable" in result.output
    assert len(folder.list()) == 3


def test_where_names_the_storage(app, folder):
    result = _run(app, "where")
    assert result.exit_code == 0 and result.output.strip() == f"file://{folder.root}: reachable"
