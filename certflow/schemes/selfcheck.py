"""The public self-check: which schemes and routes are open to a person now, and what is missing.

One function, ``check_schemes``, answers both the page (``/self-check``) and the API
(``POST /api/v1/eligibility-check``), so the two cannot differ: every active scheme, each of its
enabled routes (``scheme_routes``: its route data, else the routes implied by its older rules),
open or not, and for a closed one each missing rule as a sentence in the reader's language.
The rules themselves are ``workflows.eligibility``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from certflow.core.labels import EDUCATION_FIELD_LABELS
from certflow.extensions import db
from certflow.models import Scheme
from certflow.models.people import POSITION_MAX
from certflow.schemes.routes import scheme_routes
from workflows.eligibility import (
    EDUCATION_FIELDS,
    EDUCATION_LEVELS,
    Missing,
    Profile,
    RouteDataError,
    evaluate,
)

MAX_PRACTICE_HOURS = 100_000
MAX_POSITION_LENGTH = POSITION_MAX  # what the profile and APL-01 keep of it

ROUTE_LABELS = {
    "education": _l("Education route"),
    "experience": _l("Experience route"),
    "rpl": _l("Recognition of prior learning (RPL)"),
}
ROUTE_HINTS = {
    "education": _l("For graduates in social work or social welfare."),
    "experience": _l("For any degree, with enough practice hours and the scheme's training."),
    "rpl": _l("A portfolio of your work, reviewed against each competency unit."),
}


@dataclass(frozen=True)
class RouteCheck:
    """One route of a scheme for the person: open, or the sentences of what is missing."""

    route: str
    open: bool
    missing: list[str]


@dataclass(frozen=True)
class SchemeCheck:
    """One scheme and its routes for the person."""

    code: str
    name: str
    routes: list[RouteCheck]

    @property
    def open_routes(self) -> list[str]:
        """The routes open now."""
        return [r.route for r in self.routes if r.open]


def in_words(items: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c`` in the reader's language."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(first)s or %(last)s", first=", ".join(items[:-1]), last=items[-1])


def missing_sentence(missing: Missing) -> str:
    """What a person lacks for a route, as a sentence in the reader's language (no codes)."""
    params = dict(missing.params)
    if "fields" in params:
        params["fields"] = in_words([str(EDUCATION_FIELD_LABELS.get(f, f)) for f in params["fields"]])
    for name in ("minimum", "hours", "short"):
        if name in params:
            params[name] = format_decimal(params[name])
    text = gettext(missing.message)
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return text


def check_schemes(profile: Profile) -> list[SchemeCheck]:
    """Every active scheme with each enabled route, open or not, and what ``profile`` lacks for it.

    A scheme whose stored route data is not valid is left out (and logged) rather than failing
    the public page: the system admin's scheme page is where such data is refused.
    """
    schemes = db.session.scalars(select(Scheme).where(Scheme.active.is_(True)).order_by(Scheme.name, Scheme.code))
    checks = []
    for scheme in schemes:
        try:
            routes = scheme_routes(scheme)
        except RouteDataError:
            current_app.logger.warning("scheme %s: route data not valid; left out of the self-check", scheme.code)
            continue
        answers = evaluate(profile, routes)
        checks.append(
            SchemeCheck(
                scheme.code,
                scheme.name,
                [RouteCheck(a.route.route, a.open, [missing_sentence(m) for m in a.missing]) for a in answers],
            )
        )
    return checks


def registration_prefill(args: Mapping[str, str]) -> dict[str, str | bool]:
    """The self-check's answers a registration form may start from (``?education_field=&…``), checked again.

    Only a known field of education, a known level, a whole number of hours (0 to 100,000, digits
    only), ``training`` yes or no and a position of printable text up to 120 characters are kept;
    anything else is dropped, so the form starts empty where the link was altered.
    """
    out: dict[str, str | bool] = {}
    field = args.get("education_field")
    if field in EDUCATION_FIELDS:
        out["education_field"] = field
    level = args.get("education_level")
    if level in EDUCATION_LEVELS:
        out["education_level"] = level
    hours = args.get("practice_hours") or ""
    if hours.isascii() and hours.isdigit() and len(hours) <= 6 and int(hours) <= MAX_PRACTICE_HOURS:
        out["practice_hours"] = str(int(hours))
    training = args.get("training")
    if training in ("yes", "no"):
        out["training"] = training == "yes"
    position = (args.get("position") or "").strip()
    if position and len(position) <= MAX_POSITION_LENGTH and position.isprintable():
        out["position"] = position
    return out
