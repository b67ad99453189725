"""APL-01's identity fields — NIK, place and date of birth, sex, functional-position level — checked
and worded: the checks are ``workflows.identity`` (plain Python); this module gives each fault its
message, for the service behind ``PUT …/apl01`` and for the page form alike, so both refuse the same
input with the same words and every fault at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from certflow import clock
from workflows.identity import JF_LEVELS, SEXES, birth_date_fault, clean_nik, nik_faults

IDENTITY_TEXT_FIELDS = {"birth_place": 100}
IDENTITY_FIELDS = ("nik", "birth_place", "birth_date", "sex", "jf_level")

NIK_MESSAGES = {
    "length": _l("A NIK has exactly 16 digits."),
    "zeros": _l("A NIK cannot be all zeros."),
    "province": _l("The first two digits of the NIK are not the code of a province of Indonesia."),
    "region": _l("Digits 3 to 6 of the NIK (regency or city, and district) cannot be 00."),
    "birth": _l("Digits 7 to 12 of the NIK are not a date of birth (DDMMYY, a woman's day plus 40)."),
    "birth_mismatch": _l("Digits 7 to 12 of the NIK do not agree with the date of birth given."),
    "sex_mismatch": _l("Digits 7 and 8 of the NIK do not agree with the sex given (a woman's day is plus 40)."),
    "serial": _l("The last four digits of the NIK cannot be 0000."),
}
BIRTH_DATE_MESSAGES = {
    "future": _l("The date of birth must be in the past."),
    "too_young": _l("The date of birth gives an age under 17."),
    "too_old": _l("The date of birth gives an age over 80."),
}


def parse_birth_date(value: Any) -> date | None:
    """A date of birth as ``YYYY-MM-DD`` (or a ``date``), else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def identity_errors(form: dict, today: date | None = None) -> dict[str, str]:
    """Every fault of the identity fields of ``form`` (the APL-01 as it would be saved), by field.

    The NIK is checked on its own and against the date of birth and sex of the same form.
    """
    today = today or clock.today()
    errors: dict[str, str] = {}
    born = None
    if form.get("birth_date") not in (None, ""):
        born = parse_birth_date(form["birth_date"])
        if born is None:
            errors["birth_date"] = str(_l("Enter the date of birth as a date (year-month-day)."))
        elif fault := birth_date_fault(born, today):
            errors["birth_date"] = str(BIRTH_DATE_MESSAGES[fault])
    sex = form.get("sex")
    if sex not in (None, "") and sex not in SEXES:
        errors["sex"] = str(_l("Choose the sex from the list."))
    level = form.get("jf_level")
    if level not in (None, "") and level not in JF_LEVELS:
        errors["jf_level"] = str(_l("Choose a functional-position level from the list."))
    nik = form.get("nik")
    if nik not in (None, ""):
        if not isinstance(nik, str):
            errors["nik"] = str(NIK_MESSAGES["length"])
        else:
            faults = nik_faults(clean_nik(nik), birth_date=born, sex=sex if sex in SEXES else None)
            if faults:
                errors["nik"] = " ".join(str(NIK_MESSAGES[f]) for f in faults)
    return errors


def clean_identity(form: dict) -> dict:
    """The identity fields as stored: the NIK without separators, the date of birth as ISO text."""
    out = dict(form)
    if isinstance(out.get("nik"), str):
        out["nik"] = clean_nik(out["nik"])
    born = parse_birth_date(out.get("birth_date"))
    if born is not None:
        out["birth_date"] = born.isoformat()
    return out
