"""The public self-check page: a few questions → the schemes and routes open now, and what is missing.

The answers come from ``certflow.schemes.selfcheck.check_schemes``, the very function the API's
``POST /api/v1/eligibility-check`` answers with. The form is sent with GET: it changes nothing,
and the page's address (with its answers) can be kept, shared, or carried into registration.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import Form, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from certflow.core.labels import EDUCATION_FIELD_LABELS, EDUCATION_LEVEL_LABELS
from certflow.extensions import limiter
from certflow.public.routes import bp
from certflow.schemes.selfcheck import (
    MAX_POSITION_LENGTH,
    ROUTE_HINTS,
    ROUTE_LABELS,
    check_schemes,
)
from certflow.web.education_form import EducationChecks
from certflow.web.util import whole_number_text
from workflows.eligibility import EDUCATION_FIELDS, EDUCATION_LEVELS, Profile

QUESTIONS = ("education_field", "education_level", "practice_hours", "training", "position")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_nul(form, field) -> None:
    if "\x00" in (field.data or ""):
        raise ValidationError(_l("Remove the invisible characters from the text."))


class SelfCheckForm(EducationChecks, Form):
    """The self-check's questions (no account, no CSRF token: it only reads)."""

    education_field = SelectField(
        _l("Field of education"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose your field of education."))],
    )
    education_level = SelectField(
        _l("Level of education"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose your level of education."))],
    )
    practice_hours = StringField(
        _l("Practice hours"),
        filters=[whole_number_text],
        validators=[DataRequired(_l("Enter your hours of social-work practice (0 if none)."))],
    )
    training = RadioField(
        _l("Have you done the scheme's training (diklat)?"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validate_choice=False,
        validators=[DataRequired(_l("Say whether you have done the training."))],
    )
    position = StringField(
        _l("Your current position (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=MAX_POSITION_LENGTH, message=_l("The position is too long.")),
            _no_nul,
        ],
    )

    def validate_training(self, field) -> None:
        """Yes or no."""
        if field.data not in ("yes", "no"):
            raise ValidationError(_l("Say whether you have done the training."))

    def profile(self) -> Profile:
        """The answers as the evaluator reads them (call after ``validate``)."""
        return Profile(
            self.education_field.data,
            self.education_level.data,
            int(self.practice_hours.data),
            self.training.data == "yes",
            self.position.data or None,
        )


def _answered() -> bool:
    return any(name in request.args for name in QUESTIONS)


def _limit() -> str:
    return current_app.config["RATELIMIT_FORMS"]


@bp.get("/self-check")
@limiter.limit(_limit, exempt_when=lambda: not _answered())
def self_check():
    """The questions; with answers, every scheme's routes open now and what each closed one lacks."""
    form = SelfCheckForm(request.args if _answered() else None)
    results = register_url = None
    status = 200
    if _answered():
        if form.validate():
            profile = form.profile()
            results = check_schemes(profile)
            register_url = (
                url_for("auth.register")
                + "?"
                + urlencode(
                    {
                        "education_field": profile.education_field,
                        "education_level": profile.education_level,
                        "practice_hours": profile.practice_hours,
                        "training": "yes" if profile.training else "no",
                        **({"position": profile.position} if profile.position else {}),
                    }
                )
            )
        else:
            status = 422
    page = render_template(
        "public/self_check.html",
        form=form,
        results=results,
        register_url=register_url,
        education_fields=[(f, str(EDUCATION_FIELD_LABELS[f])) for f in EDUCATION_FIELDS],
        education_levels=[(v, str(EDUCATION_LEVEL_LABELS[v])) for v in EDUCATION_LEVELS],
        route_labels=ROUTE_LABELS,
        route_hints=ROUTE_HINTS,
    )
    return page, status
