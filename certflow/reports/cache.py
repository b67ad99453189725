"""A small in-process cache for the region's figures: each result is kept for a few minutes.

The figures aggregate every application, log row, person and certificate of a scope, so
their cost grows with the data; they are read far more often than a few minutes' change
would matter. ``REPORTS_CACHE_SECONDS`` (default 300; 0 turns the cache off, as it is when
testing) bounds how old a figure may be. Each web process keeps its own entries, keyed by the
database, the scope and the day (figures that depend on "today" never cross midnight).
Callers get a copy, so nothing they change reaches the cache.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from datetime import timedelta
from typing import Any

from flask import current_app

from certflow import clock

DEFAULT_SECONDS = 300
MAX_ENTRIES = 512

_entries: dict[Hashable, tuple[Any, Any]] = {}


def ttl_seconds() -> int:
    """How long a figure is kept (0: not at all)."""
    default = 0 if current_app.testing else DEFAULT_SECONDS
    return int(current_app.config.get("REPORTS_CACHE_SECONDS", default))


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, or a copy of its result if computed for ``key`` less than ``ttl_seconds()`` ago."""
    seconds = ttl_seconds()
    if seconds <= 0:
        return compute()
    now = clock.now()
    full_key = (current_app.config["SQLALCHEMY_DATABASE_URI"], clock.today(), key)
    hit = _entries.get(full_key)
    if hit is not None and hit[0] > now:
        return copy.deepcopy(hit[1])
    value = compute()
    if len(_entries) >= MAX_ENTRIES:
        for stale in [k for k, (expires, _) in _entries.items() if expires <= now]:
            del _entries[stale]
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
    _entries[full_key] = (now + timedelta(seconds=seconds), value)
    return copy.deepcopy(value)


def clear() -> None:
    """Forget every cached figure."""
    _entries.clear()
