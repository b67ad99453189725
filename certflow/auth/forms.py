"""Forms of the login and registration pages."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from certflow.core.labels import EDUCATION_FIELD_LABELS
from certflow.models.people import EDUCATION_FIELDS
from certflow.notifications.whatsapp import normalise_number
from certflow.people.passwords import password_problem
from certflow.schemes.selfcheck import MAX_POSITION_LENGTH
from certflow.web.education_form import EducationChecks
from certflow.web.util import whole_number_text
from workflows.eligibility import EDUCATION_LEVELS

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def email_format(form, field) -> None:
    """An e-mail address: something@domain.tld (no external validator needed)."""
    if not EMAIL.match(field.data or ""):
        raise ValidationError(_l("Enter a valid e-mail address, e.g. name@example.id."))


def new_password_field(label) -> PasswordField:
    """A new password: required, 8 to 200 characters."""
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=8, message=_l("The password must have at least 8 characters.")),
            Length(max=200, message=_l("The password is too long.")),
        ],
    )


def confirm_password_field() -> PasswordField:
    """The new password again (the field ``password`` of the same form)."""
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class LoginForm(FlaskForm):
    """E-mail and password; any mistake gets the same message, so the form reveals nothing."""

    email = StringField(
        _l("E-mail"), filters=[_strip], validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)]
    )
    # A bound on the password keeps a huge input from tying up the password hasher.
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])


def education_field_choices() -> list[tuple[str, str]]:
    """(value, translated label) of every education field."""
    return [(f, str(EDUCATION_FIELD_LABELS[f])) for f in EDUCATION_FIELDS]


def education_level_choices() -> list[tuple[str, str]]:
    """(value, label) of every education level."""
    return [(level, level) for level in EDUCATION_LEVELS]


class RegisterForm(EducationChecks, FlaskForm):
    """A candidate's self-registration: who they are, their dinas, education and practice.

    No password here: the e-mailed link to set it confirms that the address is the person's.

    The selects are drawn by the template (the dinas grouped by province), so the fields
    hold no choices; each ``validate_*`` method checks the value against its list.
    """

    name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your full name.")), Length(max=160, message=_l("The name is too long."))],
    )
    email = StringField(
        _l("E-mail"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
            email_format,
        ],
    )
    dinas = SelectField(
        _l("Your Dinas Sosial"), validate_choice=False, validators=[DataRequired(_l("Choose your Dinas Sosial."))]
    )
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
    # The self-check's two other answers, kept for the first application form (APL-01).
    training = BooleanField(_l("I have completed the scheme's training (diklat)"))
    position = StringField(
        _l("Your current position (optional)"),
        filters=[_strip],
        validators=[Length(max=MAX_POSITION_LENGTH, message=_l("The position is too long."))],
    )

    def __init__(self, *args, dinas_ids: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dinas_ids = dinas_ids

    def validate_dinas(self, field) -> None:
        """The dinas must be one of the list."""
        if field.data not in self.dinas_ids:
            raise ValidationError(_l("Choose a Dinas Sosial from the list."))


class ForgotPasswordForm(FlaskForm):
    """The e-mail address of an account whose password is forgotten."""

    email = StringField(
        _l("E-mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254), email_format],
    )


class NewPasswordRules:
    """``validate_password``: refuse a common or too simple password, or one made of the owner's e-mail or name."""

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def validate_password(self, field) -> None:
        """The password is none of the most used ones, nor the owner's e-mail or name."""
        if len(field.data or "") < 8:  # the length has its own message
            return
        problem = password_problem(
            field.data or "", getattr(self.owner, "email", None), getattr(self.owner, "name", None)
        )
        if problem:
            raise ValidationError(_l(problem))


class SetPasswordForm(NewPasswordRules, FlaskForm):
    """A new password, twice."""

    password = new_password_field(_l("New password"))
    confirm = confirm_password_field()


class ChangePasswordForm(NewPasswordRules, FlaskForm):
    """The current password, and a new one twice."""

    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password.")), Length(max=200)]
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_password_field()


class SignOutEverywhereForm(FlaskForm):
    """The "sign out everywhere" button (only the CSRF token)."""


class WhatsAppForm(FlaskForm):
    """A WhatsApp number and the consent to receive notifications there (unticked: withdrawn)."""

    number = StringField(
        _l("WhatsApp number"), filters=[_strip], validators=[Length(max=32, message=_l("The number is too long."))]
    )
    consent = BooleanField(_l("Send me certflow notifications on WhatsApp as well as by e-mail"))

    def validate_number(self, field) -> None:
        """Empty, or a mobile number certflow can write in full (``08…`` becomes ``+628…``)."""
        if not field.data:
            if self.consent.data:
                raise ValidationError(_l("Enter your WhatsApp number to receive notifications there."))
            return
        normalised = normalise_number(field.data)
        if normalised is None:
            raise ValidationError(
                _l("Enter a mobile number that has WhatsApp, e.g. 0812 3456 7890 or +62 812 3456 7890.")
            )
        field.data = normalised
