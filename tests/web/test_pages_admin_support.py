"""Helpers for the dinas admin's page tests: eligible applications, reading forms as a browser would.

(No tests here: this module only holds helpers.)
"""

from __future__ import annotations

from html.parser import HTMLParser

from certflow.extensions import db
from certflow.models import Application
from tests.factories import make_user
from tests.web.test_pages_support import Browser


def english(browser: Browser) -> Browser:
    """Switch the browser's session to English (the pages' msgids), so tests read the words they assert."""
    browser.get("/?lang=en")
    return browser


def admin_browser(app, user) -> Browser:
    """A logged-in browser in English."""
    return english(Browser(app).login(user))


def submitted(world, candidate=None, scheme=None) -> Application:
    """A submitted application of ``candidate`` (default: the Batam candidate)."""
    application = world.new_application(candidate, scheme)
    world.fire(application, "submit", application.candidate)
    return application


def eligible(world, candidate=None, scheme=None) -> Application:
    """An eligible application, approved by the province admin (whose scope covers every Kepri dinas)."""
    application = submitted(world, candidate, scheme)
    world.mark_documents(application, "valid")
    world.fire(application, "approve", world.admin_kepri)
    return application


def candidate_in(dinas, name: str | None = None):
    """A new candidate of ``dinas`` with a complete profile."""
    user = make_user("candidate", dinas, name=name, education_field="peksos", education_level="D4", practice_hours=2000)
    db.session.commit()
    return user


class FormReader(HTMLParser):
    """The fields a browser would send for the form whose action is ``action``: hidden and text inputs,
    checked boxes and radios, the selected option of each select, textareas."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select, self._selected, self._textarea = None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._selected = a.get("name"), None
        elif tag == "option" and self._select and ("selected" in a or self._selected is None):
            if "selected" in a or self._selected is None:
                self._selected = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._selected or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the form posting to ``action`` would send as it stands."""
    reader = FormReader(action)
    reader.feed(html)
    return reader.fields
