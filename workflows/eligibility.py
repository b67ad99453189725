"""Eligibility routes (*jalur*) of a scheme, as data, and the rules that say which are open.

A scheme is open by up to three routes (DOMAIN.md, "Eligibility routes and the purpose of an
assessment"): ``education`` (peksos/kesos graduates at the scheme's level), ``experience`` (any
degree, with the practice hours and the scheme's training) and ``rpl`` (a portfolio reviewed
against each unit). Each route is a rule set kept on the scheme as plain data (a list of dicts,
see ``Route.as_data``); this module reads that data and says, for a person's profile, which routes
are open and, for each closed one, what is missing — as message ids the application translates.

Pure: no I/O, no Flask. The self-check page, its API, the ``scheme_rules_met`` guard of an
application and the education-gap register all ask the same ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflows.guards import N_, Msg

ROUTES = ("education", "experience", "rpl")
PURPOSES = ("certification", "recertification", "rpl", "jf_entry", "jf_promotion")
EDUCATION_FIELDS = ("peksos", "kesos", "other")
# Education levels in order, lowest first: a route's minimum level admits this level and above.
EDUCATION_LEVELS = ("SMA", "D1", "D3", "D4", "S1", "S2", "S3")
SOCIAL_WORK_FIELDS = ("peksos", "kesos")
DEFAULT_MIN_PRACTICE_HOURS = 1344


@dataclass(frozen=True)
class Profile:
    """What a person says of themself: the answers of the self-check, or an APL-01's."""

    education_field: str | None = None
    education_level: str | None = None
    practice_hours: int = 0
    training: bool = False
    position: str | None = None


@dataclass(frozen=True)
class Route:
    """One route's rules: empty ``education_fields`` admits any field, ``None`` any level."""

    route: str
    education_fields: tuple[str, ...] = ()
    min_education_level: str | None = None
    min_practice_hours: int = 0
    training_required: bool = False
    documents: tuple[str, ...] = ()
    enabled: bool = True

    def as_data(self) -> dict[str, Any]:
        """The route as the scheme stores it (JSON)."""
        return {
            "route": self.route,
            "education_fields": list(self.education_fields),
            "min_education_level": self.min_education_level,
            "min_practice_hours": self.min_practice_hours,
            "training_required": self.training_required,
            "documents": list(self.documents),
            "enabled": self.enabled,
        }


@dataclass(frozen=True)
class Missing:
    """One rule of a route the profile does not meet: a message id and its parameters."""

    rule: str
    message: Msg
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteAnswer:
    """A route and what the profile lacks for it (nothing: the route is open)."""

    route: Route
    missing: tuple[Missing, ...]

    @property
    def open(self) -> bool:
        return not self.missing


class RouteDataError(ValueError):
    """Route data that is not a valid rule set; ``args[0]`` says what is wrong (a message id)."""


def default_routes(
    accepted_education: Iterable[str] | None,
    min_practice_hours: int | None,
    required_documents: Iterable[str] | None,
    min_education_level: str | None = None,
) -> list[Route]:
    """The three routes of a scheme that has no route data yet, from its older single rule set.

    ``education`` takes the scheme's accepted fields (the social-work ones if it accepts any) and
    its documents; ``experience`` opens to any field with the scheme's hours (1,344 if it asks
    none) and its training; ``rpl`` asks a portfolio per unit and the same hours.
    """
    accepted = tuple(f for f in (accepted_education or ()) if f in SOCIAL_WORK_FIELDS) or SOCIAL_WORK_FIELDS
    docs = tuple(required_documents or ())
    hours = min_practice_hours or DEFAULT_MIN_PRACTICE_HOURS
    return [
        Route("education", accepted, min_education_level, 0, False, docs or ("diploma",)),
        Route(
            "experience",
            (),
            min_education_level,
            hours,
            True,
            _unique((*docs, "diploma", "practice_log", "training_certificate")),
        ),
        Route("rpl", (), None, hours, False, ("portfolio",)),
    ]


def routes_from_data(data: Iterable[Mapping[str, Any]] | None) -> list[Route]:
    """The routes of a scheme's stored data, checked; ``RouteDataError`` when it is not valid."""
    routes: list[Route] = []
    for item in data or ():
        if not isinstance(item, Mapping):
            raise RouteDataError(N_("Each route must be a set of rules."))
        name = item.get("route")
        if name not in ROUTES:
            raise RouteDataError(N_("Unknown route."))
        if any(r.route == name for r in routes):
            raise RouteDataError(N_("A route is given twice."))
        fields = tuple(item.get("education_fields") or ())
        if any(f not in EDUCATION_FIELDS for f in fields):
            raise RouteDataError(N_("Unknown field of education."))
        level = item.get("min_education_level") or None
        if level is not None and level not in EDUCATION_LEVELS:
            raise RouteDataError(N_("Unknown level of education."))
        hours = item.get("min_practice_hours") or 0
        if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= 100_000:
            raise RouteDataError(N_("Practice hours must be a whole number from 0 to 100,000."))
        docs = item.get("documents") or ()
        if isinstance(docs, str) or not all(isinstance(d, str) for d in docs):
            raise RouteDataError(N_("Documents must be a list of document kinds."))
        routes.append(
            Route(
                name,
                fields,
                level,
                hours,
                bool(item.get("training_required", False)),
                _unique(docs),
                bool(item.get("enabled", True)),
            )
        )
    return sorted(routes, key=lambda r: ROUTES.index(r.route))


def route_missing(route: Route, profile: Profile) -> tuple[Missing, ...]:
    """What ``profile`` lacks for ``route``, rule by rule (empty: the route is open)."""
    missing: list[Missing] = []
    if route.education_fields and profile.education_field not in route.education_fields:
        missing.append(
            Missing(
                "education_field",
                N_("A degree in %(fields)s."),
                {"fields": list(route.education_fields)},
            )
        )
    if route.min_education_level and level_rank(profile.education_level) < level_rank(route.min_education_level):
        missing.append(
            Missing(
                "education_level",
                N_("Education at level %(level)s or above."),
                {"level": route.min_education_level},
            )
        )
    hours = profile.practice_hours or 0
    if hours < route.min_practice_hours:
        missing.append(
            Missing(
                "practice_hours",
                N_("At least %(minimum)s hours of practice (you have %(hours)s)."),
                {"minimum": route.min_practice_hours, "hours": hours, "short": route.min_practice_hours - hours},
            )
        )
    if route.training_required and not profile.training:
        missing.append(Missing("training", N_("The scheme's training (diklat).")))
    return tuple(missing)


def evaluate(profile: Profile, routes: Iterable[Route]) -> list[RouteAnswer]:
    """Each enabled route with what ``profile`` lacks for it, in the order of ``ROUTES``."""
    return [RouteAnswer(r, route_missing(r, profile)) for r in routes if r.enabled]


def open_routes(profile: Profile, routes: Iterable[Route]) -> list[str]:
    """The names of the routes open to ``profile``."""
    return [a.route.route for a in evaluate(profile, routes) if a.open]


def standing(profile: Profile, routes: Iterable[Route]) -> str:
    """Where a person stands, as the education-gap register counts them.

    ``open``: some route is open now; ``practice``: a route would open with more practice hours or
    the training alone; ``education``: every route asks an education the person does not have
    (they would need further education); ``none``: the scheme has no enabled route.
    """
    answers = evaluate(profile, routes)
    if not answers:
        return "none"
    if any(a.open for a in answers):
        return "open"
    if any(not any(m.rule.startswith("education") for m in a.missing) for a in answers):
        return "practice"
    return "education"


def level_rank(level: str | None) -> int:
    """The position of an education level (unknown or none: below every level)."""
    return EDUCATION_LEVELS.index(level) if level in EDUCATION_LEVELS else -1


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
