"""The case timeline: entries in agency lanes, findings, and each account against the record.

`timeline_data` is computed once per request from `entries_for_case` and
`compute_findings`; the page, `timeline.json` and the PDF read the same shapes.

The page lists every entry of the case (a thousand and more on the largest), so
each row, comparison and finding carries its display text ready-made (dates as
"12 March 2015" or "April 2015", CSS classes, finding labels, the "believed" and
"logged late" lines): the template only looks plain variables up, with no filter
or tag logic per row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field

from casereview.timerules import TimeRules
from casereview.ukdates import uk_date

from .entries import ENTRY_TYPE_LABELS, ENTRY_TYPES, Entry
from .findings import Finding, FindingCode, compute_findings, known_as_of
from .kinds import SESSION_LANE_TYPES

# The intervention sessions' lane (reviews.chronology.kinds declares which types go there).
SESSION_TYPES = SESSION_LANE_TYPES
# Plain-English names for the finding codes (declared with the rules, reviews.chronology.findings).
FINDING_LABELS = dict(FindingCode.choices)
SESSIONS_LANE = "Intervention sessions"
MAX_LANES = 12  # the stylesheet has a column for each


def day_text(value: dt.date) -> str:
    """12 March 2015 (casereview.ukdates)."""
    return uk_date(value)


def entry_when(entry: Entry) -> str:
    """12 March 2015, or April 2015 when only the month is known (never an invented day)."""
    return uk_date(entry.occurred_on, month_only=entry.month_only)


def _sessions(count: int) -> str:
    return f"{count} session{'' if count == 1 else 's'}"


@dataclass
class Row:
    number: int
    entry: Entry
    lane: int
    late: bool
    finding_codes: list[str] = field(default_factory=list)
    # "Logged …. Entered into casereview on … by …, from …" for a backfill, else "".
    entered_note: str = ""

    @property
    def anchor(self) -> str:
        return f"entry-{self.number}"

    @property
    def when(self) -> str:
        """The entry's date as shown: "12 March 2015", or "April 2015"."""
        return entry_when(self.entry)

    @functools.cached_property
    def display(self) -> dict:
        """What the page's row shows, as a plain dict of display text (a dict is the template
        engine's cheapest lookup). Worked out for the rows a page shows only, once the
        findings are linked: a large case has thousands of rows and a page 200."""
        entry = self.entry
        when = self.when
        card_class = f"app-timeline__card app-lane-{self.lane}"
        if self.lane == 0:
            card_class += " app-timeline__card--session"
        elif entry.entry_type == "agency_account":
            card_class += " app-timeline__card--account"
        finding_labels = []
        if self.finding_codes:
            card_class += " app-timeline__card--finding"
            finding_labels = [FINDING_LABELS.get(code, code) for code in self.finding_codes]
        believed = ""
        if entry.entry_type == "agency_account":
            believed = "Believed: "
            if entry.sessions_believed is not None:
                believed += _sessions(entry.sessions_believed) + " "
            believed += entry.believed_status.replace("_", "")  # as the page always showed it
        late_note = ""
        if self.late:
            late_note = f"happened {when}, logged {day_text(entry.logged_on)}" + (
                f": {entry.late_reason}" if entry.late_reason else ", no reason given"
            )
        return {
            "anchor": self.anchor,
            "heading": f"{self.number}. {when}",
            "month_only": entry.month_only,
            "card_class": card_class,
            "label": ENTRY_TYPE_LABELS[entry.entry_type],
            "agency": entry.agency,
            "finding_labels": finding_labels,
            "summary": entry.summary,
            "believed": believed,  # "Believed: 4 sessions ongoing" on an agency account
            "source": entry.source,
            "late_note": late_note,  # "happened …, logged …: reason" when logged late
            "entered_note": self.entered_note,  # a backfill: when and from what it was typed in
        }


@dataclass
class Comparison:
    row: Row
    held_by_then: int
    planned_after: bool
    mismatch: bool

    @property
    def believed(self) -> str:
        """What the account believed: 4 sessions; ongoing / 2 sessions / completed / Nothing specific."""
        entry = self.row.entry
        parts = []
        if entry.sessions_believed is not None:
            parts.append(_sessions(entry.sessions_believed))
        if entry.believed_status:
            parts.append(entry.believed_status.replace("_", ""))
        return "; ".join(parts) or "Nothing specific"


@dataclass
class FindingItem:
    """One finding as the page lists it: its label, date and the rows it is about."""

    finding: Finding
    rows: list[Row]
    label: str
    when: str


@dataclass
class Timeline:
    as_of: dt.date
    rows: list[Row]
    lanes: list[str]
    findings: list[tuple[Finding, list[Row]]]
    comparisons: list[Comparison]
    hidden_count: int = 0
    agencies: list[str] = field(default_factory=list)

    @property
    def display_rows(self) -> list[dict]:
        """The display text of each row in `rows`, for the page (see `Row.display`)."""
        return [row.display for row in self.rows]

    @property
    def finding_items(self) -> list[FindingItem]:
        """The findings with their display text, for the page."""
        return [
            FindingItem(
                finding,
                rows,
                FINDING_LABELS.get(finding.code, finding.code),
                finding.when,
            )
            for finding, rows in self.findings
        ]


def timeline_data(
    entries: list[Entry], *, as_of: dt.date, agency: str = "", entry_type: str = ""
) -> Timeline:
    """Everything the timeline shows as it could have been seen on `as_of`.

    Filters narrow the lanes only; findings and comparisons always use every entry.
    """
    live = [e for e in entries if not e.voided]
    known = known_as_of(live, as_of)
    findings = compute_findings(live, as_of=as_of, rules=TimeRules.current())

    agencies: list[str] = []
    for entry in known:
        if entry.entry_type not in SESSION_TYPES and entry.agency not in agencies:
            agencies.append(entry.agency)
    lanes = [SESSIONS_LANE, *agencies][:MAX_LANES]

    lane_of: dict[str, int] = {}
    for index, name in enumerate(lanes):
        lane_of.setdefault(name, index)  # as lanes.index: the first lane of that name
    rules = TimeRules.current()
    rows: list[Row] = []
    by_key: dict[str, Row] = {}
    for number, entry in enumerate(known, 1):
        if entry.entry_type in SESSION_TYPES:
            lane = 0
        else:
            lane = min(lane_of.get(entry.agency, MAX_LANES - 1), MAX_LANES - 1)
        row = Row(
            number=number,
            entry=entry,
            lane=lane,
            late=entry.logged_late(rules),
            entered_note=entry.writing_text(rules) if entry.backfilled(rules) else "",
        )
        rows.append(row)
        by_key[entry.record_key] = row

    linked: list[tuple[Finding, list[Row]]] = []
    for finding in findings:
        about = [by_key[key] for key in finding.entry_keys if key in by_key]
        for row in about:
            if finding.code not in row.finding_codes:
                row.finding_codes.append(finding.code)
        linked.append((finding, about))

    mismatched = {
        key
        for finding in findings
        if finding.code == "BELIEF_EXCEEDS_RECORD"
        for key in finding.entry_keys[:1]
    }
    held_dates = sorted(row.entry.date for row in rows if row.entry.entry_type == "session_held")
    last_planned = max(
        (row.entry.date for row in rows if row.entry.entry_type == "session_planned"),
        default=None,
    )
    comparisons = []
    for row in rows:
        if row.entry.entry_type == "agency_account":
            date = row.entry.date
            comparisons.append(
                Comparison(
                    row=row,
                    held_by_then=bisect.bisect_right(held_dates, date),  # held on or before `date`
                    planned_after=last_planned is not None and last_planned > date,
                    mismatch=row.entry.record_key in mismatched,
                )
            )

    visible = rows
    if agency:
        visible = [r for r in visible if r.entry.agency == agency]
    if entry_type:
        visible = [r for r in visible if r.entry.entry_type == entry_type]
    return Timeline(
        as_of=as_of,
        rows=visible,
        lanes=lanes,
        findings=linked,
        comparisons=comparisons,
        hidden_count=len(live) - len(known),
        agencies=sorted({e.agency for e in known}),
    )


def timeline_json(case_ref: str, timeline: Timeline) -> dict:
    """The timeline as JSON: the contract's findings document plus the numbered entries."""
    from .findings import findings_document

    document = findings_document(case_ref, timeline.as_of, [f for f, _ in timeline.findings])
    document["entries"] = [
        {
            "number": row.number,
            "entry_type": row.entry.entry_type,
            "agency": row.entry.agency,
            "occurred_on": row.entry.occurred_iso,
            "logged_on": row.entry.logged_on.isoformat(),
            "summary": row.entry.summary,
            "source": row.entry.source,
            "recorded_by": row.entry.recorded_by,
            "sessions_believed": row.entry.sessions_believed,
            "believed_status": row.entry.believed_status or None,
            "review_kind": row.entry.review_kind or None,
            "late_reason": row.entry.late_reason or None,
            "findings": row.finding_codes,
        }
        for row in timeline.rows
    ]
    for item, (_, about) in zip(document["findings"], timeline.findings, strict=True):
        item["entries"] = [row.number for row in about]
    document["comparison"] = [
        {
            "entry": c.row.number,
            "date": c.row.entry.date.isoformat(),
            "agency": c.row.entry.agency,
            "sessions_believed": c.row.entry.sessions_believed,
            "believed_status": c.row.entry.believed_status or None,
            "sessions_held_by_then": c.held_by_then,
            "mismatch": c.mismatch,
        }
        for c in timeline.comparisons
    ]
    return document


TYPE_CHOICES = [(t, ENTRY_TYPE_LABELS[t]) for t in ENTRY_TYPES]


# ---------------------------------------------------------------- findings grouped by kind

# A kind with this many findings or more is listed as one group ("11 entries logged late",
# opened with <details>), so one late review is not buried under many late loggings. Two of a
# kind (two agencies' beliefs) are each worth reading: they stay apart.
GROUP_FROM = 3
# "{n} …" for a group of each kind.
GROUP_WORDS = {
    FindingCode.BELIEF_EXCEEDS_RECORD: "agency accounts believed more than the record",
    FindingCode.NO_WRITTEN_BRIEFING: "sessions held with no written briefing",
    FindingCode.REVIEW_MISSED: "reviews missed",
    FindingCode.REVIEW_LATE: "reviews held late",
    FindingCode.LOGGED_LATE: "entries logged late",
    FindingCode.EXITED_WITHOUT_SESSION: "exits without a session",
}


@dataclass
class FindingGroup:
    """One item of the findings list: one finding, or every finding of a kind that has
    GROUP_FROM or more. Each finding keeps its number (its place in `Timeline.findings`, from
    1): the list's `finding-N` anchor, the PDF's finding number and the drawing's."""

    code: str
    label: str
    # (number, finding, the rows it is about)
    items: list[tuple[int, Finding, list[Row]]]

    @property
    def grouped(self) -> bool:
        return len(self.items) >= GROUP_FROM

    @property
    def number(self) -> int:
        return self.items[0][0]

    @property
    def summary(self) -> str:
        """The group's words ("11 entries logged late"), or the label of a single finding."""
        if not self.grouped:
            return self.label
        return f"{len(self.items):,} {GROUP_WORDS.get(self.code, self.label.lower())}"

    @property
    def numbers(self) -> str:
        """The findings' numbers, runs written as ranges: "5, 7 to 16"."""
        runs: list[list[int]] = []
        for number, _, _ in self.items:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)

    @property
    def when(self) -> str:
        """The date, or the first and last dates of a group."""
        first, last = self.items[0][1].when, self.items[-1][1].when  # "April 2015" if so known
        return first if first == last else f"{first} to {last}"


def finding_groups(findings: list[tuple[Finding, list[Row]]]) -> list[FindingGroup]:
    """The findings as the list shows them: in date order, a kind with GROUP_FROM or more
    findings as one group where its first finding falls."""
    counts: dict[str, int] = {}
    for finding, _ in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    groups: list[FindingGroup] = []
    by_code: dict[str, FindingGroup] = {}
    for number, (finding, rows) in enumerate(findings, 1):
        item = (number, finding, rows)
        if finding.code in by_code:
            by_code[finding.code].items.append(item)
            continue
        group = FindingGroup(finding.code, FINDING_LABELS.get(finding.code, finding.code), [item])
        groups.append(group)
        if counts[finding.code] >= GROUP_FROM:
            by_code[finding.code] = group
    return groups
