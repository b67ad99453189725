"""The navigation bar: each role's pages, shown once the page exists."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from certflow.web.routes import bp

# (endpoint, label, roles that see it; None: everyone)
NAV_ITEMS = [
    ("candidate.home", _l("My applications"), {"candidate"}),
    ("assessor.queue", _l("My assessments"), {"assessor"}),
    ("assessor.schedules", _l("My schedules"), {"assessor"}),
    ("certifier.decisions", _l("Decisions"), {"certifier"}),
    ("certifier.appeals", _l("Appeals"), {"certifier"}),
    ("certifier.certificates", _l("Certificates"), {"certifier"}),
    ("certifier.plenary_list", _l("Plenary"), {"certifier"}),
    ("admin.verification", _l("Verification"), {"dinas_admin"}),
    ("admin.assessors", _l("Assessor pool"), {"dinas_admin"}),
    ("admin.teams", _l("Teams"), {"dinas_admin"}),
    ("admin.schedules", _l("Schedules"), {"dinas_admin"}),
    ("admin.venues", _l("Venues"), {"dinas_admin"}),
    ("admin.imports", _l("Import"), {"dinas_admin"}),
    ("admin.figures", _l("Figures"), {"dinas_admin", "admin", "certifier"}),
    ("sysadmin.schemes", _l("Schemes"), {"admin"}),
    ("sysadmin.users", _l("Users"), {"admin"}),
    ("positions.manage", _l("Edit the positions"), {"admin"}),
    ("public.schemes", _l("Certification schemes"), None),
    ("public.self_check", _l("Can I apply?"), None),
    ("positions.index", _l("Functional positions"), None),
]

AREA_STYLESHEETS = ("candidate", "assessor", "certifier", "admin", "sysadmin", "notifications", "public")


def nav_items() -> list[tuple[str, str]]:
    """(address, label) of every page of the navigation this user may use."""
    roles = current_user.roles if current_user.is_authenticated else frozenset()
    return [
        (url_for(endpoint), str(label))
        for endpoint, label, allowed in NAV_ITEMS
        if endpoint in current_app.view_functions and (allowed is None or roles & allowed)
    ]


def endpoint_url(endpoint: str, fallback: str = "web.index", **values) -> str:
    """The address of ``endpoint`` if it exists, else of ``fallback``."""
    return url_for(endpoint if endpoint in current_app.view_functions else fallback, **values)


@bp.app_context_processor
def _nav_context() -> dict:
    return {"nav_items": nav_items, "endpoint_url": endpoint_url, "area_stylesheets": AREA_STYLESHEETS}
