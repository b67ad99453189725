"""The identity fields of APL-01, checked as plain Python: the NIK, the date of birth, the sex.

The NIK (*Nomor Induk Kependudukan*) has 16 digits: the region (province 2, kab/kota 2, kecamatan 2),
the date of birth as DDMMYY (a woman's day is +40), and a 4-digit serial. ``nik_faults`` gives
every fault found as a code (the caller words it); ``birth_date_fault`` checks the date of birth
against a given ``today``. Nothing here reads the clock, the database or a request.
"""

from __future__ import annotations

from datetime import date

NIK_LENGTH = 16
SEXES = ("male", "female")
MIN_AGE, MAX_AGE = 17, 80

# The province codes of Indonesia's 38 provinces (Kemendagri, BPS): Sumatra 11–19 and 21, Java 31–36,
# Bali and Nusa Tenggara 51–53, Kalimantan 61–65, Sulawesi 71–76, Maluku 81–82, Papua 91–96.
PROVINCE_CODES = frozenset(
    {
        *(str(n) for n in range(11, 20)),
        "21",
        *(str(n) for n in range(31, 37)),
        "51",
        "52",
        "53",
        *(str(n) for n in range(61, 66)),
        *(str(n) for n in range(71, 77)),
        "81",
        "82",
        *(str(n) for n in range(91, 97)),
    }
)

# The functional-position levels APL-01 offers (DOMAIN.md): Pekerja Sosial's skilled track and
# expert track, Penyuluh Sosial's levels, or none. The Penyuluh Sosial levels listed follow the
# same two tracks, as the functional-position pages' demo content does; the certification body is to
# confirm them against the current regulation.
JF_LEVELS = (
    "peksos_terampil",
    "peksos_mahir",
    "peksos_penyelia",
    "peksos_ahli_pertama",
    "peksos_ahli_muda",
    "peksos_ahli_madya",
    "peksos_ahli_utama",
    "penyuluh_terampil",
    "penyuluh_mahir",
    "penyuluh_penyelia",
    "penyuluh_ahli_pertama",
    "penyuluh_ahli_muda",
    "penyuluh_ahli_madya",
    "penyuluh_ahli_utama",
    "none",
)
JF_TRACKS = ("peksos", "penyuluh")
# A level's own word → the code's tail (``ahli_pertama``): the words people write on both tracks.
_LEVEL_WORDS = {
    "terampil": "terampil",
    "mahir": "mahir",
    "penyelia": "penyelia",
    "pertama": "ahli_pertama",
    "muda": "ahli_muda",
    "madya": "ahli_madya",
    "utama": "ahli_utama",
}
# Words that only repeat what the level says: the position's name, "ahli" before an expert level.
_FILLER_WORDS = frozenset({"ahli", "pekerja", "sosial", "peksos", "penyuluh", "jabatan", "fungsional", "jf", "jenjang"})
_NO_LEVEL_WORDS = frozenset({"none", "tidak ada", "tanpa jabatan fungsional", "bukan jabatan fungsional"})


def jf_track(position: str) -> str:
    """The track a position's free text belongs to: ``penyuluh`` if it names penyuluh, else ``peksos``."""
    return "penyuluh" if "penyuluh" in position.lower() else "peksos"


def jf_level_code(text: str, position: str = "") -> str | None:
    """The ``JF_LEVELS`` code of a level as people write it, or None if the words are no level.

    Takes a code (``peksos_ahli_pertama``), a register's older short code (``pertama``) or the
    Indonesian words (``Ahli Pertama``, ``Penyuluh Sosial Mahir``). When the words do not say the
    track (Pekerja Sosial or Penyuluh Sosial), the position's text does (``jf_track``).
    """
    words = " ".join(text.lower().replace("_", " ").replace("-", " ").split())
    if words in _NO_LEVEL_WORDS:
        return "none"
    tokens = words.split()
    levels = [_LEVEL_WORDS[t] for t in tokens if t in _LEVEL_WORDS]
    if len(levels) != 1 or any(t not in _LEVEL_WORDS and t not in _FILLER_WORDS for t in tokens):
        return None
    if "ahli" in tokens and not levels[0].startswith("ahli_"):
        return None  # "Ahli Mahir" is no level
    if "penyuluh" in tokens:
        track = "penyuluh"
    elif "pekerja" in tokens or "peksos" in tokens:
        track = "peksos"
    else:
        track = jf_track(position)
    return f"{track}_{levels[0]}"


def clean_nik(value: str) -> str:
    """The NIK as typed, without the spaces and dots people put between the groups."""
    return "".join(ch for ch in value if ch not in " .-")


def nik_birth(nik: str) -> tuple[int, int, int, str] | None:
    """(day, month, two-digit year, sex) encoded in digits 7–12, or None if they are not a date."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "male"
    if day > 40:
        day, sex = day - 40, "female"
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    # A real calendar day in some century (29 February needs a leap year: 2000 counts for 00).
    if not any(_is_date(century + year, month, day) for century in (1900, 2000)):
        return None
    return day, month, year, sex


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def nik_faults(nik: str, *, birth_date: date | None = None, sex: str | None = None) -> list[str]:
    """Every fault of ``nik`` (already cleaned), as codes; [] when it is good.

    ``length`` (not 16 digits; nothing else is checked then), ``zeros`` (all zeros), ``province``
    (the first two digits are no province), ``region`` (kab/kota or kecamatan is 00), ``birth``
    (digits 7–12 are no date), ``birth_mismatch`` (not the date of birth given), ``sex_mismatch``
    (the +40 of the day does not agree with the sex given), ``serial`` (the last four are 0000).
    """
    if len(nik) != NIK_LENGTH or not (nik.isascii() and nik.isdigit()):
        return ["length"]
    if set(nik) == {"0"}:
        return ["zeros"]
    faults = []
    if nik[:2] not in PROVINCE_CODES:
        faults.append("province")
    if nik[2:4] == "00" or nik[4:6] == "00":
        faults.append("region")
    encoded = nik_birth(nik)
    if encoded is None:
        faults.append("birth")
    else:
        day, month, year, encoded_sex = encoded
        if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, year):
            faults.append("birth_mismatch")
        if sex in SEXES and sex != encoded_sex:
            faults.append("sex_mismatch")
    if nik[12:] == "0000":
        faults.append("serial")
    return faults


def age_on(birth_date: date, today: date) -> int:
    """Whole years from ``birth_date`` to ``today``."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def birth_date_fault(birth_date: date, today: date) -> str | None:
    """``future`` (today or later), ``too_young`` (under 17), ``too_old`` (over 80) or None."""
    if birth_date >= today:
        return "future"
    age = age_on(birth_date, today)
    if age < MIN_AGE:
        return "too_young"
    if age > MAX_AGE:
        return "too_old"
    return None


def mask_nik(nik: str) -> str:
    """The NIK as a certifier sees it: the first four and the last four digits (``3171********0001``)."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
