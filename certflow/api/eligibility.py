"""API: the public self-check — which schemes and routes are open to a person, and what is missing."""

from __future__ import annotations

from flask import current_app

from certflow.api import bp
from certflow.api.schemas import eligibility as s
from certflow.api.spec import answer, body, operation
from certflow.extensions import limiter
from certflow.schemes.selfcheck import check_schemes
from workflows.eligibility import Profile


def _public_limit() -> str:
    return current_app.config["RATELIMIT_FORMS"]


@bp.post("/eligibility-check")
@limiter.limit(_public_limit)
@operation(json=s.EligibilityCheckIn, resp=s.EligibilityCheckOut, errors=(429,), public=True, tag="Eligibility")
def eligibility_check():
    """No token: the answers of the self-check page, for the same questions (``check_schemes``)."""
    data = body()
    profile = Profile(data.education_field, data.education_level, data.practice_hours, data.training, data.position)
    return answer(s.EligibilityCheckOut.model_validate({"schemes": check_schemes(profile)}))
