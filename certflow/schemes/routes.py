"""A scheme's eligibility routes, read from the scheme (``workflows.eligibility`` holds the rules)."""

from __future__ import annotations

from certflow.models import Scheme
from workflows.eligibility import Route, default_routes, routes_from_data


def scheme_routes(scheme: Scheme) -> list[Route]:
    """The routes of ``scheme``: its stored route data, else the routes implied by its older rules."""
    data = getattr(scheme, "routes", None)
    if data:
        return routes_from_data(data)
    return default_routes(scheme.accepted_education, scheme.min_practice_hours, scheme.required_documents)
