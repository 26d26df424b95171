"""Dates known to a day, a month or a year, as news sources give them."""

import datetime as dt
import re

_FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check(value: str) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD naming a real day, month or year.

    >>> check("2024-05-14")
    '2024-05-14'
    >>> check("2016-06")
    '2016-06'
    >>> check("2024-02-30")
    Traceback (most recent call last):
    ...
    ValueError: 2024-02-30 is not a real date
    >>> check("14 May 2024")
    Traceback (most recent call last):
    ...
    ValueError: '14 May 2024' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD
    """
    match = _FORM.match(value)
    if not match:
        shown = repr(value) if len(value) <= 40 else f"{value[:40]!r}… ({len(value)} chars)"
        raise ValueError(f"{shown} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{value} is not a real date") from None
    return value


def precision(value: str) -> str:
    """'day', 'month' or 'year'.

    >>> [precision(d) for d in ("2024-05-14", "2016-06", "2006")]
    ['day', 'month', 'year']
    """
    return {10: "day", 7: "month", 4: "year"}[len(value)]


def xsd_type(value: str) -> str:
    """The XML Schema datatype whose lexical form this date is."""
    return {"day": "date", "month": "gYearMonth", "year": "gYear"}[precision(value)]


def earliest(value: str) -> str:
    """The first day a partial date can mean, for comparisons.

    >>> earliest("2016-06"), earliest("2006"), earliest("2024-05-14")
    ('2016-06-01', '2006-01-01', '2024-05-14')
    """
    return {10: value, 7: value + "-01", 4: value + "-01-01"}[len(value)]
