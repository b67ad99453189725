"""The assessor's conflict-of-interest declaration form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from certflow.assessment.scoring import NOTE_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ConflictForm(FlaskForm):
    """No conflict, or a conflict and what it is."""

    # Two radio buttons, drawn by the template ("no" / "yes").
    conflict = StringField(_l("Do you have a conflict of interest with this candidate?"))
    note = TextAreaField(
        _l("Note"),
        filters=[_strip],
        validators=[Length(max=NOTE_MAX, message=_l("The note may have at most %(max)d characters."))],
    )

    def validate_conflict(self, field) -> None:
        """One of the two answers."""
        if field.data not in ("no", "yes"):
            raise ValidationError(_l("Choose one of the two answers."))

    def validate_note(self, field) -> None:
        """A conflict needs a note saying what it is."""
        if self.conflict.data == "yes" and not field.data:
            raise ValidationError(
                _l("Say what the conflict of interest is (a relative, a colleague, your own dinas…).")
            )
