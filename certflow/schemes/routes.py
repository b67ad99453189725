"""A scheme's eligibility routes, read from the scheme (``workflows.eligibility`` holds the rules)."""

from __future__ import annotations

from certflow.models import Application, Scheme
from certflow.models.schemes import PER_UNIT_KINDS, requirement_key
from workflows.eligibility import Profile, Route, default_routes, routes_from_data


def scheme_routes(scheme: Scheme) -> list[Route]:
    """The routes of ``scheme``: its stored route data, else the routes implied by its older rules."""
    data = getattr(scheme, "routes", None)
    if data:
        return routes_from_data(data)
    return default_routes(scheme.accepted_education, scheme.min_practice_hours, scheme.required_documents)


def chosen_route(app: Application) -> Route | None:
    """The route the application's APL-01 chose, as its scheme has it (None: none chosen, or not on the scheme)."""
    name = (app.apl01 or {}).get("route")
    return next((r for r in scheme_routes(app.scheme) if r.route == name), None) if name else None


def application_profile(app: Application) -> Profile:
    """The candidate's profile as their APL-01 states it."""
    form = app.apl01 or {}
    try:
        hours = int(form.get("practice_hours") or 0)
    except (TypeError, ValueError):
        hours = 0
    return Profile(
        form.get("education_field"),
        form.get("education_level"),
        hours,
        bool(form.get("training")),
        form.get("position"),
    )


def required_documents(app: Application) -> list[str]:
    """The documents the application needs, as requirement keys (``requirement_key``): its chosen
    route's kinds, else the scheme's; a kind asked per unit (the portfolio) once for each unit of the
    scheme, in the scheme's order (the units are read only when such a kind is asked)."""
    kinds = list(app.scheme.required_documents)
    if (app.apl01 or {}).get("route"):
        route = chosen_route(app)
        if route is not None:
            kinds = list(route.documents)
    keys = []
    for kind in kinds:
        if kind in PER_UNIT_KINDS:
            keys.extend(requirement_key(kind, u.code) for u in app.scheme.units)  # in the scheme's order
        else:
            keys.append(kind)
    return keys
