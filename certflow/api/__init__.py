"""The JSON API v1 (../shared/API.md): token authentication, one error body."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from certflow.api import (  # noqa: E402,F401  (register the routes)
    applications,
    assessors,
    auth,
    certificate_actions,
    certificates,
    credentials,
    document,
    eligibility,
    errors,
    imports,
    notifications,
    plenary,
    proposals,
    records,
    reference,
    reports,
    schedules,
    staff,
    tests_written,
    workflows,
)
