"""The time rules: when a follow-up review is due, overdue, missed or held late, and when an
entry was logged late. One policy, read by the findings, the case page, My cases, the
dashboard (whose SQL takes these numbers as parameters), reminders, the timeline, the JSON,
the CSV and the PDF, so that all of them say the same of the same review on the same day.

The numbers are settings (chronology format, "Defaults"): `REVIEW_GRACE_DAYS` (14),
`LATE_LOGGING_DAYS` (7; also how long after its logging an entry may be typed into casereview
before it counts as a backfill), `ONGOING_STALE_DAYS` (28); `DUE_SOON_DAYS` (30) is how far ahead
a review counts as due soon.

A follow-up review, judged on a day D (today, or the as-of day of a timeline or PDF):

| state        | when                                                         |
|--------------|--------------------------------------------------------------|
| scheduled    | not held, D is more than DUE_SOON_DAYS before the due date    |
| due soon     | not held, D is on or before the due date, within DUE_SOON_DAYS |
| overdue      | not held, D is 1 to REVIEW_GRACE_DAYS days after the due date  |
| missed       | not held, D is more than REVIEW_GRACE_DAYS after the due date  |
| held         | held on or before due date + REVIEW_GRACE_DAYS                |
| held late    | held more than REVIEW_GRACE_DAYS after the due date            |
| not possible | closed as not possible (with a reason); cancelled likewise     |

A review held after D is not known on D: it is judged as not held.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models

# Months after the exit at which each follow-up review is due.
REVIEW_MONTHS = {"6_month": 6, "12_month": 12}


def add_months(value: dt.date, months: int) -> dt.date:
    """Same day of the month `months` later; the month's last day when that day does not exist.

    31 August + 6 months is 28 February (29th in a leap year).
    """
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def review_due_on(exited_on: dt.date, kind: str) -> dt.date:
    """A review is due on the same day of the month as the exit, 6 or 12 months later."""
    return add_months(exited_on, REVIEW_MONTHS[kind])


class ReviewState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    MISSED = "missed", "Missed"
    HELD = "held", "Held"
    HELD_LATE = "held_late", "Held late"
    NOT_POSSIBLE = "not_possible", "Not possible"
    CANCELLED = "cancelled", "Cancelled"

    @property
    def colour(self) -> str:
        """The GOV.UK tag colour that goes with the state, everywhere it is shown."""
        return _COLOURS[self]

    @property
    def needs_attention(self) -> bool:
        return self in (ReviewState.OVERDUE, ReviewState.MISSED)


_COLOURS = {
    ReviewState.SCHEDULED: "blue",
    ReviewState.DUE_SOON: "yellow",
    ReviewState.OVERDUE: "red",
    ReviewState.MISSED: "red",
    ReviewState.HELD: "green",
    ReviewState.HELD_LATE: "orange",
    ReviewState.NOT_POSSIBLE: "grey",
    ReviewState.CANCELLED: "grey",
}


@dataclass(frozen=True)
class TimeRules:
    review_grace_days: int = 14
    late_logging_days: int = 7
    ongoing_stale_days: int = 28
    due_soon_days: int = 30

    @classmethod
    def current(cls) -> TimeRules:
        """The rules as the settings say now (tests may change the settings)."""
        return cls(
            review_grace_days=settings.REVIEW_GRACE_DAYS,
            late_logging_days=settings.LATE_LOGGING_DAYS,
            ongoing_stale_days=settings.ONGOING_STALE_DAYS,
            due_soon_days=getattr(settings, "DUE_SOON_DAYS", cls.due_soon_days),
        )

    # ---- follow-up reviews

    def missed_before(self, on: dt.date) -> dt.date:
        """A review not held is missed on `on` when it was due before this day."""
        return on - dt.timedelta(days=self.review_grace_days)

    def due_soon_until(self, on: dt.date) -> dt.date:
        return on + dt.timedelta(days=self.due_soon_days)

    def held_late(self, due_on: dt.date, held_on: dt.date) -> bool:
        return (held_on - due_on).days > self.review_grace_days

    def days_late(self, due_on: dt.date, held_on: dt.date) -> int:
        return (held_on - due_on).days

    def review_state(
        self,
        *,
        due_on: dt.date,
        on: dt.date,
        held_on: dt.date | None = None,
        closed: str = "",
    ) -> ReviewState:
        """The state of a review due on `due_on`, held on `held_on` (if it was), judged on `on`.

        `closed` is "not_possible" or "cancelled" for a review closed without being held.
        """
        if held_on is not None and held_on <= on:
            return ReviewState.HELD_LATE if self.held_late(due_on, held_on) else ReviewState.HELD
        if closed:
            return ReviewState(closed)
        if due_on < self.missed_before(on):
            return ReviewState.MISSED
        if due_on < on:
            return ReviewState.OVERDUE
        if due_on <= self.due_soon_until(on):
            return ReviewState.DUE_SOON
        return ReviewState.SCHEDULED

    # ---- logging

    def logging_lag(self, happened: dt.date, logged_on: dt.date) -> int:
        """Days from when it happened (a month-only date: the month's last day) to its logging."""
        return (logged_on - happened).days

    def logged_late(self, happened: dt.date, logged_on: dt.date) -> bool:
        """Logged more than LATE_LOGGING_DAYS after it happened: a finding, and a reason asked."""
        return self.logging_lag(happened, logged_on) > self.late_logging_days

    def backfilled(self, logged_on: dt.date, entered_on: dt.date | None) -> bool:
        """Typed into casereview more than LATE_LOGGING_DAYS after the agency logged it in its own
        record: a backfill from documents. Shown (and listed for supervisors) but not a finding."""
        return entered_on is not None and (entered_on - logged_on).days > self.late_logging_days
