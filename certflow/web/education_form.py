"""The education answers a page form asks (field, level, practice hours), checked one way everywhere.

Registration and the public self-check ask the same three questions; their forms take these checks
from here (WTForms runs ``validate_<field>`` methods of a base class too).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from workflows.eligibility import EDUCATION_FIELDS, EDUCATION_LEVELS

MAX_PRACTICE_HOURS = 100_000


class EducationChecks:
    """``validate_education_field``, ``validate_education_level`` and ``validate_practice_hours``."""

    def validate_education_field(self, field) -> None:
        """One of the fields of the list."""
        if field.data not in EDUCATION_FIELDS:
            raise ValidationError(_l("Choose a field of education from the list."))

    def validate_education_level(self, field) -> None:
        """One of the levels of the list."""
        if field.data not in EDUCATION_LEVELS:
            raise ValidationError(_l("Choose a level of education from the list."))

    def validate_practice_hours(self, field) -> None:
        """A whole number of hours, 0 to 100,000 ("1.500" is read as 1500 by the field's filter)."""
        value = field.data or ""
        if not (value.isascii() and value.isdigit() and len(value) <= 6) or int(value) > MAX_PRACTICE_HOURS:
            raise ValidationError(_l("Enter the practice hours as a whole number, 0 or more."))
