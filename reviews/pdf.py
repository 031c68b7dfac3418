"""The PDF case chronology for inquiries, laid out by WeasyPrint.

One data function. `chronology_data(case, as_of=...)` reads the case once through
`entries_for_case` and `compute_findings`, by way of `timeline_data` (so the
entry numbers, the findings and the account-against-record comparison are the
timeline page's; nothing here re-implements a finding), and returns plain JSON
values. The template renders only that dict, and `chronology_hash` is
the SHA-256 of its canonical JSON, so the hash on the cover covers everything the
document says except when it was laid out. It includes the app version and
the change history shown in the appendix: a copy from another version, or made
after a record was edited, has another hash.

As of. Entries logged after the as-of date are left out (as in `case_findings
--as-of`), and so are the follow-up reviews and change history of records that
were not yet logged then. A review held but logged after the as-of date shows as
scheduled or missed. Reviews closed as "not possible" or "cancelled" carry no
date, so they show that state whatever the as-of date.

Cache. Layout costs seconds (docs/performance-notes.md), so a document is laid
out once per (data hash, as-of date) and its bytes are kept under
`settings.PDF_CACHE_DIR` (a per-document file lock stops two processes laying out
the same one). Building the data to learn its hash costs a few hundred
milliseconds on a large case, so a download first computes a cheap
*fingerprint* (`pdf_fingerprint`: one query of the highest history id and the
number of history rows of each kind of the case's records, of the case, its
person, and of users and agencies, whose names the document shows; plus the as-of
date, what the viewer may see, the thresholds, the app version and a digest of the
code and template that make the document). Any change to what the document could
show adds a history row, so it changes the fingerprint. An index file in
`PDF_CACHE_DIR` (`fingerprint-<sha256>.json`) maps a fingerprint to the cached PDF; only when there is
none is the data built and the document looked up by its hash, or laid out, as
before. Every later download of that (hash, as-of) gets the same bytes, so the
cover names no one: it says when the copy was laid out, and that the case's access
log records who downloaded it (re-laying out each download to name its requester is
what the cache exists to avoid). Each download is access-logged with the actual
user, by the caller (the view or the command). A cached file's name carries the
digest of the code and template too (`cache_path`), so a copy laid out by an
earlier version is never served again. Nothing prunes the cache yet.

Safety. User text reaches WeasyPrint only through the autoescaped Django template.
WeasyPrint lays out an unbroken word in time that grows with the square of its
length (a 20,000-character word: 12 s; a 60,000-character one: minutes), so
`render_html` puts a zero-width space every `BREAK_EVERY` characters into any run of
more than `LONG_RUN` characters without a space, in the copy it renders: the data,
and so the hash, keep the text as stored.
WeasyPrint fetches through `StaticOnlyFetcher`: `data:` URLs and the app's own
static files (`casereview-static:/css/...`, found by the staticfiles finders) are
allowed and anything else (`file:`, `http:`, relative paths) is refused.

Limits. A case with more than `settings.PDF_MAX_ENTRIES` entries raises
`ChronologyTooLarge`; each text a user types is at most 20,000 characters
(`referrals.models.TEXT_MAX_LENGTH`). Web requests render through `render_bounded`,
which lays out on one shared worker thread and waits at most
`settings.PDF_TIMEOUT_SECONDS`. If that time runs out it raises `StillRendering`, and
the layout finishes into the cache for the next try (it is not stopped: the wait is
bounded, the layout is bounded only by those limits).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import hashlib
import importlib.metadata
import json
import mimetypes
import os
import re
import tempfile
import threading
import tomllib
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.urls import URLFetcher, URLFetcherResponse

from casereview.timerules import TimeRules
from referrals.access import sees_all_restricted
from referrals.models import Agency, Case, CaseNote, Contact, Person, User, uk_date

from .chronology.entries import Entry
from .chronology.query import RECORD_TYPES, entries_for_case
from .chronology.timeline import Row, timeline_data
from .models import AgencyAccount, FollowUpReview, InterventionSession, PanelAction

LONDON = ZoneInfo("Europe/London")
STATIC_BASE = "casereview-static:/"
STYLESHEET = STATIC_BASE + "css/chronology-pdf.css"
TEMPLATE = "reviews/chronology_pdf.html"
COMMAND_LINE = "command line"


class ChronologyTooLarge(Exception):
    def __init__(self, count: int, limit: int):
        super().__init__(f"{count:,} entries; at most {limit:,} can be laid out")
        self.count = count
        self.limit = limit


class StillRendering(Exception):
    """The layout did not finish in time; it goes on in the background, into the cache."""


class FetchRefused(ValueError):
    pass


# ---------------------------------------------------------------- the data


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
                "code": finding.code,
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
        "recorded_by": entry.recorded_by,
        "logged_on": uk_date(entry.logged_on),
        "logged_by": entry.logged_by,
        "late_days": (entry.logged_on - entry.date).days if row.late else None,
        "late_reason": entry.late_reason,
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
                "conducted": uk_date(review.conducted_on) if known else "",
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
        f"{model._meta.verbose_name.capitalize()} "
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
    for slug, model in RECORD_TYPES.items():
        known = _known_records(model, case, as_of)
        if viewer is not None and model in (Contact, CaseNote) and not sees_all_restricted(viewer):
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
    rows.sort(key=lambda row: (row["at"], row["order"]))
    for row in rows:
        del row["order"]
    return rows


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
        "when": f"{uk_date(at)}, {at:%H:%M}",
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


# ---------------------------------------------------------------- long words

# A run of this many characters with no space gets break opportunities...
LONG_RUN = 60
# ...a zero-width space after every this many characters.
BREAK_EVERY = 40
ZERO_WIDTH_SPACE = "\u200b"
# Only ASCII white space counts as a gap: a no-break space is no break opportunity.
_LONG_RUN = re.compile(rf"[^\t\n\x0b\x0c\r ]{{{LONG_RUN + 1},}}")


def _break_run(match: re.Match) -> str:
    run, pieces, start = match.group(0), [], 0
    while len(run) - start > BREAK_EVERY:
        end = start + BREAK_EVERY
        # Never between a letter and its accent, nor inside a joined emoji.
        while end < len(run) and (
            unicodedata.category(run[end]).startswith("M") or "\u200d" in run[end - 1 : end + 1]
        ):
            end += 1
        pieces.append(run[start:end])
        start = end
    pieces.append(run[start:])
    return ZERO_WIDTH_SPACE.join(pieces)


def breakable(value):
    """`value` (a string, or the JSON values of `chronology_data`) with a zero-width space
    every BREAK_EVERY characters in each run of more than LONG_RUN characters without a
    space: where a long word may wrap, in linear layout time instead of quadratic."""
    if isinstance(value, str):
        return _LONG_RUN.sub(_break_run, value) if len(value) > LONG_RUN else value
    if isinstance(value, dict):
        return {key: breakable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [breakable(item) for item in value]
    return value


# ---------------------------------------------------------------- the fingerprint

# The files whose change changes what the same data lays out as (see `_code_digest`).
FINGERPRINT_FILES = (
    "reviews/pdf.py",
    "reviews/chronology/timeline.py",
    "reviews/chronology/findings.py",
    "reviews/chronology/query.py",
    "reviews/chronology/entries.py",
    "casereview/timerules.py",
    "casereview/ukdates.py",
    "templates/reviews/chronology_pdf.html",
    "static/css/chronology-pdf.css",
)


@functools.cache
def _code_digest() -> str:
    """SHA-256 of the code and template that turn records into the document, once per process:
    a deployment that changes them without a version bump still gets new documents."""
    parts = []
    for name in FINGERPRINT_FILES:
        try:
            content = (Path(settings.BASE_DIR) / name).read_bytes()
        except OSError:
            content = b""
        parts.append(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return hashlib.sha256(b"".join(parts)).hexdigest()


@functools.cache
def _fingerprint_sql(vendor: str) -> str:
    """One UNION ALL of (max history_id, count) per history table, for one case.

    Parameters: the case id once per record type, then the case id and the person id.
    `vendor` only keys the cache to the database kind.
    """
    q = connection.ops.quote_name
    parts = []
    for slug, model in RECORD_TYPES.items():
        history = model.history.model
        parts.append(
            f"SELECT '{slug}', MAX(h.{q('history_id')}), COUNT(*) "
            f"FROM {q(history._meta.db_table)} h WHERE h.{q(model._meta.pk.column)} IN "
            f"(SELECT r.{q(model._meta.pk.column)} FROM {q(model._meta.db_table)} r "
            f"WHERE r.{q(model._meta.get_field('case').column)} = %s)"
        )
    for slug, model in (("case", Case), ("person", Person)):
        history = model.history.model
        parts.append(
            f"SELECT '{slug}', MAX(h.{q('history_id')}), COUNT(*) "
            f"FROM {q(history._meta.db_table)} h WHERE h.{q(model._meta.pk.column)} = %s"
        )
    # Names shown for agencies and for who logged or changed what: any rename anywhere.
    for slug, model in (("agency", Agency), ("user", User)):
        parts.append(
            f"SELECT '{slug}', MAX(h.{q('history_id')}), COUNT(*) "
            f"FROM {q(model.history.model._meta.db_table)} h"
        )
    return "\nUNION ALL\n".join(parts)


def pdf_fingerprint(case: Case, *, as_of: dt.date, viewer: User | None = None) -> str:
    """A cheap key that changes whenever anything `chronology_data(case, as_of=as_of,
    viewer=viewer)` could return changes: one query of index lookups, no entries built.

    Every change to a record of the case, to the case or its person, and to any user or
    agency is written with a history row, so it moves that table's highest history id
    or its number of rows. Compute it BEFORE building the data: the data is then at
    least as new as the fingerprint, so a fingerprint never points at older data.
    """
    params = [case.pk] * len(RECORD_TYPES) + [case.pk, case.person_id]
    with connection.cursor() as cursor:  # history-safe: reads only
        cursor.execute(_fingerprint_sql(connection.vendor), params)  # history-safe: a SELECT
        history = sorted([str(slug), latest, count] for slug, latest, count in cursor.fetchall())
    restricted = viewer is not None and not sees_all_restricted(viewer)
    key = {
        "case": case.pk,
        "as_of": as_of.isoformat(),
        "sees": f"agency:{viewer.agency_id}" if restricted else "all",
        "thresholds": dataclasses.astuple(TimeRules.current()),  # the settings the data uses
        "app_version": app_version(),
        "code": _code_digest(),
        "history": history,
    }
    canonical = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def index_path(fingerprint: str) -> Path:
    return Path(settings.PDF_CACHE_DIR) / f"fingerprint-{fingerprint}.json"


def cached_by_fingerprint(fingerprint: str) -> bytes | None:
    """The PDF an earlier download stored for this fingerprint, or None.

    Raises ChronologyTooLarge as building the data would, if the limit is now lower.
    """
    try:
        index = json.loads(index_path(fingerprint).read_text())
        name = index["pdf"]
        if name != Path(name).name:  # only a file of the cache itself
            return None
        entries = int(index["entries"])
        content = (Path(settings.PDF_CACHE_DIR) / name).read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no index yet, or its PDF was removed: build the data
    if entries > settings.PDF_MAX_ENTRIES:
        raise ChronologyTooLarge(entries, settings.PDF_MAX_ENTRIES)
    return content


def remember(fingerprint: str, data: dict) -> None:
    """Point the fingerprint at the cached PDF of `data` (written once that PDF exists)."""
    path = index_path(fingerprint)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    index = {
        "pdf": cache_path(chronology_hash(data), data["as_of"]).name,
        "entries": len(data["entries"]),
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(index, file)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# ---------------------------------------------------------------- layout


class StaticOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read `data:` URLs and casereview's own static files, nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.split(":", 1)[0].lower() == "data":
            return super().fetch(url, headers)
        if url.startswith(STATIC_BASE):
            return self._static(url, url[len(STATIC_BASE) :])
        raise FetchRefused(f"Refused to fetch {url[:200]!r}: only data: URLs and static files.")

    def _static(self, url: str, name: str) -> URLFetcherResponse:
        name = unquote(name.split("?", 1)[0].split("#", 1)[0])
        parts = PurePosixPath(name).parts
        if not name or name.startswith("/") or "\\" in name or any(p in ("..", ".") for p in parts):
            raise FetchRefused(f"Refused to fetch {url[:200]!r}: not a static file name.")
        try:
            found = finders.find(name)
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise FetchRefused(f"Refused to fetch {url[:200]!r}: no such static file.")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})


def _layout(html: str) -> bytes:
    """HTML to PDF bytes: the expensive step that the cache exists to run once."""
    document = weasyprint.HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def render_html(data: dict, *, digest: str, generated_at: dt.datetime) -> str:
    """The document's HTML. It names no requester: the bytes are shared by every download."""
    at = timezone.localtime(generated_at, LONDON)
    return render_to_string(
        TEMPLATE,
        {
            **breakable(data),
            "digest": digest,
            "generated_at": f"{uk_date(at)}, {at:%H:%M} {at:%Z}",
            "stylesheet": STYLESHEET,
        },
    )


def cache_path(digest: str, as_of: str) -> Path:
    """The cached PDF of (data hash, as-of), as laid out by this code and template."""
    return Path(settings.PDF_CACHE_DIR) / f"{digest}-{as_of}-{_code_digest()[:16]}.pdf"


def cached_pdf(data: dict) -> bytes:
    """The PDF for `data`, laid out at most once per (hash, as-of); later calls read the file."""
    check_size(data)
    digest = chronology_hash(data)
    path = cache_path(digest, data["as_of"])
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be laying out the same document
        try:
            with contextlib.suppress(FileNotFoundError):
                return path.read_bytes()
            html = render_html(data, digest=digest, generated_at=timezone.now())
            content = _layout(html)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:  # mkstemp's file is 0600
                    file.write(content)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                raise
            return content
        finally:
            # Safe once the PDF exists or the layout failed: every waiter re-reads the cache first.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)


def render_chronology_pdf(case: Case, *, as_of: dt.date, viewer: User | None = None) -> bytes:
    """The case's PDF chronology as of `as_of`, from the cache or laid out now (no time limit).

    The document names no one (the copy may be shared). Raises ChronologyTooLarge. The
    caller writes the access log.
    """
    fingerprint = pdf_fingerprint(case, as_of=as_of, viewer=viewer)
    content = cached_by_fingerprint(fingerprint)
    if content is None:
        data = chronology_data(case, as_of=as_of, viewer=viewer)
        content = cached_pdf(data)
        remember(fingerprint, data)
    return content


def chronology_pdf_bounded(
    case: Case, *, as_of: dt.date, viewer: User | None, timeout: float
) -> bytes:
    """The web download: by fingerprint from the cache when the case has not changed,
    else `chronology_data` and `render_bounded` (at most `timeout` seconds of waiting).

    The document names no one (the copy is shared by every download of the same data; the
    caller access-logs who asked). Raises ChronologyTooLarge and StillRendering as
    `render_bounded` does.
    """
    fingerprint = pdf_fingerprint(case, as_of=as_of, viewer=viewer)
    content = cached_by_fingerprint(fingerprint)
    if content is None:
        data = chronology_data(case, as_of=as_of, viewer=viewer)
        content = render_bounded(data, timeout=timeout)
        remember(fingerprint, data)
    return content


# One layout at a time per process, shared by every web request; bounded waits.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chronology-pdf")
_IN_FLIGHT: dict[str, Future] = {}
_IN_FLIGHT_LOCK = threading.Lock()


def render_bounded(data: dict, *, timeout: float) -> bytes:
    """`cached_pdf` on the shared worker thread, waiting at most `timeout` seconds.

    A repeat request for a document still being laid out waits on the same job
    rather than queueing another. Raises StillRendering when time runs out (the
    job carries on into the cache) and ChronologyTooLarge before any work.
    """
    check_size(data)
    path = cache_path(chronology_hash(data), data["as_of"])
    key = path.name
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    with _IN_FLIGHT_LOCK:
        future = _IN_FLIGHT.get(key)
        if future is None:
            future = _EXECUTOR.submit(cached_pdf, data)
            _IN_FLIGHT[key] = future
    future.add_done_callback(functools.partial(_forget, key))
    try:
        return future.result(timeout=timeout)
    except TimeoutError:
        raise StillRendering(key) from None


def _forget(key: str, future: Future) -> None:
    with _IN_FLIGHT_LOCK:
        if _IN_FLIGHT.get(key) is future:
            del _IN_FLIGHT[key]


def wait_for_renders(timeout: float | None = None) -> None:
    """Wait until no layout is in flight (tests, and a clean shutdown)."""
    with _IN_FLIGHT_LOCK:
        futures = list(_IN_FLIGHT.values())
    for future in futures:
        with contextlib.suppress(Exception):
            future.result(timeout=timeout)
