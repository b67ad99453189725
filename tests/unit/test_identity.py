"""APL-01's identity fields checked as plain Python: a table of NIKs, dates of birth, the mask."""

from datetime import date

import pytest

from workflows.identity import (
    JF_LEVELS,
    PROVINCE_CODES,
    age_on,
    birth_date_fault,
    clean_nik,
    mask_nik,
    nik_birth,
    nik_faults,
)

MAN = date(1985, 8, 15)
WOMAN = date(1990, 3, 2)


@pytest.mark.parametrize(
    ("nik", "birth", "sex", "faults"),
    [
        # good ones: a man of Jakarta Pusat, a woman of Bintan (day 02 + 40), one of Aceh without cross-checks
        ("3171011508850001", MAN, "male", []),
        ("2101024203900002", WOMAN, "female", []),
        ("1101010101700001", None, None, []),
        ("9401012902000001", date(2000, 2, 29), "male", []),  # 29 February 2000 is a day
        # the length and the digits
        ("317101150885000", None, None, ["length"]),
        ("31710115088500011", None, None, ["length"]),
        ("31710115088500a1", None, None, ["length"]),
        ("", None, None, ["length"]),
        ("３１７１０１１５０８８５０００１", None, None, ["length"]),  # full-width digits are not ASCII
        ("0000000000000000", None, None, ["zeros"]),
        # the region
        ("9971011508850001", MAN, "male", ["province"]),
        ("2071011508850001", MAN, "male", ["province"]),  # 20 is no province (Kepri is 21)
        ("3100011508850001", MAN, "male", ["region"]),
        ("3171001508850001", MAN, "male", ["region"]),
        # the date of birth in the digits
        ("3171013208850001", None, None, ["birth"]),  # day 32
        ("3171017208850001", None, None, ["birth"]),  # day 72 (a woman's 32)
        ("3171011513850001", None, None, ["birth"]),  # month 13
        ("3171013102850001", None, None, ["birth"]),  # 31 February
        ("3171012902850001", None, None, ["birth"]),  # 29 February 1985 / 2085
        ("3171010000000001", None, None, ["birth"]),
        # against the date of birth and the sex given
        ("3171011608850001", MAN, "male", ["birth_mismatch"]),
        ("3171011509850001", MAN, "male", ["birth_mismatch"]),
        ("3171011508860001", MAN, "male", ["birth_mismatch"]),
        ("3171011508850001", MAN, "female", ["sex_mismatch"]),
        ("2101024203900002", WOMAN, "male", ["sex_mismatch"]),
        ("2101020203900002", WOMAN, "female", ["sex_mismatch"]),  # a woman's day without the +40
        ("3171011508850000", MAN, "male", ["serial"]),
        # every fault at once
        ("9900003208850000", MAN, "female", ["province", "region", "birth", "serial"]),
        ("9900005508850000", MAN, "male", ["province", "region", "sex_mismatch", "serial"]),
    ],
)
def test_nik_table(nik, birth, sex, faults):
    assert nik_faults(nik, birth_date=birth, sex=sex) == faults


def test_the_digits_give_day_month_year_and_sex():
    assert nik_birth("3171011508850001") == (15, 8, 85, "male")
    assert nik_birth("2101024203900002") == (2, 3, 90, "female")
    assert nik_birth("3171014008850001") is None  # day 40: neither a man's nor a woman's day


def test_people_type_groups_with_spaces_and_dots():
    assert clean_nik("3171 0115 0885 0001") == "3171011508850001"
    assert clean_nik("31.71.01.150885.0001") == "3171011508850001"


def test_the_province_codes_are_the_38_provinces():
    assert len(PROVINCE_CODES) == 38
    assert {"11", "21", "31", "36", "51", "65", "76", "82", "91", "96"} <= PROVINCE_CODES
    assert not {"00", "10", "20", "37", "54", "66", "77", "83", "97"} & PROVINCE_CODES


@pytest.mark.parametrize(
    ("born", "fault"),
    [
        (date(2026, 12, 3), "future"),
        (date(2027, 1, 1), "future"),
        (date(2009, 12, 4), "too_young"),  # 16 until tomorrow
        (date(2009, 12, 3), None),  # 17 today
        (date(1946, 12, 3), None),  # 80 today
        (date(1945, 12, 2), "too_old"),  # 81
        (date(1985, 8, 15), None),
    ],
)
def test_date_of_birth(born, fault):
    assert birth_date_fault(born, date(2026, 12, 3)) == fault


def test_age_counts_whole_years():
    assert age_on(date(2000, 2, 29), date(2017, 2, 28)) == 16
    assert age_on(date(2000, 2, 29), date(2017, 3, 1)) == 17


def test_the_mask_keeps_four_and_four():
    assert mask_nik("3171011508850001") == "3171********0001"
    assert mask_nik("1234") == "****"


def test_levels_offer_both_positions_and_none():
    wanted = {"peksos_terampil", "peksos_ahli_utama", "penyuluh_ahli_pertama", "penyuluh_ahli_utama", "none"}
    assert wanted <= set(JF_LEVELS)
    assert len(JF_LEVELS) == 15  # seven levels of each position, and none
