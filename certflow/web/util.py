"""Small helpers the page blueprints share: safe redirects, the current page's address."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from flask import g, request, url_for

LANGUAGES = ("id", "en")


def is_local_path(target: str | None) -> bool:
    """Whether ``target`` is a path on this site (``/…``), never another host."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


_GROUPED = re.compile(r"\d{1,3}(?:[.\s\u00a0]\d{3})+")


def whole_number_text(value):
    """A number typed the Indonesian way ("1.500", "1 500") as plain digits ("1500"); anything else as given.

    Used as a form filter before the field's own check, so "1.500" is accepted as 1500."""
    if isinstance(value, str):
        text = value.strip()
        if _GROUPED.fullmatch(text):
            return re.sub(r"[.\s\u00a0]", "", text)
        return text
    return value


def home_endpoint(user) -> str:
    """Where ``user`` lands after signing in: a person who is only a candidate on their own home
    (with the one action to start an application); everyone else on the shared home."""
    if user is not None and getattr(user, "is_authenticated", False) and user.roles == {"candidate"}:
        return "candidate.home"
    return "web.index"


def safe_next(target: str | None, default: str = "web.index") -> str:
    """``target`` if it is a local path, else the address of the ``default`` endpoint."""
    return target if is_local_path(target) else url_for(default)


def current_path(drop: tuple[str, ...] = ("lang",)) -> str:
    """The address of the page being shown, without ``drop`` parameters (for "come back here" links).

    A page re-rendered after a POST names its own address in ``g.page_path``.
    """
    if request.method != "GET":
        return g.get("page_path") or url_for("web.index")
    args = [(k, v) for k, values in request.args.lists() if k not in drop for v in values]
    return request.path + ("?" + urlencode(args) if args else "")


def with_lang(code: str) -> str:
    """The current page's address with ``?lang=code`` (the visitor's language switch)."""
    path = current_path()
    return path + ("&" if "?" in path else "?") + urlencode({"lang": code})


def page_number() -> int:
    """The ``?page=`` of the request: a whole number from 1 (anything else is page 1)."""
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1
