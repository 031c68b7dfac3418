"""A case's chronology, read from its records: the one list every page, export and finding uses."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django.db import connection

from referrals.access import sees_all_restricted
from referrals.models import Case

from ..models import FollowUpReview, InterventionSession
from .entries import Entry, EntryType, sort_key
from .kinds import BY_MODEL, BY_SLUG, CHRONOLOGY_MODELS, EDITABLE_FIELDS, RECORD_TYPES, RESTRICTABLE

# The record tables the chronology is read from (reviews.chronology.kinds declares them).
RECORD_MODELS = CHRONOLOGY_MODELS
__all__ = ["EDITABLE_FIELDS", "RECORD_MODELS", "RECORD_TYPES", "entries_for_case"]


def record_key(record) -> str:
    return f"{record._meta.model_name}:{record.pk}"


def _entry(record, case_ref: str, **overrides) -> Entry:
    kind = BY_MODEL[type(record)]
    values = {
        "case_ref": case_ref,
        "agency": record.agency.name,
        "entry_type": kind.entry_type_for(
            getattr(record, kind.text_column) if kind.text_column else None
        ),
        "occurred_on": record.occurred_on,
        "month_only": record.occurred_precision == "month",
        "logged_on": record.logged_on,
        "summary": record.summary,
        "source": record.source,
        "recorded_by": record.recorded_by,
        "late_reason": record.late_reason,
        "record_key": record_key(record),
        "logged_by": str(record.logged_by),
        "voided": record.voided_at is not None,
        "entered_on": local_day(getattr(record, "outcome_entered_at", None) or record.created_at),
        "commissioned_by": getattr(record, "commissioned_by", ""),
        "about": about_key(kind, getattr(record, f"{kind.about_column}_id"))
        if kind.about_column
        else "",
    }
    return Entry(**{**values, **overrides})


def about_key(kind, pk) -> str:
    """The record key of what an entry is about ("interventionsession:12"), from its id."""
    if pk is None:
        return ""
    target = kind.model._meta.get_field(kind.about_column).related_model
    return f"{target._meta.model_name}:{pk}"


def entries_from_record(record, case_ref: str) -> list[Entry]:
    """The chronology entries one record stands for (a planned-then-held session is two)."""
    if isinstance(record, InterventionSession):
        entries = []
        if record.plan_logged_on is not None:
            entries.append(
                _entry(
                    record,
                    case_ref,
                    entry_type="session_planned",
                    logged_on=record.plan_logged_on,
                    summary=record.plan_summary,
                    source=record.plan_source,
                    late_reason="",
                    record_key=record_key(record) + ":plan",
                    logged_by=str(record.plan_logged_by or record.logged_by),
                    entered_on=local_day(record.created_at),
                )
            )
        if record.status != InterventionSession.Status.PLANNED:
            entries.append(_entry(record, case_ref))
        return entries
    kind = BY_MODEL[type(record)]
    extra = {}
    if kind.text_field:
        extra[kind.text_field] = getattr(record, kind.text_column)
    if kind.reads_sessions_believed:
        extra["sessions_believed"] = record.sessions_believed
    return [_entry(record, case_ref, **extra)]


def review_entry(review: FollowUpReview, case_ref: str) -> Entry:
    return Entry(
        case_ref=case_ref,
        agency=review.agency.name,
        entry_type=EntryType.REVIEW_CONDUCTED,
        occurred_on=review.conducted_on,
        month_only=review.conducted_precision == "month",
        logged_on=review.logged_on,
        summary=review.summary,
        source=review.source,
        recorded_by=review.recorded_by,
        review_kind=review.kind,
        late_reason=review.late_reason,
        record_key=record_key(review),
        logged_by=str(review.logged_by),
        entered_on=local_day(review.entered_at or review.created_at),
    )


# ---------------------------------------------------------------- reading entries
#
# `entries_for_case` reads every record of the case in ONE query: a UNION ALL over the
# ten record tables and the held follow-up reviews, with the agency's name and the
# logging user's name joined in, returning plain rows (no model instances). The SQL is
# written once per process from the models' metadata (table and column names), so it
# follows renames; the ORM would compile eleven querysets on every call, which cost
# more than running them. The same rows, as model instances, make the same entries
# through `entries_from_record` and `review_entry` above (tests/reviews/test_timeline.py
# holds the two to each other on SQLite and PostgreSQL).
#
# Every branch selects the same 26 columns, in this order:
#   0 record type (model name)  1 id  2 occurred_on  3 occurred_precision  4 logged_on
#   5 summary  6 source  7 recorded_by  8 late_reason  9 voided (0/1)  10 agency name
#   11-13 logging user's first name, last name, username
#   14 kind / status / risk level / believed status (per record type)  15 sessions_believed
#   16 plan_logged_on  17 plan_summary  18 plan_source  19-21 the plan's user's names
#   22 created_at (when the record, or a session's plan, was typed in)
#   23 when this entry was typed in (a session's outcome, a held review: their own moment)
#   24 commissioned_by (provider assignments; else NULL)
#   25 the id of the record the entry is about (its kind's `about_column`; else NULL)

# Column 14 per model: its kind's `text_column`; 15 for a kind that reads sessions_believed;
# 16-21 only for sessions (else NULL).


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


@functools.cache
def _entries_sql(vendor: str, include_void: bool, restrict: bool) -> str:
    """The UNION ALL for one variant (`vendor` only keys the cache to the database kind).

    Parameters, in order: the case id once per branch, and after each restricted
    table's case id the viewer's agency id.
    """
    from referrals.models import Agency, User

    q = connection.ops.quote_name
    agencies, users = q(Agency._meta.db_table), q(User._meta.db_table)
    user_names = ", ".join(
        f"{{u}}.{q(_column(User, f))}" for f in ("first_name", "last_name", "username")
    )
    agency_name = f"a.{q(_column(Agency, 'name'))}"
    null_text, null_int, null_date = (
        "CAST(NULL AS TEXT)",
        "CAST(NULL AS INTEGER)",
        "CAST(NULL AS DATE)",
    )
    branches = []
    for model in RECORD_MODELS:
        c = functools.partial(_column, model)
        kind = BY_MODEL[model]
        text = f"t.{q(c(kind.text_column))}" if kind.text_column else null_text
        if model is InterventionSession:
            plan = (
                f"{null_int}, t.{q(c('plan_logged_on'))}, t.{q(c('plan_summary'))}, "
                f"t.{q(c('plan_source'))}, " + user_names.format(u="pu")
            )
            plan_join = (
                f" LEFT JOIN {users} pu ON pu.{q(_column(User, 'id'))} = t.{q(c('plan_logged_by'))}"
            )
        else:
            believed = (
                f"t.{q(c('sessions_believed'))}" if kind.reads_sessions_believed else null_int
            )
            plan = f"{believed}, {null_date}, {null_text}, {null_text}, " + ", ".join(
                [null_text] * 3
            )
            plan_join = ""
        created = f"t.{q(c('created_at'))}"
        entered = (
            f"COALESCE(t.{q(c('outcome_entered_at'))}, {created})"
            if model is InterventionSession
            else created
        )
        commissioned = (
            f"t.{q(c('commissioned_by'))}"
            if any(f.name == "commissioned_by" for f in model._meta.fields)
            else null_text
        )
        about = f"t.{q(c(kind.about_column))}" if kind.about_column else null_int
        where = f"t.{q(c('case'))} = %s"
        if not include_void:
            where += f" AND t.{q(c('voided_at'))} IS NULL"
        if restrict and kind.restrictable:
            where += f" AND (NOT t.{q(c('restricted'))} OR t.{q(c('agency'))} = %s)"
        branches.append(
            f"SELECT '{model._meta.model_name}', t.{q(c('id'))}, t.{q(c('occurred_on'))}, "
            f"t.{q(c('occurred_precision'))}, t.{q(c('logged_on'))}, t.{q(c('summary'))}, "
            f"t.{q(c('source'))}, t.{q(c('recorded_by'))}, t.{q(c('late_reason'))}, "
            f"CASE WHEN t.{q(c('voided_at'))} IS NULL THEN 0 ELSE 1 END, {agency_name}, "
            f"{user_names.format(u='u')}, {text}, {plan}, {created}, {entered}, {commissioned}, "
            f"{about} "
            f"FROM {q(model._meta.db_table)} t "
            f"JOIN {agencies} a ON a.{q(_column(Agency, 'id'))} = t.{q(c('agency'))} "
            f"JOIN {users} u ON u.{q(_column(User, 'id'))} = t.{q(c('logged_by'))}{plan_join} "
            f"WHERE {where}"
        )
    c = functools.partial(_column, FollowUpReview)
    branches.append(
        f"SELECT 'followupreview', t.{q(c('id'))}, t.{q(c('conducted_on'))}, "
        f"t.{q(c('conducted_precision'))}, "
        f"t.{q(c('logged_on'))}, t.{q(c('summary'))}, t.{q(c('source'))}, "
        f"t.{q(c('recorded_by'))}, t.{q(c('late_reason'))}, 0, {agency_name}, "
        f"{user_names.format(u='u')}, t.{q(c('kind'))}, {null_int}, {null_date}, {null_text}, "
        f"{null_text}, " + ", ".join([null_text] * 3) + ", "
        f"t.{q(c('created_at'))}, COALESCE(t.{q(c('entered_at'))}, t.{q(c('created_at'))}), "
        f"{null_text}, {null_int} "
        f"FROM {q(FollowUpReview._meta.db_table)} t "
        f"LEFT JOIN {agencies} a ON a.{q(_column(Agency, 'id'))} = t.{q(c('agency'))} "
        f"LEFT JOIN {users} u ON u.{q(_column(User, 'id'))} = t.{q(c('logged_by'))} "
        f"WHERE t.{q(c('case'))} = %s AND t.{q(c('state'))} = "
        f"'{FollowUpReview.State.HELD.value}'"
    )
    return "\nUNION ALL\n".join(branches)


def _date(value):
    """A date column as a date (SQLite hands back text for a UNION's computed columns)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


LONDON = ZoneInfo("Europe/London")


def local_day(value) -> dt.date | None:
    """The local (Europe/London) day of a stored moment; SQLite hands back UTC text. Called
    once per entry (thousands on a large case): straight to London, no settings lookups."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LONDON).date()


def _user_name(first_name, last_name, username) -> str:
    """`str(user)` from the user's columns (User.__str__: full name, else username);
    "None" when there is no user, as `str(None)` was."""
    if username is None:
        return "None"
    return f"{first_name} {last_name}".strip() or username


def entries_for_case(case: Case, *, include_void: bool = False, viewer=None) -> list[Entry]:
    """Every chronology entry of `case`, in chronology order, in one query.

    With a `viewer`, restricted contacts and notes of other agencies are left out.
    """
    restrict = viewer is not None and not sees_all_restricted(viewer)
    params: list = []
    for model in RECORD_MODELS:
        params.append(case.pk)
        if restrict and model in RESTRICTABLE:
            params.append(viewer.agency_id)
    params.append(case.pk)  # the reviews
    sql = _entries_sql(connection.vendor, include_void, restrict)
    with connection.cursor() as cursor:  # history-safe: reads only
        cursor.execute(sql, params)  # history-safe: a SELECT
        rows = cursor.fetchall()

    case_ref = case.reference
    entries: list[Entry] = []
    append = entries.append
    for (
        slug,
        pk,
        occurred_on,
        precision,
        logged_on,
        summary,
        source,
        recorded_by,
        late_reason,
        voided,
        agency,
        first_name,
        last_name,
        username,
        text,
        sessions_believed,
        plan_logged_on,
        plan_summary,
        plan_source,
        plan_first,
        plan_last,
        plan_username,
        created_at,
        entered_at,
        commissioned_by,
        about_id,
    ) in rows:
        occurred_on, logged_on = _date(occurred_on), _date(logged_on)
        key = f"{slug}:{pk}"
        logged_by = _user_name(first_name, last_name, username)
        month_only = precision == "month"
        voided = bool(voided)
        extra = {}
        if slug == "interventionsession" and plan_logged_on is not None:
            append(
                Entry(
                    case_ref=case_ref,
                    agency=agency,
                    entry_type=EntryType.SESSION_PLANNED,
                    occurred_on=occurred_on,
                    month_only=month_only,
                    logged_on=_date(plan_logged_on),
                    summary=plan_summary,
                    source=plan_source,
                    recorded_by=recorded_by,
                    late_reason="",
                    record_key=key + ":plan",
                    logged_by=(
                        _user_name(plan_first, plan_last, plan_username)
                        if plan_username is not None
                        else logged_by
                    ),
                    voided=voided,
                    entered_on=local_day(created_at),
                )
            )
        kind = BY_SLUG[slug]
        entry_type = kind.entry_type_for(text)
        if entry_type is None:  # a session still only planned: its plan is its entry
            continue
        if kind.text_field:
            extra[kind.text_field] = text
        if kind.reads_sessions_believed:
            extra["sessions_believed"] = sessions_believed
        append(
            Entry(
                case_ref=case_ref,
                agency=agency,
                entry_type=entry_type,
                occurred_on=occurred_on,
                month_only=month_only,
                logged_on=logged_on,
                summary=summary,
                source=source,
                recorded_by=recorded_by,
                late_reason=late_reason,
                record_key=key,
                logged_by=logged_by,
                voided=voided,
                entered_on=local_day(entered_at),
                commissioned_by=commissioned_by or "",
                about=about_key(kind, about_id) if kind.about_column else "",
                **extra,
            )
        )
    entries.sort(key=sort_key)
    return entries


def parse_record_key(key: str) -> tuple[str, int]:
    kind, pk = key.split(":")[:2]
    return kind, int(pk)
