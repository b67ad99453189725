"""Helpers for the application API tests: a token per user, and real files to upload.

(No tests here; the name keeps it among the application API test files.)
"""

from __future__ import annotations

import io
import itertools

from tests.factories import PASSWORD

_addresses = itertools.count(1)


class Caller:
    """The test client acting as one user, with their bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        return getattr(self.client, method)(f"/api/v1{path}", headers=headers, **kw)

    def get(self, path, **kw):
        """GET ``/api/v1`` + path."""
        return self._call("get", path, **kw)

    def post(self, path, **kw):
        """POST ``/api/v1`` + path."""
        return self._call("post", path, **kw)

    def put(self, path, **kw):
        """PUT ``/api/v1`` + path."""
        return self._call("put", path, **kw)

    def patch(self, path, **kw):
        """PATCH ``/api/v1`` + path."""
        return self._call("patch", path, **kw)

    def delete(self, path, **kw):
        """DELETE ``/api/v1`` + path."""
        return self._call("delete", path, **kw)

    def event(self, app_id: int, event: str, **body):
        """Fire an event on an application."""
        return self.post(f"/applications/{app_id}/events", json={"event": event, **body})

    def upload(self, app_id: int, kind: str, data: bytes, filename: str = "document.pdf"):
        """Upload a document (multipart)."""
        return self.post(
            f"/applications/{app_id}/documents",
            data={"kind": kind, "file": (io.BytesIO(data), filename)},
            content_type="multipart/form-data",
        )


class Api:
    """Log users in through ``POST /api/v1/auth/tokens`` (each from its own address: the login rate limit)."""

    def __init__(self, client):
        self.client = client
        self._callers: dict[int, Caller] = {}

    def as_(self, user) -> Caller:
        """A caller for ``user`` (a User), logging in once per test."""
        if user.id not in self._callers:
            n = next(_addresses)
            response = self.client.post(
                "/api/v1/auth/tokens",
                json={"email": user.email, "password": PASSWORD},
                environ_base={"REMOTE_ADDR": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"},
            )
            assert response.status_code == 201, response.get_json()
            self._callers[user.id] = Caller(self.client, response.get_json()["token"])
        return self._callers[user.id]


def error_code(response) -> str:
    """The ``error.code`` of an API error response."""
    return response.get_json()["error"]["code"]


def pdf_bytes(text: str = "Ijazah") -> bytes:
    """A real one-page PDF."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG") -> bytes:
    """A real small PNG or JPEG image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def criteria_codes(scheme) -> list[str]:
    """The criterion codes of a scheme, in order."""
    from sqlalchemy import select

    from certflow.extensions import db
    from certflow.models import Criterion

    return list(
        db.session.scalars(select(Criterion.code).where(Criterion.scheme_id == scheme.id).order_by(Criterion.id))
    )


def advance(world, app, target: str, **kw):
    """``world.advance`` for a candidate of any Kepri dinas (the province admin approves)."""
    saved = world.admin_batam
    world.admin_batam = world.admin_kepri
    try:
        return world.advance(app, target, **kw)
    finally:
        world.admin_batam = saved
