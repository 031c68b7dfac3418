"""Calendar arithmetic for follow-up reviews (chronology-format.md, "Defaults")."""

import calendar
import datetime as dt

REVIEW_MONTHS = {"6_month": 6, "12_month": 12}


def add_months(value: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later; the month's last day when that day does not exist.

    31 August + 6 months is 28 February (29th in a leap year).
    """
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def review_due_on(exited_on: dt.date, kind: str) -> dt.date:
    return add_months(exited_on, REVIEW_MONTHS[kind])
