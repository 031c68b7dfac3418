"""Chronology CSV import and export (docs/chronology-format.md, implemented exactly).

Import is all-or-nothing: every row is checked first and every problem is
reported as `line N, column C: what is wrong`; only a clean file is written,
in one transaction, with "imported from FILE by USER" in history: rows whose
service only saves one record in batches (`referrals.batch.RecordBatch`), the
others through the same services the forms use (see `_Writer`). Rows already present (same
case_ref + agency + entry_type + occurred_on + source + summary) are skipped,
so importing a file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from casereview import spreadsheets
from casereview.records import save_record
from casereview.ukdates import certainly_before, date_span, iso_date
from referrals import access
from referrals.batch import RecordBatch
from referrals.models import (
    CASE_REFERENCE_PATTERN,
    CASE_REFERENCE_RULE,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Agency,
    Case,
    Person,
    User,
    is_new_case_label,
)
from referrals.services import fill_record, next_references, update_case

from .. import services
from ..models import FollowUpReview, InterventionSession, ProviderQuestion, SessionConfirmation
from .entries import ENTRY_TYPES, Entry, EntryType, month_end, sort_key
from .kinds import IMPORTED
from .query import entries_for_case

COLUMNS = (
    "case_ref",
    "subject",
    "agency",
    "entry_type",
    "occurred_on",
    "logged_on",
    "summary",
    "source",
    "recorded_by",
    "sessions_believed",
    "believed_status",
    "review_kind",
    "risk_level",
    "late_reason",
    "commissioned_by",
)
REQUIRED_COLUMNS = ("case_ref", "agency", "entry_type", "occurred_on", "summary")
BELIEVED_STATUSES = ("not_started", "ongoing", "completed")
REVIEW_KINDS = ("6_month", "12_month")
RISK_LEVELS = ("very_low", "low", "medium", "high")
COMMISSIONED_BY = ("written", "email", "phone", "meeting")


class ImportRejected(Exception):
    """Nothing was imported. `refused` holds the case references the uploader named but may
    not change (for the access log; never shown apart from the other errors)."""

    def __init__(self, errors: list[str], refused: list[str] | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.refused = refused or []


@dataclass
class Row:
    file: str
    line: int
    case_ref: str
    subject: str
    agency: str
    entry_type: str
    occurred_on: dt.date
    month_only: bool
    logged_on: dt.date
    summary: str
    source: str = ""
    recorded_by: str = ""
    sessions_believed: int | None = None
    believed_status: str = ""
    review_kind: str = ""
    risk_level: str = ""
    late_reason: str = ""
    commissioned_by: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def date(self) -> dt.date:
        return month_end(self.occurred_on) if self.month_only else self.occurred_on

    def as_entry(self) -> Entry:
        return Entry(
            case_ref=self.case_ref,
            agency=self.agency,
            entry_type=self.entry_type,
            occurred_on=self.occurred_on,
            month_only=self.month_only,
            logged_on=self.logged_on,
            summary=self.summary,
            source=self.source,
        )


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    cases_created: list[str] = field(default_factory=list)
    # Per case reference: [entries created, rows already present], for the access log.
    per_case: dict[str, list[int]] = field(default_factory=dict)
    # Browser uploads: the reference each new case (NEW, NEW-1 …) was given.
    named: dict[str, str] = field(default_factory=dict)


def _parse_date(value: str) -> dt.date:
    value = value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return dt.datetime.fromisoformat(value).date()


def _parse_occurred(value: str) -> tuple[dt.date, bool]:
    value = value.strip()
    if len(value) == 7 and value[4] == "-":
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1), True
    return _parse_date(value), False


def decode(data: bytes, name: str) -> str:
    limit = settings.CHRONOLOGY_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ImportRejected(
            [f"{name}: the file is {len(data):,} bytes; the largest accepted is {limit:,} bytes."]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [
                f"{name}: the file is not UTF-8 text (byte {error.start + 1} cannot be read). "
                "Save it from your spreadsheet as 'CSV UTF-8' and try again."
            ]
        ) from None


def parse(text: str, name: str) -> tuple[list[Row], list[str]]:
    """Every row of one file, and every problem found, as `line N, column C: ...`."""
    prefix = f"{name}: " if name else ""
    errors: list[str] = []
    # Strict: a stray quote is an error, never a cell that swallows the rows after it.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        return [], [f"{prefix}line 1: the file is empty; it needs a header row."]
    except csv.Error as error:
        return [], [f"{prefix}line 1: {error}"]
    for column in header:
        if column not in COLUMNS:
            errors.append(f"{prefix}line 1, column {column or '(blank)'}: unknown column")
    for column in REQUIRED_COLUMNS:
        if column not in header:
            errors.append(f"{prefix}line 1, column {column}: required column is missing")
    if len(set(header)) != len(header):
        errors.append(f"{prefix}line 1: a column is named twice")
    if errors:
        return [], errors

    rows: list[Row] = []
    while True:
        start = reader.line_num + 1  # the line this record begins on
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # Only a quote that never closes, or text after a closing quote, gets here.
            problem = (
                "a quote opens a cell on this line and is never closed, so every row after it "
                "would be read as part of one cell"
                if "end of data" in str(error)
                else f"a quoted cell on this line is not closed properly ({error})"
            )
            errors.append(f"{prefix}line {start}: {problem}; check the quotes on this line.")
            break
        line = start
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            spans = reader.line_num > start
            errors.append(
                f"{prefix}line {line}: {len(cells)} cells where the header has {len(header)}"
                + (
                    f"; a quoted cell that opens on line {line} runs on to line "
                    f"{reader.line_num}: check its quotes"
                    if spans
                    else ""
                )
            )
            continue
        row, row_errors = _parse_row(dict(zip(header, cells, strict=True)), name, line)
        errors.extend(f"{prefix}line {line}, column {col}: {msg}" for col, msg in row_errors)
        if row is not None:
            rows.append(row)
    return rows, errors


def _parse_row(raw: dict, name: str, line: int) -> tuple[Row | None, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    cell = {key: spreadsheets.unguard(value) for key, value in raw.items()}
    text = {key: value.strip() for key, value in cell.items()}

    for column in REQUIRED_COLUMNS:
        if not text.get(column):
            errors.append((column, "is required"))
    entry_type = text.get("entry_type", "")
    if entry_type and entry_type not in ENTRY_TYPES:
        errors.append(
            ("entry_type", f"'{entry_type}' is not an entry type ({', '.join(ENTRY_TYPES)})")
        )

    occurred_on, month_only = None, False
    if text.get("occurred_on"):
        try:
            occurred_on, month_only = _parse_occurred(text["occurred_on"])
        except ValueError:
            errors.append(
                ("occurred_on", f"'{text['occurred_on']}' is not a date (YYYY-MM-DD or YYYY-MM)")
            )
    logged_on = None
    if text.get("logged_on"):
        try:
            logged_on = _parse_date(text["logged_on"])
        except ValueError:
            errors.append(("logged_on", f"'{text['logged_on']}' is not a date (YYYY-MM-DD)"))
    if occurred_on and logged_on is None and not text.get("logged_on"):
        logged_on = month_end(occurred_on) if month_only else occurred_on
    if occurred_on and logged_on and logged_on < occurred_on and entry_type != "session_planned":
        errors.append(
            (
                "logged_on",
                f"{logged_on.isoformat()} is before occurred_on {text['occurred_on']}; "
                "only a session_planned may be logged in advance",
            )
        )

    sessions_believed = None
    if text.get("sessions_believed"):
        if entry_type != "agency_account":
            errors.append(("sessions_believed", "only an agency_account gives sessions_believed"))
        elif not text["sessions_believed"].isdigit():
            errors.append(
                (
                    "sessions_believed",
                    f"'{text['sessions_believed']}' is not a whole number of 0 or more",
                )
            )
        else:
            sessions_believed = int(text["sessions_believed"])
    believed_status = text.get("believed_status", "")
    if believed_status:
        if entry_type != "agency_account":
            errors.append(("believed_status", "only an agency_account gives believed_status"))
        elif believed_status not in BELIEVED_STATUSES:
            errors.append(
                (
                    "believed_status",
                    f"'{believed_status}' is not one of {', '.join(BELIEVED_STATUSES)}",
                )
            )
    review_kind = text.get("review_kind", "")
    if entry_type == "review_conducted" and review_kind not in REVIEW_KINDS:
        errors.append(
            (
                "review_kind",
                f"a review_conducted needs review_kind {' or '.join(REVIEW_KINDS)}"
                + (f", not '{review_kind}'" if review_kind else ""),
            )
        )
    elif review_kind and entry_type != "review_conducted":
        errors.append(("review_kind", "only a review_conducted gives review_kind"))
    risk_level = text.get("risk_level", "")
    if risk_level:
        if entry_type not in ("panel_meeting", "case_exited"):
            errors.append(("risk_level", "only a panel_meeting or case_exited gives risk_level"))
        elif risk_level not in RISK_LEVELS:
            errors.append(("risk_level", f"'{risk_level}' is not one of {', '.join(RISK_LEVELS)}"))
    commissioned_by = text.get("commissioned_by", "")
    if commissioned_by:
        if entry_type != "ip_assigned":
            errors.append(("commissioned_by", "only an ip_assigned gives commissioned_by"))
        elif commissioned_by not in COMMISSIONED_BY:
            errors.append(
                (
                    "commissioned_by",
                    f"'{commissioned_by}' is not one of {', '.join(COMMISSIONED_BY)}",
                )
            )
    for column, limit in (
        ("case_ref", 40),
        ("agency", 200),
        ("source", 255),
        ("recorded_by", 200),
        ("subject", 200),
        ("summary", TEXT_MAX_LENGTH),
        ("late_reason", REASON_MAX_LENGTH),
    ):
        if len(text.get(column, "")) > limit:
            errors.append((column, f"is longer than {limit:,} characters"))
    if text.get("case_ref") and not re.fullmatch(CASE_REFERENCE_PATTERN, text["case_ref"]):
        errors.append(
            (
                "case_ref",
                f"'{text['case_ref']}': {CASE_REFERENCE_RULE[0].lower()}{CASE_REFERENCE_RULE[1:]}",
            )
        )
    for column, value in cell.items():
        if "\x00" in value:
            errors.append((column, "contains a NUL character"))

    if errors:
        return None, errors
    return Row(
        file=name,
        line=line,
        # References are compared as written in capitals (cr-2015-00007 is CR-2015-00007).
        case_ref=text["case_ref"].upper(),
        subject=text.get("subject", ""),
        agency=text["agency"],
        entry_type=entry_type,
        occurred_on=occurred_on,
        month_only=month_only,
        logged_on=logged_on,
        summary=cell["summary"].strip(),
        source=text.get("source", ""),
        recorded_by=text.get("recorded_by", ""),
        sessions_believed=sessions_believed,
        believed_status=believed_status,
        review_kind=review_kind,
        risk_level=risk_level,
        late_reason=cell.get("late_reason", "").strip(),
        commissioned_by=commissioned_by,
    ), []


def _where(row: Row, column: str = "") -> str:
    prefix = f"{row.file}: " if row.file else ""
    return f"{prefix}line {row.line}" + (f", column {column}" if column else "")


def _check_uploader(
    rows: list[Row], by_case: dict[str, list[Row]], existing: dict[str, Case], uploader: User
) -> tuple[list[str], list[str]]:
    """What `uploader` may write in the browser: rows for the cases they may change (the forms'
    decision, in `referrals.access`) and, with a role that creates cases, new cases named
    NEW, NEW-1, NEW-2 … (the upload gives each the next reference); rows in their own
    agency's name unless their role merges agencies' chronologies. Any other case reference
    is refused with one sentence, the same whether or not such a case exists: an upload
    cannot tell anyone which references are in use."""
    errors: list[str] = []
    changeable = access.changeable_cases(uploader, existing)
    creates = access.can_create_cases(uploader)
    refused = sorted(
        ref for ref in by_case if ref not in changeable and not (creates and is_new_case_label(ref))
    )
    for ref in refused:
        first = min(by_case[ref], key=lambda r: r.line)
        errors.append(
            f"{_where(first, 'case_ref')}: {ref} is not a case you may add to. To add to a "
            "case, upload onto it from its page"
            + (
                "; to start a new case, name it NEW in case_ref (NEW-1, NEW-2 … for several)."
                if creates
                else "."
            )
        )
    for row in rows:
        if not access.can_import_agency_rows(uploader, row.agency):
            errors.append(
                f"{_where(row, 'agency')}: you may import rows of your own agency "
                f"({uploader.agency.name}) only, not of {row.agency}; a panel chair or an "
                "administrator merges other agencies' chronologies."
            )
    return errors, refused


def _name_new_cases(rows: list[Row], result: ImportResult) -> None:
    """Give each new case of a browser upload (NEW, NEW-1 …) the next reference of the year it
    was referred in, in the order the file names them."""
    labels: dict[str, dt.date] = {}
    for row in sorted(rows, key=lambda r: (r.file, r.line)):
        if is_new_case_label(row.case_ref):
            labels.setdefault(row.case_ref, row.date)
    for row in rows:
        if row.case_ref in labels and row.entry_type == EntryType.REFERRAL:
            labels[row.case_ref] = min(labels[row.case_ref], row.occurred_on)
    by_year: dict[int, list[str]] = {}
    for label, referred in labels.items():
        by_year.setdefault(referred.year, []).append(label)
    for year, year_labels in by_year.items():
        for label, reference in zip(
            year_labels, next_references(year, len(year_labels)), strict=True
        ):
            result.named[label] = reference
    for row in rows:
        row.case_ref = result.named.get(row.case_ref, row.case_ref)


def _impossible_orders(case_rows: list[Row], existing: list[Entry]) -> list[str]:
    """docs/chronology-format.md, "Impossible orders": an adoption or an exit before the case's
    earliest referral, a review with no exit on or before it. One entry is before another
    only when it is certainly before (`casereview.ukdates.certainly_before`, the comparison
    the forms' rules in reviews.orders use too); the file's rows and the records already in
    the database count together."""
    errors = []

    def dated(entry_type: str) -> list[tuple[dt.date, bool, str]]:
        found = [
            (r.occurred_on, r.month_only, iso_date(r.occurred_on, month_only=r.month_only))
            for r in case_rows
            if r.entry_type == entry_type
        ]
        found += [
            (e.occurred_on, e.month_only, e.occurred_iso)
            for e in existing
            if e.entry_type == entry_type and not e.voided
        ]
        # Earliest first: by the earliest day each can be, then the latest.
        return sorted(found, key=lambda d: (*date_span(d[0], month_only=d[1]), d[2]))

    referrals, exits = dated(EntryType.REFERRAL), dated(EntryType.CASE_EXITED)
    for row in case_rows:
        when = iso_date(row.occurred_on, month_only=row.month_only)
        if row.entry_type in (EntryType.CASE_ADOPTED, EntryType.CASE_EXITED) and referrals:
            referred_on, referred_month_only, first_referral = referrals[0]
            if certainly_before(row.occurred_on, row.month_only, referred_on, referred_month_only):
                errors.append(
                    f"{_where(row, 'occurred_on')}: a {row.entry_type} on {when} is before the "
                    f"case's earliest referral, {first_referral}: a case is adopted and exited "
                    "only after it was referred"
                )
        if row.entry_type == EntryType.REVIEW_CONDUCTED and all(
            certainly_before(row.occurred_on, row.month_only, exited_on, month_only)
            for exited_on, month_only, _ in exits
        ):
            errors.append(
                f"{_where(row, 'occurred_on')}: a review_conducted on {when} has no case_exited "
                + (f"on or before it (the case's earliest exit is {exits[0][2]})" if exits else "")
                + ("" if exits else "on or before it (the case has no exit)")
                + ": follow-up reviews follow an exit"
            )
    return errors


def _check_cases(
    rows: list[Row], owner: User | None, uploader: User | None = None
) -> tuple[list[str], list[str]]:
    """Rules that need the whole file and the database: who may write what, new cases,
    referral dates, reviews. Returns the errors and the references refused to the uploader."""
    errors = []
    by_case: dict[str, list[Row]] = {}
    for row in rows:
        by_case.setdefault(row.case_ref, []).append(row)
    existing = {case.reference: case for case in Case.objects.filter(reference__in=by_case)}
    refused: list[str] = []
    if uploader is not None:
        errors, refused = _check_uploader(rows, by_case, existing, uploader)
    for ref, case_rows in by_case.items():
        if ref in refused:
            continue  # nothing more about a case the uploader may not change
        case_rows.sort(key=lambda r: (r.date, ENTRY_TYPES.index(r.entry_type), r.line))
        case = existing.get(ref)
        if case is None:
            if owner is None:
                errors.append(
                    f"{_where(case_rows[0], 'case_ref')}: case {ref} does not exist yet; "
                    "give its accountable owner (--owner USERNAME)"
                )
            if not any(r.subject for r in case_rows):
                first = min(case_rows, key=lambda r: r.line)
                errors.append(
                    f"{_where(first, 'subject')}: case {ref} is new, so the subject "
                    "(the referred person's name) is required"
                )
            referrals = [r.occurred_on for r in case_rows if r.entry_type == "referral"]
            referred_on = min(referrals) if referrals else min(r.occurred_on for r in case_rows)
        else:
            referred_on = case.referred_on
        for row in case_rows:
            if (
                row.entry_type
                in ("session_planned", "session_held", "session_cancelled", "agency_account")
                and row.occurred_on < referred_on
            ):
                errors.append(
                    f"{_where(row, 'occurred_on')}: {row.occurred_on.isoformat()} is before "
                    f"the case's referral date {referred_on.isoformat()}"
                )
        existing_entries = entries_for_case(case, include_void=True) if case else []
        errors.extend(_impossible_orders(case_rows, existing_entries))
        errors.extend(_loose_loops(case_rows, case, existing_entries))
        errors.extend(_commissioned_non_providers(case_rows))
    return errors, refused


def _loose_loops(case_rows: list[Row], case: Case | None, existing: list[Entry]) -> list[str]:
    """docs/chronology-format.md: a `session_confirmed` needs a `session_held` of the case on
    its day; a `question_answered` answers the case's earliest open question asked on or
    before it, and needs one. The file's rows (in the order the import writes them) and
    the records already in the database count together; a row already present is skipped
    by the import, so it neither needs nor takes anything."""
    looped = (EntryType.SESSION_CONFIRMED, EntryType.QUESTION_ASKED, EntryType.QUESTION_ANSWERED)
    if not any(r.entry_type in looped for r in case_rows):
        return []
    errors = []
    present = {e.identity for e in existing}
    # The case's intervention providers (commissioned in the file or already): they answer
    # questions, and neither ask them nor confirm their own sessions.
    providers = {
        r.agency.casefold() for r in case_rows if r.entry_type == EntryType.IP_ASSIGNED
    } | {
        e.agency.casefold()
        for e in existing
        if e.entry_type == EntryType.IP_ASSIGNED and not e.voided
    }
    held = {(r.occurred_on, r.month_only) for r in case_rows if r.entry_type == "session_held"}
    held |= {
        (e.occurred_on, e.month_only)
        for e in existing
        if e.entry_type == EntryType.SESSION_HELD and not e.voided
    }
    # Open questions as (asked on, order); those in the database come first on a tie.
    open_questions: list[tuple[dt.date, int]] = []
    if case is not None and any(r.entry_type == "question_answered" for r in case_rows):
        asked_on = ProviderQuestion.objects.filter(case=case).open().values_list("occurred_on")
        open_questions = [(asked, 0) for (asked,) in asked_on]
    for order, row in enumerate(case_rows, 1):
        identity = row.as_entry().identity
        if identity in present:
            continue
        present.add(identity)
        when = iso_date(row.occurred_on, month_only=row.month_only)
        from_provider = row.agency.casefold() in providers
        if row.entry_type == EntryType.QUESTION_ANSWERED and not from_provider:
            errors.append(
                f"{_where(row, 'agency')}: a question_answered comes from the intervention "
                f"provider commissioned on the case (an ip_assigned agency), and {row.agency} "
                "is not one"
            )
        elif row.entry_type in (EntryType.SESSION_CONFIRMED, EntryType.QUESTION_ASKED) and (
            from_provider
        ):
            errors.append(
                f"{_where(row, 'agency')}: {row.agency} is the intervention provider on the "
                f"case, and a {row.entry_type} comes from another agency"
            )
        if row.entry_type == EntryType.QUESTION_ASKED:
            open_questions.append((row.occurred_on, order))
        elif row.entry_type == EntryType.SESSION_CONFIRMED and (
            (row.occurred_on, row.month_only) not in held
        ):
            errors.append(
                f"{_where(row, 'occurred_on')}: a session_confirmed on {when} has no "
                f"session_held of the case on {when}: only a session held can be confirmed"
            )
        elif row.entry_type == EntryType.QUESTION_ANSWERED:
            answerable = [q for q in open_questions if q[0] <= row.date]
            if not answerable:
                errors.append(
                    f"{_where(row, 'occurred_on')}: a question_answered on {when} has no open "
                    f"question_asked on or before it: every question of the case asked by "
                    f"then is already answered, or none was asked"
                )
            else:
                open_questions.remove(min(answerable))
    return errors


def import_chronology(
    files: list[tuple[str, bytes]],
    *,
    user: User,
    owner: User | None = None,
    trusted: bool = False,
) -> ImportResult:
    """Check every file, then write all rows or none. Raises ImportRejected with every problem.

    Every row goes through `user`'s rights (`_check_uploader`), unless `trusted`: the
    `import_chronology` command, an administrator's tool run on the server.
    """
    rows: list[Row] = []
    errors: list[str] = []
    for name, data in files:
        try:
            file_rows, file_errors = parse(decode(data, name), name)
        except ImportRejected as rejected:
            errors.extend(rejected.errors)
            continue
        rows.extend(file_rows)
        errors.extend(file_errors)
    refused: list[str] = []
    if not errors:
        case_errors, refused = _check_cases(rows, owner, None if trusted else user)
        errors.extend(case_errors)
    if errors:
        raise ImportRejected(errors, refused)
    # Each file by its name and digest: the PDF appendix shows one import as one row
    # ("500 records imported from police.csv (SHA-256 …) by …"), so the file can be matched.
    names = ", ".join(
        f"{name} (SHA-256 {hashlib.sha256(data).hexdigest()})" for name, data in files
    )
    reason = f"imported from {names} by {user.username}"
    named = ImportResult()
    if not trusted:
        _name_new_cases(rows, named)
    try:
        try:
            result = ImportResult(named=named.named)
            with transaction.atomic():
                _apply(rows, user=user, owner=owner, result=result, reason=reason, trusted=trusted)
        except IntegrityError:
            # Something only the database caught (a constraint or trigger) in a batch:
            # nothing was kept. Write row by row instead, which names the line.
            result = ImportResult(named=named.named)
            with transaction.atomic():
                _apply(
                    rows,
                    user=user,
                    owner=owner,
                    result=result,
                    reason=reason,
                    trusted=trusted,
                    batched=False,
                )
    except ValidationError as error:
        raise ImportRejected(error.messages) from None
    return result


def _kind_for(name: str) -> str:
    """The kind of a new agency an import names: the first kind whose label is in its name
    ("Northshire Intervention Provider" is an intervention provider), else other."""
    key = name.casefold()
    return next(
        (k for k, label in Agency.Kind.choices if label.casefold() in key), Agency.Kind.OTHER
    )


def _agency(name: str, cache: dict, user: User, reason: str) -> Agency:
    key = name.casefold()
    if key not in cache:
        agency = Agency.objects.filter(name__iexact=name).first()
        if agency is None:
            agency = save_record(Agency(name=name, kind=_kind_for(name)), user=user, reason=reason)
        cache[key] = agency
    return cache[key]


def _commissioned_non_providers(case_rows: list[Row]) -> list[str]:
    """An `ip_assigned` row commissions its agency as the case's intervention provider, so that
    agency must be one (`services.assign_provider`): an agency already known by its kind, a new
    one by its name (`_kind_for`). Refused at its line, before anything is written."""
    names = {r.agency for r in case_rows if r.entry_type == EntryType.IP_ASSIGNED}
    if not names:
        return []
    named = Q()
    for name in names:  # a few per case: one query for all of them
        named |= Q(name__iexact=name)
    known = {
        name.casefold(): kind
        for name, kind in Agency.objects.filter(named).values_list("name", "kind")
    }
    errors = []
    for row in case_rows:
        if row.entry_type != EntryType.IP_ASSIGNED:
            continue
        kind = known.get(row.agency.casefold()) or _kind_for(row.agency)
        if kind != Agency.Kind.INTERVENTION_PROVIDER:
            errors.append(
                f"{_where(row, 'agency')}: an ip_assigned commissions an intervention "
                f"provider, and {row.agency} is not one"
            )
    return errors


class _Writer:
    """Writes one import's rows in order. Plain records (contacts, notes, accounts, referrals,
    meetings, sessions) are queued in a RecordBatch; a row whose service does more (adoption,
    commissioning, briefing, outcome of a planned session, exit, review) first flushes the
    queue, so every service sees the records before it, exactly as row-by-row writing would."""

    def __init__(self, *, user: User, reason: str, batched: bool):
        self.user, self.reason, self.batched = user, reason, batched
        self.batch = RecordBatch(user=user, reason=reason)
        # Existing cases a panel_meeting row changes: (case, latest risk level given).
        self.changed_cases: dict[int, tuple[Case, str]] = {}
        # Per case reference (a queued case has no id yet): sessions planned, by (agency, date).
        self.planned: dict[str, dict[tuple[int, dt.date], list[InterventionSession]]] = {}

    def start_case(self, case: Case, *, new: bool) -> None:
        planned: dict[tuple[int, dt.date], list[InterventionSession]] = {}
        if not new:
            for session in InterventionSession.objects.filter(
                case=case, voided_at__isnull=True, status=InterventionSession.Status.PLANNED
            ).order_by("id"):
                planned.setdefault((session.agency_id, session.occurred_on), []).append(session)
        self.planned[case.reference] = planned

    def flush(self) -> None:
        self.batch.flush()
        for case, risk_level in self.changed_cases.values():
            update_case(
                case,
                user=self.user,
                reason=self.reason,
                changes=lambda current, risk=risk_level: services.panel_changes(current, risk),
            )
        self.changed_cases.clear()

    def new_case(self, first: Row, rows: list[Row], owner: User) -> Case:
        """The person and the case, queued like the records (or saved now, row by row)."""
        case_rows = [r for r in rows if r.case_ref == first.case_ref]
        referrals = [r for r in case_rows if r.entry_type == "referral"]
        first_referral = min(referrals or case_rows, key=lambda r: (r.occurred_on, r.month_only))
        referred_on = first_referral.occurred_on
        subject = next(r.subject for r in sorted(case_rows, key=lambda r: r.line) if r.subject)
        person = self._save(Person(display_name=subject))
        # The owner's agency leads: it is accountable for the case it now owns.
        return self._save(
            Case(
                reference=first.case_ref,
                person=person,
                owner=owner,
                referred_on=referred_on,
                referred_precision="month" if first_referral.month_only else "day",
                lead_agency=owner.agency,
            )
        )

    def _save(self, record):
        if self.batched:
            return self.batch.add(record)
        return save_record(record, user=self.user, reason=self.reason)

    def write(self, row: Row, case: Case, agency: Agency) -> None:
        record = self._plain(row, case, agency)
        if record is None:
            self.flush()
            _write(
                row,
                case,
                agency=agency,
                user=self.user,
                reason=self.reason,
                planned=self.planned[case.reference],
            )
        else:
            self._save(record)
        if row.entry_type == "panel_meeting":
            # What record_panel_meeting does to the case: a case still queued is inserted as it
            # now is; one already saved is changed through update_case once per flush.
            if case._state.adding:
                for name, value in services.panel_changes(case, row.risk_level).items():
                    setattr(case, name, value)
            else:
                _, risk = self.changed_cases.get(case.pk, (case, ""))
                self.changed_cases[case.pk] = (case, row.risk_level or risk)
            if not self.batched:
                self.flush()
        if row.entry_type == "session_planned":
            self.planned[case.reference].setdefault((agency.pk, record.occurred_on), []).append(
                record
            )

    def _plain(self, row: Row, case: Case, agency: Agency):
        """The record a row makes when its service would only save that record, else None."""
        make = IMPORTED.get(row.entry_type)
        planned_here = self.planned[case.reference].get((agency.pk, row.occurred_on))
        if row.entry_type in (EntryType.SESSION_HELD, EntryType.SESSION_CANCELLED) and planned_here:
            make = None  # the outcome of a planned session: through its service
        record = make(row) if make else None
        if record is None:
            return None
        fill_record(
            record,
            case=case,
            user=self.user,
            agency=agency,
            occurred_on=row.occurred_on,
            month_only=row.month_only,
            logged_on=row.logged_on,
            summary=row.summary,
            source=row.source,
            recorded_by=row.recorded_by,
            late_reason="" if row.entry_type == "session_planned" else row.late_reason,
        )
        if row.entry_type == "session_planned":
            # As services.plan_session: the plan is what was logged in advance.
            record.plan_logged_on = record.logged_on
            record.plan_logged_by = self.user
            record.plan_summary = record.summary
            record.plan_source = record.source
        return record


def _apply(
    rows: list[Row],
    *,
    user: User,
    owner: User | None,
    result: ImportResult,
    reason: str,
    trusted: bool,
    batched: bool = True,
) -> None:
    agencies: dict[str, Agency] = {}
    # The duplicate check counts only what the uploader may see (no oracle for restricted notes).
    viewer = None if trusted else user
    rows = sorted(rows, key=lambda r: (r.case_ref, r.date, ENTRY_TYPES.index(r.entry_type), r.line))
    cases: dict[str, Case] = {}
    seen: dict[str, set] = {}
    errors: list[str] = []
    writer = _Writer(user=user, reason=reason, batched=batched)
    existing = {
        case.reference: case
        for case in Case.objects.filter(reference__in={r.case_ref for r in rows})
    }
    for row in rows:
        case = cases.get(row.case_ref)
        if case is None:
            case = existing.get(row.case_ref)
            new = case is None
            if new:
                case = writer.new_case(row, rows, owner)
                result.cases_created.append(case.reference)
            cases[row.case_ref] = case
            seen[row.case_ref] = (
                set()
                if new
                else {e.identity for e in entries_for_case(case, include_void=True, viewer=viewer)}
            )
            result.per_case[row.case_ref] = [0, 0]
            writer.start_case(case, new=new)
        identity = row.as_entry().identity
        if identity in seen[row.case_ref]:
            result.skipped += 1
            result.per_case[row.case_ref][1] += 1
            continue
        seen[row.case_ref].add(identity)
        try:
            writer.write(row, case, _agency(row.agency, agencies, user, reason))
        except ValidationError as error:
            for column, messages in getattr(error, "message_dict", {"": error.messages}).items():
                errors.extend(
                    f"{_where(row, column if column in COLUMNS else '')}: {m}" for m in messages
                )
            continue
        result.created += 1
        result.per_case[row.case_ref][0] += 1
    if errors:
        raise ValidationError(errors)
    writer.flush()


def _write(row: Row, case: Case, *, agency: Agency, user: User, reason: str, planned: dict) -> None:
    """Rows whose service does more than save one record, through that service."""
    common = {
        "case": case,
        "user": user,
        "agency": agency,
        "occurred_on": row.occurred_on,
        "month_only": row.month_only,
        "logged_on": row.logged_on,
        "summary": row.summary,
        "source": row.source,
        "recorded_by": row.recorded_by,
        "reason": reason,
    }
    late = {"late_reason": row.late_reason, "require_late_reason": False}
    match row.entry_type:
        case "case_adopted":
            # Past records: their referrers are not emailed now (notify_referrer).
            services.record_decision(**common, **late, kind="adopt", notify_referrer=False)
        case "ip_assigned":
            services.assign_provider(**common, **late, commissioned_by=row.commissioned_by)
        case "briefing_issued":
            services.issue_briefing(**common, **late)
        case "session_held" | "session_cancelled":
            # The earliest session planned by the same agency for that day.
            waiting = planned[(agency.pk, row.occurred_on)]
            session = waiting.pop(0)
            if not waiting:
                del planned[(agency.pk, row.occurred_on)]
            services.record_session_outcome(
                session=session,
                user=user,
                status="held" if row.entry_type == "session_held" else "cancelled",
                summary=row.summary,
                source=row.source,
                logged_on=row.logged_on,
                late_reason=row.late_reason,
                recorded_by=row.recorded_by,
                require_late_reason=False,
                reason=reason,
            )
        case "case_exited":
            services.exit_case(
                **common,
                **late,
                risk_level=row.risk_level,
                enforce_gate=False,
                notify_referrer=False,
            )
        case "session_confirmed":
            services.confirm_session(
                session=_session_to_confirm(row, case, agency),
                user=user,
                agency=agency,
                how=SessionConfirmation.How.from_summary(row.summary),
                confirmed_on=row.logged_on,
                summary=row.summary,
                source=row.source,
                recorded_by=row.recorded_by,
                late_reason=row.late_reason,
                reason=reason,
            )
        case "question_answered":
            services.answer_open_question(
                case=case,
                occurred_on=row.occurred_on,
                month_only=row.month_only,
                user=user,
                agency=agency,
                answer=row.summary,
                logged_on=row.logged_on,
                source=row.source,
                recorded_by=row.recorded_by,
                late_reason=row.late_reason,
                reason=reason,
            )
        case "review_conducted":
            review = (
                FollowUpReview.objects.filter(
                    case=case,
                    kind=row.review_kind,
                    state=FollowUpReview.State.SCHEDULED,
                    exited_on__lte=row.date,
                )
                .order_by("-exited_on")
                .first()
            )
            if review is None:
                raise ValidationError(
                    {
                        "review_kind": f"no {row.review_kind} review is waiting to be "
                        "held after the latest exit"
                    }
                )
            services.conduct_review(
                review=review,
                user=user,
                conducted_on=row.occurred_on,
                month_only=row.month_only,
                agency=agency,
                summary=row.summary,
                source=row.source,
                recorded_by=row.recorded_by,
                late_reason=row.late_reason,
                logged_on=row.logged_on,
                require_late_reason=False,
                reason=reason,
            )


def _session_to_confirm(row: Row, case: Case, agency: Agency) -> InterventionSession:
    """The held session of the case on the row's day that `agency` has not yet confirmed
    (the earliest recorded), else the first held that day (its service then says why not)."""
    sessions = list(
        InterventionSession.objects.held()
        .filter(
            case=case,
            occurred_on=row.occurred_on,
            occurred_precision="month" if row.month_only else "day",
        )
        .order_by("id")
    )
    if not sessions:
        raise ValidationError(
            {"occurred_on": f"no session_held of the case on {row.occurred_on.isoformat()}"}
        )
    confirmed = set(
        SessionConfirmation.objects.live()
        .filter(session__in=sessions, agency=agency)
        .values_list("session_id", flat=True)
    )
    return next((s for s in sessions if s.pk not in confirmed), sessions[0])


def export_rows(case: Case, entries: list[Entry] | None = None) -> list[dict]:
    entries = entries if entries is not None else entries_for_case(case)
    rows = []
    for number, entry in enumerate(sorted(entries, key=sort_key)):
        rows.append(
            {
                "case_ref": entry.case_ref,
                "subject": case.person.display_name if number == 0 else "",
                "agency": entry.agency,
                "entry_type": entry.entry_type,
                "occurred_on": entry.occurred_iso,
                "logged_on": entry.logged_on.isoformat(),
                "summary": entry.summary,
                "source": entry.source,
                "recorded_by": entry.recorded_by,
                "sessions_believed": ""
                if entry.sessions_believed is None
                else str(entry.sessions_believed),
                "believed_status": entry.believed_status,
                "review_kind": entry.review_kind,
                "risk_level": entry.risk_level,
                "late_reason": entry.late_reason,
                "commissioned_by": entry.commissioned_by,
            }
        )
    return rows


def export_csv(case: Case, entries: list[Entry] | None = None) -> str:
    """The case's chronology in the interchange format, cells guarded against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in export_rows(case, entries):
        writer.writerow({key: spreadsheets.guard(value) for key, value in row.items()})
    return out.getvalue()
