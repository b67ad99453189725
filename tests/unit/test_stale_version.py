"""One ``StaleVersion``: the workflow's version check and the commit boundary raise the same class."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from certflow.applications import transition_log, workflow
from certflow.core import errors, transaction


def test_one_class_everywhere():
    assert workflow.StaleVersion is errors.StaleVersion
    assert transition_log.StaleVersion is errors.StaleVersion
    assert transaction.StaleVersion is errors.StaleVersion


def test_it_is_an_app_error_answering_409():
    exc = errors.StaleVersion()
    assert isinstance(exc, errors.AppError)
    assert (exc.code, exc.status) == ("stale_version", 409)
    assert errors.as_app_error(exc) is exc


@pytest.mark.parametrize("given", [4, "4", "x", None, 10**40])
def test_check_version(given):
    record = SimpleNamespace(version=3)
    if given is None:
        transition_log.check_version(record, given)
        return
    with pytest.raises(errors.StaleVersion):
        transition_log.check_version(record, given)
