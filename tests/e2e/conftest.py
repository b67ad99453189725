"""Browser tests: the application served on a real port, driven by the system Chromium (headless).

``live_server`` serves the session's ``app`` (same test database, SQLite or PostgreSQL) from a
background thread on a free 127.0.0.1 port; a test that also asks for ``world`` gets its people
and team. ``browser`` launches the system Chromium — never a downloaded one; without Chromium
or the ``playwright`` package the tests are skipped, except with ``CI=true``, where they fail.
Screenshots go under ``test-artifacts/e2e/`` at the project root (not tracked by git).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def live_server(app):
    """The base URL of the application served on a free local port (certificates' QR codes point there too)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    base_url = app.config["BASE_URL"]
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.config["BASE_URL"] = base_url


@pytest.fixture(scope="module")
def browser():
    """The system Chromium, headless; each ``new_context`` of it is a fresh profile."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        require_service(False, "Chromium")  # (the playwright package is missing)
    require_service(os.access(CHROMIUM, os.X_OK), "Chromium")
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Error:
            chromium = None
        require_service(chromium is not None, "Chromium")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def screenshot():
    """``screenshot(page, name)``: the whole page at phone and at desktop width, as ``<name>-phone.png``
    and ``<name>-desktop.png`` under test-artifacts/e2e/; the page is left at phone width.

    With ``CERTFLOW_SCREENS`` set (``make screens``) the phone one is also saved there as ``<name>.png``.
    ``screenshot.overflow`` lists the pages wider than the phone's screen (a sideways scroll).
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    overflow = []

    def take(page, name: str) -> None:
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.evaluate("window.scrollTo(0, 0)")
            if label == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > size["width"]:
                    overflow.append(f"{name}: {width}px")
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
            if label == "phone" and os.environ.get("CERTFLOW_SCREENS"):  # ``make screens``: kept in the docs
                page.screenshot(path=str(Path(os.environ["CERTFLOW_SCREENS"]) / f"{name}.png"), full_page=True)
        page.set_viewport_size(PHONE)

    take.overflow = overflow
    return take
