"""WhatsApp numbers as people type them, written in full (E.164) or refused."""

import pytest

from certflow.notifications.whatsapp import normalise_number


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("0811234567", "+62811234567"),  # the shortest Indonesian mobile numbers
        ("+65 9123 4567", "+6591234567"),  # a number abroad, already in full
    ],
)
def test_numbers_people_type_are_written_in_full(typed, stored):
    assert normalise_number(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12345",
        "0778 123456",  # a Batam landline: no WhatsApp
        "+62 21 555 1234",  # a Jakarta landline
        "08123",  # too short
        "0812345678901234",  # too long
        "0812-abc-7890",
        "+0 812 3456 7890",
    ],
)
def test_what_is_no_mobile_number_is_refused(typed):
    assert normalise_number(typed) is None
