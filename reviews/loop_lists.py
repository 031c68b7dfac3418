"""Loops to close: the supervisor dashboard's lists of cases waiting on someone.

Each list is a `LoopList` in `LOOP_LISTS`: a key, its words, and `items(today)`, a queryset
of what is waiting on `today` with the expressions for its case, its owner (the person
accountable; the agency counted is the owner's) and the date the wait is counted from. The
dashboard reads every list in ONE query (`read_loops`): a UNION ALL of the lists' items in
the user's scope (`visible_case_ids`), with counts per list, owner and agency (for the count
tables) and the first LOOP_LIMIT of each list, waiting longest first.

To add a list: write the rule where it belongs (a function returning a queryset, as
`reviews.quiet.quiet_cases`), then add one `LoopList(...)` to `LOOP_LISTS`. The page, its
count tables (a column, each number a link to the list filtered by owner or agency) and the
summary pick it up; the query count does not change.

A list may offer each row an action (`LoopList.action`: "Confirm the session" on a session
not confirmed) when the viewer may take it: the same query says whether the viewer may
confirm sessions on each row's case (`referrals.access.confirming_case_ids`) and which agency's record
waits (`LoopList.by_agency`), so deciding asks nothing more of the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Expression, F, IntegerField, QuerySet, Value
from django.db.models.functions import Substr
from django.urls import reverse

from casereview.ukdates import uk_date
from referrals import access
from referrals.access import visible_case_ids
from referrals.models import Case, User

from .models import InterventionSession, ProviderQuestion
from .quiet import quiet_cases

LOOP_LIMIT = 50


@dataclass(frozen=True)
class RowAction:
    """A link a loop list offers on one of its rows: "Confirm the session", with hidden words
    that say which one to a screen reader."""

    url: str
    text: str
    hidden: str = ""


@dataclass(frozen=True)
class LoopList:
    key: str  # the page anchor and the count column: "quiet"
    title: str  # "Cases gone quiet"
    column: str  # its count column's heading: "Cases gone quiet"
    intro: Callable[[], str]  # one sentence: which items, by which rule (settings read now)
    noun: tuple[str, str]  # what one item is, one and many: ("case", "cases"), ("session", ...)
    since_label: str  # heading of the date the wait is counted from: "Nothing recorded since"
    days_label: str  # heading of the days since then: "Days quiet"
    empty: str  # "No case has gone quiet."
    items: Callable[[dt.date], QuerySet]  # what is waiting on `today`
    owner_label: str = "Owner"  # heading of the person counted: "Owner", "Asked by"
    owner: Expression = F("owner_id")  # who is accountable (a user id)
    since: Expression = F("occurred_on")  # the date the wait is counted from
    case: Expression = F("case_id")
    detail: Expression = Value("")  # a short text shown under the case reference
    # The agency whose record waits (a session's provider), for `action`; None when no action.
    by_agency: Expression = Value(None, output_field=IntegerField())
    # The link offered on a row to the viewer, or None (no action, or not the viewer's to take).
    action: Callable[[User, LoopRow], RowAction | None] | None = None


def _quiet_items(today: dt.date) -> QuerySet:
    return quiet_cases(today)


def _unconfirmed_items(today: dt.date) -> QuerySet:
    return InterventionSession.objects.awaiting_confirmation(today)


def _question_items(today: dt.date) -> QuerySet:
    return ProviderQuestion.objects.overdue(today)


def _awaiting_outcome_items(today: dt.date) -> QuerySet:
    return Case.objects.awaiting_outcome(today)


def _confirm_action(user: User, row: LoopRow) -> RowAction | None:
    """ "Confirm the session" when the viewer may (`access.can_confirm_listed_session`)."""
    if not access.can_confirm_listed_session(
        user, case_confirmable=row.case_confirmable, session_agency_id=row.by_agency_id
    ):
        return None
    return RowAction(
        url=reverse("reviews:session-confirm", args=[row.case_reference, row.item_id]),
        text="Confirm the session",
        hidden=f" held on {uk_date(row.since)} ({row.case_reference})",
    )


LOOP_LISTS: tuple[LoopList, ...] = (
    LoopList(
        key="quiet",
        title="Cases gone quiet",
        column="Cases gone quiet",
        intro=lambda: (
            "Adopted cases, not exited, with no session, contact or panel meeting recorded "
            f"in the last {settings.NO_CONTACT_DAYS} days."
        ),
        noun=("case", "cases"),
        since_label="Nothing recorded since",
        days_label="Days quiet",
        empty="No case has gone quiet.",
        items=_quiet_items,
        case=F("pk"),
        since=F("last_activity_on"),
    ),
    LoopList(
        key="unconfirmed",
        title="Sessions not confirmed",
        column="Sessions not confirmed",
        intro=lambda: (
            "Sessions the intervention provider recorded as held that nobody outside the "
            f"provider has confirmed {settings.SESSION_CONFIRM_DAYS} days later (cases still "
            "in support, or sessions of the last six months). The person counted is the "
            "case’s owner."
        ),
        noun=("session", "sessions"),
        since_label="Session held on",
        days_label="Days not confirmed",
        empty="No held session is waiting to be confirmed.",
        items=_unconfirmed_items,
        owner_label="Case owner",
        owner=F("case__owner_id"),
        by_agency=F("agency_id"),
        action=_confirm_action,
    ),
    LoopList(
        key="questions",
        title="Questions not answered",
        column="Questions not answered",
        intro=lambda: (
            "Questions asked of the intervention provider with no answer by the date an "
            "answer was wanted. The person counted is the one who asked."
        ),
        noun=("question", "questions"),
        since_label="Answer wanted by",
        days_label="Days overdue",
        empty="No question to a provider is past the date an answer was wanted.",
        items=_question_items,
        owner_label="Asked by",
        owner=F("logged_by_id"),
        since=F("due_on"),
        detail=Substr("summary", 1, 120),
    ),
    LoopList(
        key="outcome",
        title="Referrals with no outcome",
        column="Referrals with no outcome",
        intro=lambda: (
            "Referrals received more than "
            f"{settings.REFERRAL_OUTCOME_DAYS} days ago with no panel decision or exit yet: "
            "the referrer has not been told an outcome."
        ),
        noun=("referral", "referrals"),
        since_label="Referral received on",
        days_label="Days waiting",
        empty="No referral is waiting for an outcome.",
        items=_awaiting_outcome_items,
        case=F("pk"),
        since=F("referred_on"),
    ),
)
LOOP_KEYS = tuple(spec.key for spec in LOOP_LISTS)


def owner_name(values: dict) -> str:
    """As User.__str__: the full name, or the username when there is none."""
    full_name = f"{values['owner_first_name']} {values['owner_last_name']}".strip()
    return full_name or values["owner_username"]


def as_date(value) -> dt.date | None:
    # SQLite returns dates from a UNION's columns as ISO strings (no field converters there).
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class LoopRow:
    item_id: int
    case_reference: str
    owner_id: int
    owner_name: str
    agency_id: int
    agency_name: str
    since: dt.date
    days: int
    detail: str
    by_agency_id: int | None = None  # LoopList.by_agency
    case_confirmable: bool = False  # whether the viewer may confirm sessions on the case
    action: RowAction | None = None  # LoopList.action, for the viewer


@dataclass
class Loop:
    """One list as the page shows it: its first rows, and how many there are in all."""

    spec: LoopList
    rows: list[LoopRow]
    total: int  # with the owner and agency filters

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)

    @property
    def intro(self) -> str:
        return self.spec.intro()

    @property
    def counted(self) -> str:
        """ "1 session", "7 sessions": the total with its noun."""
        one, many = self.spec.noun
        return f"{self.total} {one if self.total == 1 else many}"


COLUMNS = (
    "part",
    "loop_key",
    "n",
    "loop_item_id",
    "case_reference",
    "loop_owner_id",
    "owner_first_name",
    "owner_last_name",
    "owner_username",
    "loop_agency_id",
    "owner_agency_name",
    "loop_on",
    "loop_detail",
    "loop_by_agency_id",
    "loop_confirmable",
)


def _items_sql(today: dt.date, case_ids) -> tuple[str, list]:
    """The UNION ALL of every list's items on `today`, each list's already narrowed to the
    cases in `case_ids` (a subquery; None: every case), so that no list is worked out for the
    cases the viewer cannot see (half a national archive, for a supervisor)."""

    def in_scope(items: QuerySet, spec: LoopList) -> QuerySet:
        if case_ids is None:
            return items
        return items.alias(loop_scope_case=spec.case).filter(loop_scope_case__in=case_ids)

    parts = [
        in_scope(spec.items(today), spec)
        .order_by()
        .values(
            loop_key=Value(spec.key),
            loop_item_id=F("pk"),
            loop_case_id=spec.case,
            loop_owner_id=spec.owner,
            loop_on=spec.since,
            loop_detail=spec.detail,
            loop_by_agency_id=spec.by_agency,
        )
        for spec in LOOP_LISTS
    ]
    first, *rest = parts
    sql, params = (first.union(*rest, all=True) if rest else first).query.sql_with_params()
    return sql, list(params)


def _confirmable_sql(user: User) -> tuple[str, list]:
    """A row's `loop_confirmable` column: 1 when `user` may confirm sessions on the row's case
    (`access.confirming_case_ids`), else 0."""
    case_ids = access.confirming_case_ids(user)
    if case_ids is None:
        return "1 AS loop_confirmable", []
    try:
        sql, params = case_ids.query.sql_with_params()
    except EmptyResultSet:  # no case at all
        return "0 AS loop_confirmable", []
    return (
        f"CASE WHEN r.loop_case_id IN ({sql}) THEN 1 ELSE 0 END AS loop_confirmable",
        list(params),
    )


def read_loops(
    user: User, today: dt.date, *, owner: int | None = None, agency: int | None = None
) -> tuple[list[dict], list[Loop]]:
    """Every loop list in `user`'s scope, in one query: the counts per (list, owner, agency),
    as dicts with "loop_key", "n", the owner's and agency's ids and names (never filtered:
    the caller applies its filters), and each list's first LOOP_LIMIT rows for the owner and
    agency filters, waiting longest first."""
    items_sql, params = _items_sql(today, visible_case_ids(user))
    scope = ""
    where, where_params = [], []
    if owner:
        where.append("loop_owner_id = %s")
        where_params.append(owner)
    if agency:
        where.append("loop_agency_id = %s")
        where_params.append(agency)
    confirmable, confirmable_params = _confirmable_sql(user)
    names = "u.first_name, u.last_name, u.username"
    sql = (
        "WITH loops AS ("
        f"  SELECT l.*, ou.agency_id AS loop_agency_id FROM ({items_sql}) AS l"
        f"  JOIN referrals_user ou ON ou.id = l.loop_owner_id{scope}) "
        f"SELECT 'count' AS part, g.loop_key, g.n, NULL AS loop_item_id, NULL AS case_reference, "
        f"g.loop_owner_id, {names}, g.loop_agency_id, a.name, NULL AS loop_on, NULL AS loop_detail, "
        "NULL AS loop_by_agency_id, NULL AS loop_confirmable "
        "FROM (SELECT loop_key, loop_owner_id, loop_agency_id, COUNT(*) AS n FROM loops "
        "      GROUP BY loop_key, loop_owner_id, loop_agency_id) AS g "
        "JOIN referrals_user u ON u.id = g.loop_owner_id "
        "JOIN referrals_agency a ON a.id = g.loop_agency_id "
        "UNION ALL "
        "SELECT 'row', r.loop_key, NULL, r.loop_item_id, c.reference, "
        f"r.loop_owner_id, {names}, r.loop_agency_id, a.name, r.loop_on, r.loop_detail, "
        f"r.loop_by_agency_id, {confirmable} "
        "FROM (SELECT loops.*, ROW_NUMBER() OVER ("
        "        PARTITION BY loop_key ORDER BY loop_on, loop_case_id, loop_item_id) AS rn "
        "      FROM loops" + (f" WHERE {' AND '.join(where)}" if where else "") + ") AS r "
        "JOIN referrals_case c ON c.id = r.loop_case_id "
        "JOIN referrals_user u ON u.id = r.loop_owner_id "
        "JOIN referrals_agency a ON a.id = r.loop_agency_id "
        "WHERE r.rn <= %s"
    )
    with connection.cursor() as cursor:  # history-safe: a read
        params = [*params, *confirmable_params, *where_params, LOOP_LIMIT]
        cursor.execute(sql, params)  # history-safe: a read
        values = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    groups = [v for v in values if v["part"] == "count"]
    by_key: dict[str, list[LoopRow]] = {key: [] for key in LOOP_KEYS}
    specs = {spec.key: spec for spec in LOOP_LISTS}
    for v in values:
        if v["part"] != "row":
            continue
        since = as_date(v["loop_on"])
        row = LoopRow(
            item_id=v["loop_item_id"],
            case_reference=v["case_reference"],
            owner_id=v["loop_owner_id"],
            owner_name=owner_name(v),
            agency_id=v["loop_agency_id"],
            agency_name=v["owner_agency_name"],
            since=since,
            days=(today - since).days,
            detail=v["loop_detail"] or "",
            by_agency_id=v["loop_by_agency_id"],
            case_confirmable=bool(v["loop_confirmable"]),
        )
        if (action := specs[v["loop_key"]].action) is not None:
            row = replace(row, action=action(user, row))
        by_key[v["loop_key"]].append(row)
    loops = []
    for spec in LOOP_LISTS:
        rows = sorted(by_key[spec.key], key=lambda r: (r.since, r.case_reference, r.item_id))
        total = sum(
            g["n"]
            for g in groups
            if g["loop_key"] == spec.key
            and (not owner or g["loop_owner_id"] == owner)
            and (not agency or g["loop_agency_id"] == agency)
        )
        loops.append(Loop(spec=spec, rows=rows, total=total))
    return groups, loops
