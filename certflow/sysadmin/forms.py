"""Forms of the system admin's pages.

The fields only draw the inputs and keep what was typed; the services
(``certflow.schemes.operations``, ``certflow.sysadmin.accounts``) check the values and
say what is wrong, field by field. Choice lists (roles, dinas, education, documents) are
drawn by the templates as check boxes or grouped selects.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField


class SchemeForm(FlaskForm):
    """A scheme's settings (its standard is edited item by item on the scheme's page)."""

    code = StringField(_l("Code"))
    name = StringField(_l("Name"))
    level = StringField(_l("Level"))
    description = TextAreaField(_l("Description"))
    validity_years = StringField(_l("Validity of a certificate (years)"))
    min_team_size = StringField(_l("Minimum assessor-team size"))
    max_load = StringField(_l("Maximum load per assessor"))
    min_practice_hours = StringField(_l("Minimum practice hours"))
    allow_same_dinas = BooleanField(_l("Assessors may assess candidates of their own dinas (with a recorded reason)"))


class VersionForm(FlaskForm):
    """The code and name of a scheme's new version."""

    code = StringField(_l("Code of the new version"))
    name = StringField(_l("Name of the new version"))
    deactivate_old = BooleanField(_l("Close the current version to new applications"), default=True)


class UserForm(FlaskForm):
    """A user's name and e-mail (roles, dinas and education are drawn by the template)."""

    name = StringField(_l("Full name"))
    email = StringField(_l("E-mail"))


class AppointForm(FlaskForm):
    """The e-mail address of the person to appoint as a dinas's admin."""

    email = StringField(_l("E-mail of the person to appoint"))
