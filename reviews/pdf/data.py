"""The document's data: `chronology_data` and the JSON values it is made of.

The entries, the findings, the sessions comparison (account against record), the
follow-up reviews and the change-history appendix, judged as of a date; their hash
(`chronology_hash`) and the size check (`ChronologyTooLarge`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from casereview.timerules import TimeRules
from referrals.access import sees_all_restricted
from referrals.models import Case, User, uk_date

from ..chronology.drawing import build_drawing
from ..chronology.entries import Entry
from ..chronology.kinds import BY_MODEL, RECORD_TYPES, RESTRICTABLE
from ..chronology.query import entries_for_case
from ..chronology.timeline import Row, finding_groups, timeline_data
from ..models import AgencyAccount, FollowUpReview, InterventionSession, PanelAction

LONDON = ZoneInfo("Europe/London")
COMMAND_LINE = "command line"
# The drawing on the first page is wider than the timeline page's (960): an A4 landscape page
# is wider for its height than a browser window, and the lanes keep their height.
PDF_DRAWING_WIDTH = 1400


class ChronologyTooLarge(Exception):
    def __init__(self, count: int, limit: int):
        super().__init__(f"{count:,} entries; at most {limit:,} can be laid out")
        self.count = count
        self.limit = limit


@functools.cache
def app_version() -> str:
    try:
        return importlib.metadata.version("casereview")
    except importlib.metadata.PackageNotFoundError:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]


def entry_when(entry: Entry) -> str:
    """12 March 2015, or April 2015 when only the month is known (never an invented day)."""
    return uk_date(entry.occurred_on, "month" if entry.month_only else "day")


def _base_key(record_key: str) -> str:
    """ "interventionsession:12:plan" → "interventionsession:12": the record an entry comes from."""
    return ":".join(record_key.split(":")[:2])


def chronology_data(case: Case, *, as_of: dt.date, viewer: User | None = None) -> dict:
    """Everything the PDF shows, as JSON values, judged as of `as_of`.

    Numbering, findings and the account-against-record comparison come from
    `timeline_data` (entries_for_case + compute_findings), as on the timeline page.
    With a `viewer`, other agencies' restricted contacts and notes are left out of
    the entries and the history appendix alike (and so out of the hash and cache key).
    """
    timeline = timeline_data(entries_for_case(case, viewer=viewer), as_of=as_of)
    number_of = {row.entry.record_key: row.number for row in timeline.rows}
    numbers_by_record: dict[str, list[int]] = {}
    for row in timeline.rows:
        numbers_by_record.setdefault(_base_key(row.entry.record_key), []).append(row.number)
    statuses = dict(AgencyAccount.BelievedStatus.choices)
    entries = [row.entry for row in timeline.rows]
    return {
        "case_ref": case.reference,
        "subject": case.person.display_name,
        "as_of": as_of.isoformat(),
        "as_of_display": uk_date(as_of),
        "app_version": app_version(),
        "late_logging_days": TimeRules.current().late_logging_days,
        "review_grace_days": TimeRules.current().review_grace_days,
        "first_date": entry_when(entries[0]) if entries else "",
        "last_date": entry_when(entries[-1]) if entries else "",
        "entries": [_entry_row(row) for row in timeline.rows],
        "findings": [
            {
                "code": finding.code,  # the JSON's and CSV's; pages and the PDF show the label
                "label": finding.label,
                "date": _finding_date(finding, about),
                "agency": finding.agency or "",
                "message": finding.message,
                "entries": sorted({row.number for row in about}),
            }
            for finding, about in timeline.findings
        ],
        "sessions": [
            {
                "number": c.row.number,
                "date": entry_when(c.row.entry),
                "agency": c.row.entry.agency,
                "source": c.row.entry.source,
                "sessions_believed": c.row.entry.sessions_believed,
                "believed_status": statuses.get(c.row.entry.believed_status, ""),
                "sessions_held": c.held_by_then,
                "exceeds_record": c.mismatch,
            }
            for c in timeline.comparisons
        ],
        "reviews": _reviews(case, as_of, number_of),
        # The first page: the case on a time axis (the timeline page's drawing, from the same
        # timeline) and its findings by kind, numbered as in section 2 and on the drawing.
        "drawing": build_drawing(
            timeline, rules=TimeRules.current(), case_ref=case.reference, width=PDF_DRAWING_WIDTH
        ).as_json(),
        "finding_groups": [
            {
                "numbers": group.numbers,
                "label": group.label,
                "summary": group.summary,
                "when": group.when,
                "grouped": group.grouped,
                "agency": group.items[0][1].agency or "",
            }
            for group in finding_groups(timeline.findings)
        ],
        "history": _history(case, as_of, numbers_by_record, viewer),
    }


def _finding_date(finding, about: list[Row]) -> str:
    """A finding dated by a month-only entry shows that month, not the day rules count it as."""
    if about and about[0].entry.month_only and finding.date == about[0].entry.date:
        return entry_when(about[0].entry)
    return uk_date(finding.date)


def _entry_row(row: Row) -> dict:
    entry = row.entry
    return {
        "number": row.number,
        "date": entry_when(entry),
        "occurred_on": entry.occurred_iso,
        "agency": entry.agency,
        "entry_type": entry.entry_type,
        "label": entry.label,
        "summary": entry.summary,
        "source": entry.source,
        # Who recorded it: the name the source gives, or else who logged it in casereview.
        "recorded_by": entry.recorded_by or entry.logged_by,
        "logged_on": uk_date(entry.logged_on),
        "logged_by": entry.logged_by,
        "late_days": TimeRules.current().logging_lag(entry.date, entry.logged_on)
        if row.late
        else None,
        "late_reason": entry.late_reason,
        # A backfill: "Entered into casereview on … by …, from …" (not a finding).
        "entered_note": entry.entered_text() if row.entered_note else "",
        "sessions_believed": entry.sessions_believed,
        "believed_status": entry.believed_status,
        "review_kind": entry.review_kind,
        "risk_level": entry.risk_level,
        "record_key": entry.record_key,
    }


def _reviews(case: Case, as_of: dt.date, number_of: dict[str, int]) -> list[dict]:
    reviews = (
        FollowUpReview.objects.filter(
            case=case, exit__logged_on__lte=as_of, exit__voided_at__isnull=True
        )
        .select_related("agency")
        .order_by("due_on", "id")
    )
    rules = TimeRules.current()
    rows = []
    for review in reviews:
        known = review.state == FollowUpReview.State.HELD and review.logged_on <= as_of
        rows.append(
            {
                "kind": review.get_kind_display(),
                "due": uk_date(review.due_on),
                "conducted": uk_date(review.conducted_on, review.conducted_precision)
                if known
                else "",
                "agency": review.agency.name if known and review.agency else "",
                "state": review.state_on(as_of, rules).label,
                "closed_reason": review.closed_reason,
                "entry": number_of.get(f"followupreview:{review.pk}"),
            }
        )
    return rows


def _known_records(model, case: Case, as_of: dt.date):
    """The case's records of `model` that had been logged by `as_of` (voided ones included)."""
    records = model.objects.filter(case=case)
    if model is FollowUpReview:
        return records.filter(exit__logged_on__lte=as_of)
    if model is PanelAction:
        return records.filter(Q(meeting__isnull=True) | Q(meeting__logged_on__lte=as_of))
    if model is InterventionSession:
        return records.filter(Q(logged_on__lte=as_of) | Q(plan_logged_on__lte=as_of))
    return records.filter(logged_on__lte=as_of)


def _record_label(model, version) -> str:
    if model is FollowUpReview:
        return f"{version.get_kind_display()} due {uk_date(version.due_on)}"
    if model is PanelAction:
        return f"Panel action: {version.description[:60]}"
    label = (
        f"{BY_MODEL[model].label} "
        f"{uk_date(version.occurred_on, version.occurred_precision)}, {version.agency.name}"
    )
    if model is InterventionSession:
        label += f" ({version.get_status_display().lower()})"
    return label


CHANGE_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _history(
    case: Case, as_of: dt.date, numbers_by_record: dict[str, list[int]], viewer: User | None = None
) -> list[dict]:
    """Every history row of the case and of its records known by `as_of`, one query per model,
    except the creation of records whose chronology line already says it (`_as_its_entry_shows`).
    """
    rows = []
    imports: dict[tuple, dict] = {}
    for slug, model in RECORD_TYPES.items():
        known = _known_records(model, case, as_of)
        if viewer is not None and model in RESTRICTABLE and not sees_all_restricted(viewer):
            known = known.filter(Q(restricted=False) | Q(agency_id=viewer.agency_id))
        versions = model.history.filter(id__in=known.values("pk")).select_related("history_user")
        if hasattr(model, "agency") and model is not PanelAction:
            versions = versions.select_related("agency")
        versions = list(versions.order_by("history_date", "history_id"))
        changes_of: dict[int, int] = {}
        for version in versions:
            changes_of[version.id] = changes_of.get(version.id, 0) + 1
        voided: dict[int, bool] = {}
        for version in versions:
            numbers = numbers_by_record.get(f"{slug}:{version.id}", [])
            if numbers and changes_of[version.id] == 1 and _as_its_entry_shows(version):
                continue
            if _imported_creation(version):
                _add_to_import(imports, version, numbers)
                voided[version.id] = False
                continue
            is_void = getattr(version, "voided_at", None) is not None
            change = CHANGE_TYPES.get(version.history_type, version.history_type)
            void_reason = ""
            if is_void and not voided.get(version.id):
                change, void_reason = "Voided", version.void_reason
            voided[version.id] = is_void
            rows.append(
                _history_row(
                    version,
                    _record_label(model, version),
                    change,
                    void_reason,
                    numbers,
                    is_void,
                )
            )
    for version in (
        Case.history.filter(id=case.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        change = CHANGE_TYPES.get(version.history_type, version.history_type)
        rows.append(_history_row(version, f"Case {version.reference}", change, "", [], False))
    rows += [_import_row(group) for group in imports.values()]
    rows.sort(key=lambda row: (row["at"], row["order"]))
    for row in rows:
        del row["order"]
    return rows


# The change reason every record of one import shares (reviews.chronology.csv_format).
IMPORT_REASON_PREFIX = "imported from "


def _imported_creation(version) -> bool:
    """A history row an import wrote: a record it created, or one it changed as it went (a
    planned session the file then says was held, a review the file says was conducted)."""
    return version.history_type in "+~" and (version.history_change_reason or "").startswith(
        IMPORT_REASON_PREFIX
    )


def _add_to_import(imports: dict, version, numbers: list[int]) -> None:
    """One import's creations become one appendix row (issue 18: a 500-row import printed
    1,000 rows); each later change and void of those records stays a row of its own."""
    at = timezone.localtime(version.history_date, LONDON)
    key = (version.history_user_id, version.history_change_reason, at.date())
    group = imports.get(key)
    if group is None:
        group = imports[key] = {"first": version, "count": 0, "numbers": set()}
    group["count"] += version.history_type == "+"
    group["numbers"] |= set(numbers)


def _import_row(group: dict) -> dict:
    first, numbers = group["first"], group["numbers"]
    row = _history_row(first, "", "Created by import", "", [], False)
    day = uk_date(timezone.localtime(first.history_date, LONDON).date())
    count = group["count"]  # records the file created (a planned and held session: one)
    what = f"{count} record{'' if count == 1 else 's'}"
    # "imported from police.csv (SHA-256 …) by casey" → "… imported from police.csv
    # (SHA-256 …) by Casey Worker on 30 November 2026".
    files = first.history_change_reason[len(IMPORT_REASON_PREFIX) :].rsplit(" by ", 1)[0]
    row["record"] = f"{what} imported from {files} by {row['who']} on {day}"
    row["entry_ranges"] = _ranges(sorted(numbers))
    row["reason"] = ""
    return row


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5, 7, 8 → "1–3, 5, 7–8": an import's entries in a few words, not hundreds."""
    parts: list[str] = []
    start = prev = None
    for number in numbers:
        if prev is not None and number == prev + 1:
            prev = number
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = number
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}–{prev}")
    return ", ".join(parts)


def _as_its_entry_shows(version) -> bool:
    """A record's creation says no more than its chronology line: made on the day and by the
    person that line's "Logged on … by …" shows, and never changed since (the caller checks
    that it has one history row), so the appendix leaves it out.

    Anything else is listed: an import or a backfill (entered on another day than its
    "logged on" date), a record entered for someone else, an edit, a void.
    """
    logged_on = getattr(version, "logged_on", None)
    return (
        version.history_type == "+"
        and getattr(version, "voided_at", None) is None
        and logged_on is not None
        and timezone.localtime(version.history_date, LONDON).date() == logged_on
        and version.history_user_id is not None
        and version.history_user_id == getattr(version, "logged_by_id", None)
    )


def _history_row(version, record: str, change: str, void_reason: str, entries, is_void) -> dict:
    at = timezone.localtime(version.history_date, LONDON)
    return {
        "at": version.history_date.isoformat(),
        "order": version.history_id,
        "when": f"{uk_date(at.date())}, {at:%H:%M}",
        "who": str(version.history_user) if version.history_user else "System",
        "record": record,
        "void": is_void,
        "entries": entries,
        "change": change,
        "reason": version.history_change_reason or "",
        "void_reason": void_reason,
    }


def chronology_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON of the chronology data (sorted keys, no whitespace)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_size(data: dict) -> None:
    limit = settings.PDF_MAX_ENTRIES
    if len(data["entries"]) > limit:
        raise ChronologyTooLarge(len(data["entries"]), limit)
