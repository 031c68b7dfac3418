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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Expression, F, QuerySet, Value
from django.db.models.functions import Substr

from referrals.access import visible_case_ids
from referrals.models import Case, User

from .models import InterventionSession, ProviderQuestion
from .quiet import quiet_cases

LOOP_LIMIT = 50


@dataclass(frozen=True)
class LoopList:
    key: str  # the page anchor and the count column: "quiet"
    title: str  # "Cases gone quiet"
    column: str  # its count column's heading: "Gone quiet"
    intro: Callable[[], str]  # one sentence: which items, by which rule (settings read now)
    since_label: str  # heading of the date the wait is counted from: "Quiet since"
    days_label: str  # heading of the days since then: "Days quiet"
    empty: str  # "No case has gone quiet."
    items: Callable[[dt.date], QuerySet]  # what is waiting on `today`
    owner: Expression = F("owner_id")  # who is accountable (a user id)
    since: Expression = F("occurred_on")  # the date the wait is counted from
    case: Expression = F("case_id")
    detail: Expression = Value("")  # a short text shown under the case reference


def _quiet_items(today: dt.date) -> QuerySet:
    return quiet_cases(today)


def _unconfirmed_items(today: dt.date) -> QuerySet:
    return InterventionSession.objects.awaiting_confirmation(today)


def _question_items(today: dt.date) -> QuerySet:
    return ProviderQuestion.objects.overdue(today)


def _awaiting_outcome_items(today: dt.date) -> QuerySet:
    return Case.objects.awaiting_outcome(today)


LOOP_LISTS: tuple[LoopList, ...] = (
    LoopList(
        key="quiet",
        title="Cases gone quiet",
        column="Gone quiet",
        intro=lambda: (
            "Adopted cases, not exited, with no session, contact or panel meeting recorded "
            f"in the last {settings.NO_CONTACT_DAYS} days."
        ),
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
        column="Unconfirmed sessions",
        intro=lambda: (
            "Sessions the intervention provider recorded as held that nobody outside the "
            f"provider has confirmed {settings.SESSION_CONFIRM_DAYS} days later (cases still "
            "in support, or sessions of the last six months)."
        ),
        since_label="Held on",
        days_label="Days unconfirmed",
        empty="Every held session has been confirmed.",
        items=_unconfirmed_items,
        owner=F("case__owner_id"),
    ),
    LoopList(
        key="questions",
        title="Questions to the provider not answered in time",
        column="Unanswered questions",
        intro=lambda: (
            "Questions asked of the intervention provider with no answer by the date wanted. "
            "The person counted is the one who asked."
        ),
        since_label="Answer wanted by",
        days_label="Days overdue",
        empty="Every question to a provider has been answered in time.",
        items=_question_items,
        owner=F("logged_by_id"),
        since=F("due_on"),
        detail=Substr("summary", 1, 120),
    ),
    LoopList(
        key="outcome",
        title="Referrals awaiting an outcome",
        column="Awaiting an outcome",
        intro=lambda: (
            "Referrals received more than "
            f"{settings.REFERRAL_OUTCOME_DAYS} days ago with no panel decision or exit yet: "
            "the referrer has not been told an outcome."
        ),
        since_label="Received on",
        days_label="Days waiting",
        empty="Every referral has an outcome.",
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
)


def _items_sql(today: dt.date) -> tuple[str, list]:
    parts = [
        spec.items(today)
        .order_by()
        .values(
            loop_key=Value(spec.key),
            loop_item_id=F("pk"),
            loop_case_id=spec.case,
            loop_owner_id=spec.owner,
            loop_on=spec.since,
            loop_detail=spec.detail,
        )
        for spec in LOOP_LISTS
    ]
    first, *rest = parts
    sql, params = (first.union(*rest, all=True) if rest else first).query.sql_with_params()
    return sql, list(params)


def read_loops(
    user: User, today: dt.date, *, owner: int | None = None, agency: int | None = None
) -> tuple[list[dict], list[Loop]]:
    """Every loop list in `user`'s scope, in one query: the counts per (list, owner, agency),
    as dicts with "loop_key", "n", the owner's and agency's ids and names (never filtered:
    the caller applies its filters), and each list's first LOOP_LIMIT rows for the owner and
    agency filters, waiting longest first."""
    items_sql, params = _items_sql(today)
    scope = ""
    case_ids = visible_case_ids(user)
    if case_ids is not None:
        scope_sql, scope_params = case_ids.query.sql_with_params()
        scope = f" WHERE l.loop_case_id IN ({scope_sql})"
        params += list(scope_params)
    where, where_params = [], []
    if owner:
        where.append("loop_owner_id = %s")
        where_params.append(owner)
    if agency:
        where.append("loop_agency_id = %s")
        where_params.append(agency)
    names = "u.first_name, u.last_name, u.username"
    sql = (
        "WITH loops AS ("
        f"  SELECT l.*, ou.agency_id AS loop_agency_id FROM ({items_sql}) AS l"
        f"  JOIN referrals_user ou ON ou.id = l.loop_owner_id{scope}) "
        f"SELECT 'count' AS part, g.loop_key, g.n, NULL AS loop_item_id, NULL AS case_reference, "
        f"g.loop_owner_id, {names}, g.loop_agency_id, a.name, NULL AS loop_on, NULL AS loop_detail "
        "FROM (SELECT loop_key, loop_owner_id, loop_agency_id, COUNT(*) AS n FROM loops "
        "      GROUP BY loop_key, loop_owner_id, loop_agency_id) AS g "
        "JOIN referrals_user u ON u.id = g.loop_owner_id "
        "JOIN referrals_agency a ON a.id = g.loop_agency_id "
        "UNION ALL "
        "SELECT 'row', r.loop_key, NULL, r.loop_item_id, c.reference, "
        f"r.loop_owner_id, {names}, r.loop_agency_id, a.name, r.loop_on, r.loop_detail "
        "FROM (SELECT loops.*, ROW_NUMBER() OVER ("
        "        PARTITION BY loop_key ORDER BY loop_on, loop_case_id, loop_item_id) AS rn "
        "      FROM loops" + (f" WHERE {' AND '.join(where)}" if where else "") + ") AS r "
        "JOIN referrals_case c ON c.id = r.loop_case_id "
        "JOIN referrals_user u ON u.id = r.loop_owner_id "
        "JOIN referrals_agency a ON a.id = r.loop_agency_id "
        "WHERE r.rn <= %s"
    )
    with connection.cursor() as cursor:  # history-safe: a read
        cursor.execute(sql, [*params, *where_params, LOOP_LIMIT])  # history-safe: a read
        values = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    groups = [v for v in values if v["part"] == "count"]
    by_key: dict[str, list[LoopRow]] = {key: [] for key in LOOP_KEYS}
    for v in values:
        if v["part"] != "row":
            continue
        since = as_date(v["loop_on"])
        by_key[v["loop_key"]].append(
            LoopRow(
                item_id=v["loop_item_id"],
                case_reference=v["case_reference"],
                owner_id=v["loop_owner_id"],
                owner_name=owner_name(v),
                agency_id=v["loop_agency_id"],
                agency_name=v["owner_agency_name"],
                since=since,
                days=(today - since).days,
                detail=v["loop_detail"] or "",
            )
        )
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
