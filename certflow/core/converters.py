"""URL converters for the whole application: ids in paths are bounded 32-bit integers."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id a column holds (PostgreSQL ``integer``): beyond it no record exists.
MAX_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers 0‥``limit`` (leading zeros allowed)."""
    digits = str(limit)
    n = len(digits)
    parts = [rf"\d{{1,{n - 1}}}"] if n > 1 else []  # fewer digits than the limit
    for i, d in enumerate(digits):  # the limit's first i digits, then a smaller one, then any
        if d != "0":
            parts.append(digits[:i] + f"[0-{int(d) - 1}]" + (rf"\d{{{n - i - 1}}}" if n - i - 1 else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only 0‥2**31-1, so a larger id is a 404 (no route), never a database error.

    The bound is in the regular expression, not only in ``max``: werkzeug checks a converter's
    value after it has matched the path and the method, so a value refused there would make the
    route's other methods answer 405 instead of 404.
    """

    regex = _at_most(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002  (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app) -> None:
    """Make ``<int:…>`` bounded for every route; call before the blueprints are registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def as_id(value: object) -> int | None:
    """A record id from a form, query or JSON value: ASCII digits (or an int) from 1 to ``MAX_ID``, else None.

    ``str.isdigit`` alone is not enough: ``"²"`` is a digit to it and not to ``int()``, and ten
    digits overflow a PostgreSQL ``integer``.
    """
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None
