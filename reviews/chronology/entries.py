"""The chronology entry: one row of docs/chronology-format.md.

Every case record becomes one or more `Entry` values (a session that was
planned and then held is two entries, each with its own logged date). The
findings engine, the timeline, the CSV export and the PDF all work from the
list that `entries_for_case` returns, so they can never disagree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import models

from casereview.timerules import TimeRules
from casereview.ukdates import iso_date, uk_date


class EntryType(models.TextChoices):
    """The entry types of the chronology format, in the order entries of one day are sorted."""

    REFERRAL = "referral", "Referral"
    PANEL_MEETING = "panel_meeting", "Panel meeting"
    CASE_ADOPTED = "case_adopted", "Case adopted"
    IP_ASSIGNED = "ip_assigned", "Provider commissioned"
    BRIEFING_ISSUED = "briefing_issued", "Written briefing"
    SESSION_PLANNED = "session_planned", "Session planned"
    SESSION_HELD = "session_held", "Session held"
    SESSION_CANCELLED = "session_cancelled", "Session cancelled"
    AGENCY_ACCOUNT = "agency_account", "Agency account"
    CASE_EXITED = "case_exited", "Case exited"
    REVIEW_CONDUCTED = "review_conducted", "Review conducted"
    CONTACT = "contact", "Contact"
    NOTE = "note", "Note"
    # Closing the loops (issue 17): after `session_held`, and a question before its answer.
    SESSION_CONFIRMED = "session_confirmed", "Session confirmed"
    QUESTION_ASKED = "question_asked", "Question to the provider"
    QUESTION_ANSWERED = "question_answered", "Provider’s answer"
    # The referrer told the outcome (issue 17): after the decision or exit of the same day.
    REFERRAL_OUTCOME = "referral_outcome", "Referrer told the outcome"


ENTRY_TYPES = tuple(EntryType.values)
# Types that raise no finding and change none (docs/chronology-format.md): no rule counts them
# and they are never "logged late" (a confirmation's logged_on is the day it was confirmed).
QUIET_TYPES = frozenset(
    {"session_confirmed", "question_asked", "question_answered", "referral_outcome"}
)
ENTRY_TYPE_LABELS = dict(EntryType.choices)
_ORDER = {value: index for index, value in enumerate(ENTRY_TYPES)}


def month_end(value: dt.date) -> dt.date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


@dataclass(frozen=True)
class Entry:
    """One chronology entry, as the interchange format carries it."""

    case_ref: str
    agency: str
    entry_type: str
    # The stored date: for month precision the first day of the month.
    occurred_on: dt.date
    logged_on: dt.date
    summary: str
    month_only: bool = False
    source: str = ""
    recorded_by: str = ""
    sessions_believed: int | None = None
    believed_status: str = ""
    review_kind: str = ""
    risk_level: str = ""
    late_reason: str = ""
    # Which record it comes from ("interventionsession:12"), to link findings to records.
    record_key: str = ""
    # Who logged it in casereview (display name), for pages and the PDF.
    logged_by: str = ""
    # When it was typed into casereview (local date of the record's creation; the moment of
    # entry, apart from `occurred_on` and `logged_on`). None for rows only in a file.
    entered_on: dt.date | None = field(default=None, compare=False)
    # How the provider was asked (`ip_assigned` only): written, email, phone, meeting.
    commissioned_by: str = ""
    voided: bool = field(default=False, compare=False)
    # The record this entry is about: a confirmation's session ("interventionsession:12"),
    # an answer's question ("providerquestion:3"); else "".
    about: str = ""

    @property
    def date(self) -> dt.date:
        """The date for ordering and every finding rule (a month-only date is its last day)."""
        return month_end(self.occurred_on) if self.month_only else self.occurred_on

    def logged_late(self, rules: TimeRules) -> bool:
        """Logged more than LATE_LOGGING_DAYS after it happened (casereview.timerules); never
        for a quiet type (`QUIET_TYPES`)."""
        if self.entry_type in QUIET_TYPES:
            return False
        return rules.logged_late(self.date, self.logged_on)

    def backfilled(self, rules: TimeRules) -> bool:
        """Entered into casereview well after it was logged (copied from documents): shown, not a
        finding (casereview.timerules)."""
        return rules.backfilled(self.logged_on, self.entered_on)

    def entered_text(self) -> str:
        """ "Entered into casereview on 30 November 2026 by Casey Worker, from Channel minutes"."""
        text = f"Entered into casereview on {uk_date(self.entered_on)}"
        if self.logged_by:
            text += f" by {self.logged_by}"
        if self.source:
            text += f", from {self.source}"
        return text

    def writing_text(self, rules: TimeRules) -> str:
        """When it was written down, and by whom, as pages and the PDF say it.

        "Logged 4 December 2016 by Casey Worker", or for a backfill "Logged 4 December 2016.
        Entered into casereview on 30 November 2026 by Casey Worker, from Channel minutes".
        """
        logged = f"Logged {uk_date(self.logged_on)}"
        if self.recorded_by:
            logged += f" by {self.recorded_by}"
        if not self.backfilled(rules):
            by = "" if self.recorded_by or not self.logged_by else f" by {self.logged_by}"
            return logged + by
        return f"{logged}. {self.entered_text()}"

    @property
    def occurred_iso(self) -> str:
        """`YYYY-MM-DD`, or `YYYY-MM` when only the month is known (never an invented day)."""
        return iso_date(self.occurred_on, month_only=self.month_only)

    @property
    def identity(self) -> tuple:
        """What makes a row the same row on re-import (chronology-format.md, "Import")."""
        return (
            self.case_ref,
            self.agency.casefold(),
            self.entry_type,
            self.occurred_iso,
            self.source,
            self.summary,
        )

    @property
    def label(self) -> str:
        return ENTRY_TYPE_LABELS[self.entry_type]


def sort_key(entry: Entry) -> tuple:
    return (entry.date, entry.logged_on, _ORDER[entry.entry_type], entry.record_key)
