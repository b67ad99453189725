"""The candidate's forms: the APL-01 application form.

Every field may be left empty while the candidate works on it (the form is saved part-way);
the ``submit`` guard later asks for the fields it needs. The service
(``certflow.applications.operations.update_apl01``) checks everything again.
"""

from __future__ import annotations

import re

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from certflow.applications.identity import identity_errors
from certflow.applications.operations import APL01_TEXT_FIELDS, EDUCATION_LEVELS, MAX_PRACTICE_HOURS
from certflow.models.people import EDUCATION_FIELDS
from certflow.web.util import whole_number_text

_PHONE = re.compile(r"^[0-9+() .-]*$")
_NIP = re.compile(r"^[0-9 ]*$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _too_long(n: int):
    return Length(max=n, message=_l("At most %(max)d characters."))


class Apl01Form(FlaskForm):
    """APL-01: education, practice and work (all optional until the application is submitted)."""

    education_field = SelectField(_l("Field of education"), validate_choice=False)
    education_level = SelectField(_l("Level of education"), validate_choice=False)
    practice_hours = StringField(_l("Practice hours"), filters=[whole_number_text])
    training = BooleanField(_l("I have completed the scheme's training (diklat)"))
    route = RadioField(_l("Route of application"), validate_choice=False)
    purpose = SelectField(_l("Purpose of the assessment"), validate_choice=False)
    workplace = StringField(_l("Workplace"), filters=[_strip], validators=[_too_long(APL01_TEXT_FIELDS["workplace"])])
    position = StringField(_l("Position"), filters=[_strip], validators=[_too_long(APL01_TEXT_FIELDS["position"])])
    employee_id = StringField(
        _l("Employee number (NIP)"), filters=[_strip], validators=[_too_long(APL01_TEXT_FIELDS["employee_id"])]
    )
    phone = StringField(_l("Phone"), filters=[_strip], validators=[_too_long(APL01_TEXT_FIELDS["phone"])])
    address = TextAreaField(_l("Address"), filters=[_strip], validators=[_too_long(APL01_TEXT_FIELDS["address"])])
    nik = StringField(_l("NIK (national identity number)"), filters=[_strip], validators=[_too_long(24)])
    birth_place = StringField(
        _l("Place of birth"), filters=[_strip], validators=[_too_long(APL01_TEXT_FIELDS["birth_place"])]
    )
    birth_date = StringField(_l("Date of birth"), filters=[_strip])
    sex = SelectField(_l("Sex"), validate_choice=False)
    jf_level = SelectField(_l("Functional-position level"), validate_choice=False)

    IDENTITY = ("nik", "birth_date", "sex", "jf_level")

    def validate(self, extra_validators=None) -> bool:
        """Every field's own checks, then the identity fields together (the NIK against the date of birth
        and the sex), so that every fault is shown at once."""
        ok = super().validate(extra_validators)
        values = {name: getattr(self, name).data or None for name in self.IDENTITY}
        for name, message in identity_errors(values).items():
            field = getattr(self, name)
            if message not in field.errors:
                field.errors = [*field.errors, message]
            ok = False
        return ok

    def validate_education_field(self, field) -> None:
        """Empty, or one of peksos, kesos, other."""
        if field.data and field.data not in EDUCATION_FIELDS:
            raise ValidationError(_l("Choose a field of education from the list."))

    def validate_education_level(self, field) -> None:
        """Empty, or one of the levels of the list."""
        if field.data and field.data not in EDUCATION_LEVELS:
            raise ValidationError(_l("Choose a level of education from the list."))

    def validate_practice_hours(self, field) -> None:
        """Empty, or a whole number of hours from 0 to the maximum."""
        value = field.data or ""
        if value and (not (value.isascii() and value.isdigit() and len(value) <= 6) or int(value) > MAX_PRACTICE_HOURS):
            raise ValidationError(
                _l("Enter the practice hours as a whole number from 0 to %(n)s.", n=format_number(MAX_PRACTICE_HOURS))
            )

    def validate_employee_id(self, field) -> None:
        """Digits (spaces allowed)."""
        if not _NIP.match(field.data or ""):
            raise ValidationError(_l("The NIP has only digits."))

    def validate_phone(self, field) -> None:
        """Digits, spaces and + ( ) - ."""
        if not _PHONE.match(field.data or ""):
            raise ValidationError(_l("A phone number may hold only digits, spaces and + ( ) - ."))

    def service_data(self) -> dict:
        """The form as ``update_apl01`` takes it: every field, ``None`` for an empty one (which clears it)."""
        data = {name: (getattr(self, name).data or None) for name in ("education_field", "education_level")}
        hours = self.practice_hours.data
        data["practice_hours"] = int(hours) if hours else None
        data["training"] = bool(self.training.data)
        data["route"] = self.route.data or None
        data["purpose"] = self.purpose.data or None
        for name in (*APL01_TEXT_FIELDS, *self.IDENTITY):
            data[name] = getattr(self, name).data or None
        return data

    def fill(self, apl01: dict) -> None:
        """Show the saved form."""
        for name in ("education_field", "education_level", "route", "purpose", *APL01_TEXT_FIELDS, *self.IDENTITY):
            getattr(self, name).data = apl01.get(name) or ""
        self.training.data = bool(apl01.get("training"))
        hours = apl01.get("practice_hours")
        self.practice_hours.data = "" if hours is None else str(hours)
