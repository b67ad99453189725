"""Helpers for the candidate page tests (no tests here): a logged-in browser, forms, fresh drafts.

The browsers ask for English (``Accept-Language: en``), so the tests read the messages as
written in the code, whether or not the Indonesian catalogue has them yet.
"""

from __future__ import annotations

import io
import re

from certflow.extensions import db as _db
from certflow.models import Application
from tests.factories import make_user
from tests.web.test_pages_support import Browser, csrf_token

NEXT = re.compile(r'data-next="([a-z0-9_]+)">\s*<p class="next-label">[^<]*</p>\s*<p class="next-text">([^<]*)</p>')


def browser(app, user=None, lang: str | None = "en") -> Browser:
    """A browser in ``lang`` (None: no language asked), logged in as ``user`` if given."""
    b = Browser(app)
    if lang:
        b.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return b.login(user) if user is not None else b


def post(b: Browser, page: str, action: str | None = None, **data):
    """Load ``page`` and post ``data`` (lists allowed) with its CSRF token to ``action`` (default: the page)."""
    token = csrf_token(b.get(page).text)
    return b.post(action or page, data={"csrf_token": token, **data})


def upload(b: Browser, application_id: int, kind: str, data: bytes, filename: str, **extra):
    """Post the documents page's upload form with a file."""
    page = f"/candidate/applications/{application_id}/documents"
    token = csrf_token(b.get(page).text)
    return b.post(
        page,
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), filename), **extra},
        content_type="multipart/form-data",
    )


def next_steps(html: str) -> list[tuple[str, str]]:
    """(kind, text) of every "next step" box of a page, in order (HTML entities left as they are)."""
    return [(kind, " ".join(text.split())) for kind, text in NEXT.findall(html)]


def bare_draft(candidate, scheme, apl01: dict | None = None) -> Application:
    """A draft with nothing filled in (or only ``apl01``)."""
    app = Application(candidate=candidate, scheme=scheme, dinas=candidate.dinas, state="draft", apl01=apl01 or {})
    _db.session.add(app)
    _db.session.commit()
    return app


def neighbour(world):
    """Another candidate of the same dinas (Kota Batam), so ``world.advance`` can take their application anywhere."""
    user = make_user(
        "candidate",
        world.batam,
        name="Rina Neighbour",
        education_field="kesos",
        education_level="S1",
        practice_hours=3000,
    )
    _db.session.commit()
    return user
