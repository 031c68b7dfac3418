"""The one way dates are written for people: UK style, Europe/London, never an invented day.

`uk_date(value)` gives "12 March 2015"; with `month_only=True` (a date known only to the
month) "March 2015"; a datetime is shown in local time, "12 March 2015, 14:05". Pages,
emails, findings and the PDF all use it (files use ISO dates: `iso_date`).
"""

from __future__ import annotations

import calendar
import datetime as dt

# calendar.month_name looks each name up through strftime; a tuple is ~8x cheaper per date,
# which counts on a timeline of a thousand rows.
MONTHS = tuple(calendar.month_name)


def uk_date(value: dt.date | dt.datetime | None, *, month_only: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {MONTHS[value.month]} {value.year}, {value:%H:%M}"
    if month_only:
        return f"{MONTHS[value.month]} {value.year}"
    return f"{value.day} {MONTHS[value.month]} {value.year}"


def iso_date(value: dt.date, *, month_only: bool = False) -> str:
    """2015-03-12, or 2015-03 when only the month is known (the chronology format)."""
    return f"{value.year:04d}-{value.month:02d}" if month_only else value.isoformat()


def date_span(value: dt.date, *, month_only: bool = False) -> tuple[dt.date, dt.date]:
    """The earliest and the latest day a date can be: a month-only date is its whole month."""
    if not month_only:
        return value, value
    last = calendar.monthrange(value.year, value.month)[1]
    return value.replace(day=1), value.replace(day=last)


def certainly_before(a: dt.date, a_month_only: bool, b: dt.date, b_month_only: bool) -> bool:
    """Whether `a` is before `b` whatever days month-only dates turn out to be: the latest day
    `a` can be is before the earliest day `b` can be (docs/chronology-format.md, "Impossible
    orders"). A referral in March 2021 is not after an adoption on 5 March 2021."""
    return date_span(a, month_only=a_month_only)[1] < date_span(b, month_only=b_month_only)[0]


AS_OF_FORMAT_ERROR = "Enter the as-of date as YYYY-MM-DD, for example 2015-03-12"


def parse_iso_day(value: str) -> dt.date:
    """A day written YYYY-MM-DD; ValueError (AS_OF_FORMAT_ERROR) for anything else."""
    value = value.strip()
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(AS_OF_FORMAT_ERROR)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(AS_OF_FORMAT_ERROR) from None


def parse_as_of(value: str | None, *, today: dt.date) -> dt.date:
    """The as-of day a page or download is judged on: blank means today, and nothing is known
    after today. ValueError (AS_OF_FORMAT_ERROR) for anything but YYYY-MM-DD."""
    if not (value or "").strip():
        return today
    return min(parse_iso_day(value), today)
