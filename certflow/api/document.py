"""API: ``GET /api/v1/openapi.json``, the OpenAPI 3.1 document generated from the schemas (``certflow.api.spec``)."""

from __future__ import annotations

from flask import jsonify

from certflow.api import bp
from certflow.api.spec import openapi_document as _document
from certflow.api.spec import operation


@bp.get("/openapi.json")
@operation(resp=None, public=True, tag="Workflows", content="application/json")
def openapi_document():
    """This document (public)."""
    return jsonify(_document())
