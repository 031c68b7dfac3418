"""The case timeline: entries in agency lanes, findings, and each account against the record.

`timeline_data` is computed once per request from `entries_for_case` and
`compute_findings`; the page, `timeline.json` and the PDF read the same shapes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from .entries import ENTRY_TYPES, ENTRY_TYPE_LABELS, Entry
from .findings import Finding, compute_findings, known_as_of

SESSION_TYPES = ("session_planned", "session_held", "session_cancelled")
# Plain-English names for the finding codes of chronology-format.md.
FINDING_LABELS = {
    "BELIEF_EXCEEDS_RECORD": "Belief exceeds record",
    "NO_WRITTEN_BRIEFING": "No written briefing",
    "REVIEW_MISSED": "Review missed",
    "REVIEW_LATE": "Review late",
    "LOGGED_LATE": "Logged late",
    "EXITED_WITHOUT_SESSION": "Exited without a session",
}
SESSIONS_LANE = "Intervention sessions"
MAX_LANES = 12  # the stylesheet has a column for each


@dataclass
class Row:
    number: int
    entry: Entry
    lane: int
    late: bool
    finding_codes: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"entry-{self.number}"


@dataclass
class Comparison:
    row: Row
    held_by_then: int
    planned_after: bool
    mismatch: bool


@dataclass
class Timeline:
    as_of: dt.date
    rows: list[Row]
    lanes: list[str]
    findings: list[tuple[Finding, list[Row]]]
    comparisons: list[Comparison]
    hidden_count: int = 0
    agencies: list[str] = field(default_factory=list)


def timeline_data(
    entries: list[Entry], *, as_of: dt.date, agency: str = "", entry_type: str = ""
) -> Timeline:
    """Everything the timeline shows as it could have been seen on `as_of`.

    Filters narrow the lanes only; findings and comparisons always use every entry.
    """
    live = [e for e in entries if not e.voided]
    known = known_as_of(live, as_of)
    findings = compute_findings(live, as_of=as_of)

    agencies: list[str] = []
    for entry in known:
        if entry.entry_type not in SESSION_TYPES and entry.agency not in agencies:
            agencies.append(entry.agency)
    lanes = [SESSIONS_LANE, *agencies][:MAX_LANES]

    rows: list[Row] = []
    by_key: dict[str, Row] = {}
    for number, entry in enumerate(known, 1):
        if entry.entry_type in SESSION_TYPES:
            lane = 0
        else:
            lane = min(lanes.index(entry.agency) if entry.agency in lanes else MAX_LANES - 1,
                       MAX_LANES - 1)
        row = Row(number=number, entry=entry, lane=lane,
                  late=(entry.logged_on - entry.date).days > settings.LATE_LOGGING_DAYS)
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
        key for finding in findings if finding.code == "BELIEF_EXCEEDS_RECORD"
        for key in finding.entry_keys[:1]
    }
    held = [row.entry for row in rows if row.entry.entry_type == "session_held"]
    planned = [row.entry for row in rows if row.entry.entry_type == "session_planned"]
    comparisons = [
        Comparison(
            row=row,
            held_by_then=sum(1 for h in held if h.date <= row.entry.date),
            planned_after=any(p.date > row.entry.date for p in planned),
            mismatch=row.entry.record_key in mismatched,
        )
        for row in rows
        if row.entry.entry_type == "agency_account"
    ]

    visible = rows
    if agency:
        visible = [r for r in visible if r.entry.agency == agency]
    if entry_type:
        visible = [r for r in visible if r.entry.entry_type == entry_type]
    return Timeline(
        as_of=as_of, rows=visible, lanes=lanes, findings=linked, comparisons=comparisons,
        hidden_count=len(live) - len(known), agencies=sorted({e.agency for e in known}),
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
