"""Case findings (docs/chronology-format.md, "Findings").

A pure function of a case's chronology: `compute_findings(entries, as_of=...)`
takes the `Entry` list that every other view uses and returns the findings that
could have been raised on `as_of`. No database access, so the command, the
timeline page and the PDF all get the same answer from the same entries.
`belief_contradiction` is the belief rule for one account: the findings and the
account form (which warns before saving) both call it.

Readings chosen where the contract leaves room (each rule's docstring says more):

* Every rule works on `Entry.date`, so a month-only date is the last day of its month.
* `as_of` hides entries logged after it (`known_as_of`); voided entries never count.
* A `session_held` logged after an account's date still counts against the account.
* A review belongs to the latest exit strictly before it; only the latest exit known
  on `as_of` can have a missed review (a re-exit restarts the schedule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import models

from casereview.timerules import REVIEW_MONTHS, ReviewState, TimeRules, review_due_on
from casereview.ukdates import uk_date
from reviews.chronology.entries import QUIET_TYPES, Entry, EntryType


class FindingCode(models.TextChoices):
    """The finding codes of the chronology format, with the words pages and the PDF show."""

    BELIEF_EXCEEDS_RECORD = "BELIEF_EXCEEDS_RECORD", "Belief exceeds record"
    NO_WRITTEN_BRIEFING = "NO_WRITTEN_BRIEFING", "No written briefing"
    REVIEW_MISSED = "REVIEW_MISSED", "Review missed"
    REVIEW_LATE = "REVIEW_LATE", "Review late"
    LOGGED_LATE = "LOGGED_LATE", "Logged late"
    EXITED_WITHOUT_SESSION = "EXITED_WITHOUT_SESSION", "Exited without a session"


@dataclass(frozen=True)
class Finding:
    code: str
    date: dt.date
    agency: str | None
    message: str
    # record_key of every entry the finding is about, to link it to the records.
    entry_keys: tuple[str, ...] = ()
    # The date is the last day of a month known only to the month: pages show the month.
    month_only: bool = False

    @property
    def when(self) -> str:
        """The finding's date as pages and the PDF show it ("April 2015", never an invented day)."""
        return uk_date(self.date, month_only=self.month_only)

    @property
    def label(self) -> str:
        return FindingCode(self.code).label

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "date": self.date.isoformat(),
            "agency": self.agency,
            "message": self.message,
        }


def _when(entry: Entry) -> str:
    """The entry's date as people wrote it: "April 2015" when only the month is known."""
    return uk_date(entry.date, month_only=entry.month_only)


def _possessive(name: str) -> str:
    """Northshire Police’s, Northshire Schools’."""
    return f"{name}’" if name.endswith("s") else f"{name}’s"


def _on(entry: Entry) -> str:
    """ "on 12 March 2015", or "in April 2015" when only the month is known."""
    return f"{'in' if entry.month_only else 'on'} {_when(entry)}"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _recorded(count: int) -> str:
    return "none was" if count == 0 else f"{count} {'was' if count == 1 else 'were'}"


def _late_by(review: Entry, due: dt.date) -> str:
    """ "45 days" late, or "about 5 months" when the review is known only to its month."""
    days = (review.date - due).days
    if not review.month_only:
        return _count(days, "day")
    months = (review.date.year - due.year) * 12 + review.date.month - due.month
    return f"about {_count(months, 'month')}" if months > 0 else f"up to {_count(days, 'day')}"


def known_as_of(entries: Iterable[Entry], as_of: dt.date) -> list[Entry]:
    """Entries that could be known on as_of: logged_on <= as_of (input order kept)."""
    return [entry for entry in entries if entry.logged_on <= as_of]


def compute_findings(
    entries: Iterable[Entry], *, as_of: dt.date, rules: TimeRules | None = None
) -> list[Finding]:
    """Applies known_as_of first, then every rule; sorted by (date, code).

    Voided entries are left out too (they were withdrawn, so they evidence nothing), and so
    are the quiet types (`QUIET_TYPES`: confirmations, questions and answers, referral
    outcomes), which the contract says raise no finding and change none.
    Ties on (date, code) keep the order of the entries the findings are about.
    """
    limits = rules or TimeRules.current()
    known = [
        entry
        for entry in known_as_of(entries, as_of)
        if not entry.voided and entry.entry_type not in QUIET_TYPES
    ]
    rules = (_belief, _briefing, _reviews, _logged_late, _exited_without_session)
    found = [(i, Finding(*fields)) for rule in rules for i, *fields in rule(known, as_of, limits)]
    found.sort(key=lambda item: (item[1].date, item[1].code, item[0]))
    return [finding for _, finding in found]


def findings_document(case_ref: str, as_of: dt.date, findings: list[Finding]) -> dict:
    """The `case_findings --json` object."""
    return {
        "case_ref": case_ref,
        "as_of": as_of.isoformat(),
        "findings": [finding.as_json() for finding in findings],
    }


# Each rule yields (position of the entry it is about, code, date, agency, message, entry_keys,
# whether the date is a month-only one).
Found = Iterator[tuple]


def _of_type(entries: list[Entry], entry_type: str) -> list[tuple[int, Entry]]:
    return [(i, e) for i, e in enumerate(entries) if e.entry_type == entry_type]


@dataclass(frozen=True)
class RecordAt:
    """What the record shows on `day` (an account's date): the sessions held on or before it,
    the sessions planned after it and the earliest written briefing issued on or before it.

    The account form shows it beside the fields; the belief rule reads it.
    """

    day: dt.date
    month_only: bool  # `day` is the last day of a month known only to the month
    held: tuple[Entry, ...]
    planned_after: tuple[Entry, ...]
    briefing: Entry | None

    @property
    def last_held(self) -> Entry | None:
        return max(self.held, key=lambda e: e.date, default=None)

    @property
    def next_planned(self) -> Entry | None:
        return min(self.planned_after, key=lambda e: e.date, default=None)

    def held_since(self, start: dt.date) -> bool:
        return any(start <= e.date for e in self.held)

    @property
    def when(self) -> str:
        return uk_date(self.day, month_only=self.month_only)

    # What the account form shows beside its fields.

    @property
    def held_text(self) -> str:
        last = self.last_held
        return f"{len(self.held)}, the last {_on(last)}" if last else "None"

    @property
    def planned_text(self) -> str:
        first = self.next_planned
        return f"{len(self.planned_after)}, the first {_on(first)}" if first else "None"

    @property
    def briefing_text(self) -> str:
        b = self.briefing
        return f"Issued {_on(b)} by {b.agency}" if b else "None issued by then"


class SessionRecord:
    """A case's live held and planned sessions and briefings, picked out of its entries once,
    in entry order: `at(day)` answers `record_at` for one day from them alone (an account on
    a case with thousands of entries is compared with its few hundred sessions, not with
    every entry again)."""

    def __init__(self, entries: Iterable[Entry]):
        live = [e for e in entries if not e.voided]
        self.held = [e for e in live if e.entry_type == EntryType.SESSION_HELD]
        self.planned = [e for e in live if e.entry_type == EntryType.SESSION_PLANNED]
        self.briefings = [e for e in live if e.entry_type == EntryType.BRIEFING_ISSUED]

    def at(self, day: dt.date, *, month_only: bool = False) -> RecordAt:
        return RecordAt(
            day=day,
            month_only=month_only,
            held=tuple(e for e in self.held if e.date <= day),
            planned_after=tuple(e for e in self.planned if e.date > day),
            briefing=min(
                (e for e in self.briefings if e.date <= day), key=lambda e: e.date, default=None
            ),
        )


def record_at(entries: Iterable[Entry], day: dt.date, *, month_only: bool = False) -> RecordAt:
    """The record on `day` from `entries` (voided ones left out; the caller applies as-of)."""
    return SessionRecord(entries).at(day, month_only=month_only)


class BeliefRule(models.TextChoices):
    """Which part of BELIEF_EXCEEDS_RECORD an account contradicts."""

    SESSIONS = "sessions", "Believed more sessions than were held"
    ONGOING = "ongoing", "Believed ongoing, but nothing held lately or planned"
    COMPLETED = "completed", "Believed completed, but no session held"


@dataclass(frozen=True)
class BeliefGap:
    """An account that believes more than the record: the finding's sentence, and the
    sentence the account form warns with before it is saved."""

    rule: str  # a BeliefRule
    message: str  # the finding's message
    record: RecordAt
    sessions_believed: int | None
    stale_days: int

    @property
    def warning(self) -> str:
        """ "The record shows 1 session held, the last on 17 January 2015; this account says 4." """
        record, last = self.record, self.record.last_held
        the_last = f"the last {_on(last)}" if last else ""
        if self.rule == BeliefRule.SESSIONS:
            held = (
                f"{_count(len(record.held), 'session')} held, {the_last}"
                if last
                else f"no session held by {record.when}"
            )
            return f"The record shows {held}; this account says {self.sessions_believed}."
        if self.rule == BeliefRule.ONGOING:
            return (
                f"The record shows no session held in the {self.stale_days} days up to "
                f"{record.when}{f' ({the_last})' if last else ''} and none planned after; "
                "this account says the intervention was ongoing."
            )
        return (
            f"The record shows no session held by {record.when}; "
            "this account says the intervention was completed."
        )


def belief_contradiction(
    account: Entry,
    entries: Iterable[Entry],
    rules: TimeRules | None = None,
    *,
    sessions: SessionRecord | None = None,
) -> BeliefGap | None:
    """The BELIEF_EXCEEDS_RECORD rule for one account (an `Entry`, saved or about to be), or
    None when the record bears it out. `entries` are the case's entries known on the day the
    question is asked (`known_as_of`); voided ones are left out here. `sessions`: their
    `SessionRecord`, made once when many accounts of the same entries are asked about.

    Compared with every session_held dated on or before the account, whenever it was logged.
    "Ongoing" is stale when no session was held on the account's date or in the
    `ongoing_stale_days` days before it (a session exactly that many days earlier still
    counts) and no session_planned is dated after the account. "Completed" needs a session
    held on or before the account's date.
    """
    limits = rules or TimeRules.current()
    day, who = account.date, account.agency
    record = (sessions or SessionRecord(entries)).at(day, month_only=account.month_only)
    held = len(record.held)
    if account.sessions_believed is not None and account.sessions_believed > held:
        rule = BeliefRule.SESSIONS
        message = (
            f"{who} believed {_count(account.sessions_believed, 'session')} had been held "
            f"by {_when(account)}, but {_recorded(held)} recorded."
        )
    elif account.believed_status == "ongoing" and not (
        record.held_since(day - dt.timedelta(days=limits.ongoing_stale_days))
        or record.planned_after
    ):
        rule = BeliefRule.ONGOING
        message = (
            f"{who} believed the intervention was ongoing {_on(account)}, but no session was recorded in the {limits.ongoing_stale_days} "
            f"days up to {'the end of that month' if account.month_only else 'that day'} "
            "and none was planned after."
        )
    elif account.believed_status == "completed" and not held:
        rule = BeliefRule.COMPLETED
        message = (
            f"{who} believed the intervention was completed by {_when(account)}, "
            "but no session had been recorded as held."
        )
    else:
        return None
    return BeliefGap(
        rule=rule,
        message=message,
        record=record,
        sessions_believed=account.sessions_believed,
        stale_days=limits.ongoing_stale_days,
    )


def _belief(entries: list[Entry], as_of: dt.date, limits: TimeRules) -> Found:
    """BELIEF_EXCEEDS_RECORD, at most one per agency_account (`belief_contradiction`)."""
    sessions = SessionRecord(entries)
    for i, account in _of_type(entries, EntryType.AGENCY_ACCOUNT):
        gap = belief_contradiction(account, entries, limits, sessions=sessions)
        if gap is None:
            continue
        keys = (account.record_key, *(e.record_key for e in gap.record.held))
        yield (
            i,
            FindingCode.BELIEF_EXCEEDS_RECORD,
            account.date,
            account.agency,
            gap.message,
            keys,
            account.month_only,
        )


def _briefing(entries: list[Entry], as_of: dt.date, limits: TimeRules) -> Found:
    """NO_WRITTEN_BRIEFING, once: the earliest session_held with no briefing_issued
    (from any agency) dated on or before it."""
    briefings = [e.date for _, e in _of_type(entries, EntryType.BRIEFING_ISSUED)]
    unbriefed = [
        (i, s)
        for i, s in _of_type(entries, EntryType.SESSION_HELD)
        if not any(b <= s.date for b in briefings)
    ]
    if unbriefed:
        i, session = min(unbriefed, key=lambda item: item[1].date)
        message = (
            f"{session.agency} held a session {_on(session)} with no written briefing "
            f"issued on or before {'the end of that month' if session.month_only else 'that day'}."
        )
        keys = (session.record_key,)
        yield (
            i,
            FindingCode.NO_WRITTEN_BRIEFING,
            session.date,
            session.agency,
            message,
            keys,
            session.month_only,
        )


def _reviews(entries: list[Entry], as_of: dt.date, limits: TimeRules) -> Found:
    """REVIEW_LATE for every review, REVIEW_MISSED for the latest exit's schedule.

    A review_conducted belongs to the latest case_exited dated strictly before it (a
    review on the day of a re-exit belongs to the earlier exit) and is late when
    dated after due + grace. A kind is missed when as_of is after the latest exit's
    due + grace and no review of that kind dated after that exit is known.
    """
    exits = _of_type(entries, EntryType.CASE_EXITED)
    for i, review in _of_type(entries, EntryType.REVIEW_CONDUCTED):
        earlier = [e for _, e in exits if e.date < review.date]
        if review.review_kind not in REVIEW_MONTHS or not earlier:
            continue
        exit_ = max(earlier, key=lambda e: e.date)
        due = review_due_on(exit_.date, review.review_kind)
        if limits.held_late(due, review.date):
            message = (
                f"{review.agency} held the {REVIEW_MONTHS[review.review_kind]}-month review "
                f"{_on(review)}, {_late_by(review, due)} after it was due on "
                f"{uk_date(due)} (the case was exited {_on(exit_)})."
            )
            keys = (review.record_key, exit_.record_key)
            yield (
                i,
                FindingCode.REVIEW_LATE,
                review.date,
                review.agency,
                message,
                keys,
                review.month_only,
            )
    if not exits:
        return
    i, exit_ = max(exits, key=lambda item: item[1].date)
    for kind, months in REVIEW_MONTHS.items():
        due = review_due_on(exit_.date, kind)
        held = any(
            e.review_kind == kind and e.date > exit_.date
            for _, e in _of_type(entries, EntryType.REVIEW_CONDUCTED)
        )
        if not held and limits.review_state(due_on=due, on=as_of) == ReviewState.MISSED:
            message = (
                f"The {months}-month review was due on {uk_date(due)} (the case was exited "
                f"{_on(exit_)}), but none had been recorded by {uk_date(as_of)}."
            )
            yield i, FindingCode.REVIEW_MISSED, due, None, message, (exit_.record_key,), False


def _logged_late(entries: list[Entry], as_of: dt.date, limits: TimeRules) -> Found:
    """LOGGED_LATE: logged more than `late_logging_days` after `Entry.date` (for a
    month-only date, after the month's end). A session planned in advance never is."""
    for i, entry in enumerate(entries):
        if limits.logged_late(entry.date, entry.logged_on):
            lag = limits.logging_lag(entry.date, entry.logged_on)
            later = "after the end of that month" if entry.month_only else "later"
            who = entry.recorded_by or entry.logged_by
            message = (
                f"{_possessive(entry.agency)} record of the {entry.label.lower()} {_on(entry)} was logged "
                f"on {uk_date(entry.logged_on)}{f' by {who}' if who else ''}, "
                f"{_count(lag, 'day')} {later}."
            )
            if entry.late_reason:
                message += f" Reason given: {entry.late_reason.strip().rstrip('.')}."
            yield (
                i,
                FindingCode.LOGGED_LATE,
                entry.logged_on,
                entry.agency,
                message,
                (entry.record_key,),
                False,
            )


def _exited_without_session(entries: list[Entry], as_of: dt.date, limits: TimeRules) -> Found:
    """EXITED_WITHOUT_SESSION: each case_exited with an ip_assigned on or before it
    and no session_held on or before it."""
    assigned = [e.date for _, e in _of_type(entries, EntryType.IP_ASSIGNED)]
    held = [e.date for _, e in _of_type(entries, EntryType.SESSION_HELD)]
    for i, exit_ in _of_type(entries, EntryType.CASE_EXITED):
        if any(d <= exit_.date for d in assigned) and not any(d <= exit_.date for d in held):
            message = (
                f"{exit_.agency} exited the case {_on(exit_)} after an intervention provider "
                "was commissioned, but no session had been held."
            )
            keys = (exit_.record_key,)
            yield (
                i,
                FindingCode.EXITED_WITHOUT_SESSION,
                exit_.date,
                exit_.agency,
                message,
                keys,
                exit_.month_only,
            )
