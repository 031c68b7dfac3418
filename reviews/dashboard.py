"""Follow-ups that cannot slip: the supervisor dashboard and each owner's due list.

One place computes which follow-up reviews and panel actions are overdue,
missed, due soon or were held late; the dashboard page, its CSV download and
the caseworker's due list on the home page all read the same rows.

With `today` T and grace G (`REVIEW_GRACE_DAYS`), a scheduled review or an
open panel action is

- overdue when T - G <= due_on < T (1 to G days past due),
- missed when due_on < T - G (past due + grace and never held),
- due soon when T <= due_on <= T + 30,

and a review is "held late" when it was held in the 90 days up to T,
more than G days after its due date. Cancelled and not-possible reviews,
done or voided actions, and anything due later than T + 30 are not shown.

"Agency" is the owner's agency: the one accountable for the follow-up, and
the one whose supervisors are emailed when it is missed (reviews.reminders).

Below the follow-ups, the loop lists (reviews.loop_lists: cases gone quiet, ...) each have a
column in the count tables; all of them are read in one more query.

Every function is set-based: one query gives every count and a page of rows
(`build_dashboard`), the same query every row (`dashboard_rows`, for the CSV) and the
owner's due list (`due_list`), whatever
the number of cases. Which cases a user sees is always the rule of
`referrals.access` (`visible_case_ids(user)`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    Q,
    Value,
    When,
)

from casereview.timerules import ReviewState, TimeRules
from casereview.ukdates import iso_date, uk_date
from referrals.access import visible_case_ids
from referrals.models import User

from .loop_lists import LOOP_LISTS, Loop, read_loops
from .loop_lists import as_date as _as_date
from .loop_lists import owner_name as _owner_name
from .models import FollowUpReview, PanelAction
from .sqldates import DaysBetween, MonthEnd

PAGE_SIZE = 50
HELD_LATE_WINDOW_DAYS = 90
DUE_LIST_LIMIT = 50

# The states are casereview.timerules.ReviewState's, decided by the same rules (the SQL below
# takes the rules' dates as parameters); panel actions are judged by the same due-date rules.
OVERDUE, MISSED, DUE_SOON, HELD_LATE = (
    ReviewState.OVERDUE.value,
    ReviewState.MISSED.value,
    ReviewState.DUE_SOON.value,
    ReviewState.HELD_LATE.value,
)
# value, label, GOV.UK tag colour; in the order the page shows them.
STATES = tuple(
    (state.value, state.label, state.colour)
    for state in (
        ReviewState.OVERDUE,
        ReviewState.MISSED,
        ReviewState.DUE_SOON,
        ReviewState.HELD_LATE,
    )
)
STATE_LABELS = {value: label for value, label, _ in STATES}
STATE_COLOURS = {value: colour for value, _, colour in STATES}
OUTSTANDING = (OVERDUE, MISSED, DUE_SOON)

ACTION = "action"
KINDS = (
    (FollowUpReview.Kind.SIX_MONTH.value, FollowUpReview.Kind.SIX_MONTH.label),
    (FollowUpReview.Kind.TWELVE_MONTH.value, FollowUpReview.Kind.TWELVE_MONTH.label),
    (ACTION, "Panel action"),
)
KIND_LABELS = dict(KINDS)


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; blank or None means no filter."""

    owner: int | None = None
    agency: int | None = None
    kind: str = ""  # "6_month", "12_month" or "action"
    state: str = ""  # overdue, missed, due_soon or held_late


@dataclass(frozen=True)
class DueRow:
    """One review or panel action as the dashboard, the due list and the CSV show it."""

    source: str  # "review" or "action"
    item_id: int
    case_reference: str
    kind: str
    description: str
    owner_id: int
    owner_name: str
    agency_id: int
    agency_name: str
    due_on: dt.date
    conducted_on: dt.date | None
    days_overdue: int  # days past due today; for "held late", how late it was held; never < 0
    state: str
    conducted_month_only: bool = False  # held "in October 2016": shown without a day

    @property
    def conducted_display(self) -> str:
        return uk_date(self.conducted_on, month_only=self.conducted_month_only)

    @property
    def conducted_iso(self) -> str:
        return iso_date(self.conducted_on, month_only=self.conducted_month_only)

    @classmethod
    def from_values(cls, values: dict) -> DueRow:
        return cls(
            source=values["row_source"],
            item_id=values["item_id"],
            case_reference=values["case_reference"],
            kind=values["item_kind"],
            description=values["item_description"],
            owner_id=values["item_owner_id"],
            owner_name=_owner_name(values),
            agency_id=values["owner_agency_id"],
            agency_name=values["owner_agency_name"],
            due_on=_as_date(values["item_due_on"]),
            conducted_on=_as_date(values["item_conducted_on"]),
            days_overdue=max(values["days_overdue"], 0),
            state=values["item_state"],
            conducted_month_only=values["item_conducted_precision"] == "month",
        )

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def state_colour(self) -> str:
        return STATE_COLOURS[self.state]


@dataclass(frozen=True)
class CountColumn:
    """A column of the count tables: a follow-up state or a loop list (reviews.loop_lists)."""

    key: str
    heading: str
    words: str  # after the number, for screen readers: "3 missed for Casey Worker"
    loop: bool = False  # links to the loop list (filtered by owner or agency), not to a state
    words_one: str = ""  # after the number 1, when it differs: "1 session not confirmed"


COUNT_COLUMNS = (
    CountColumn(OVERDUE, "Overdue", "overdue"),
    CountColumn(MISSED, "Missed", "missed"),
    CountColumn(DUE_SOON, "Due in the next 30 days", "due soon"),
    CountColumn(HELD_LATE, "Held late", "held late"),
    *(
        CountColumn(
            spec.key,
            spec.column,
            spec.column.lower(),
            loop=True,
            # "Sessions not confirmed": "1 session not confirmed", "2 sessions not confirmed".
            words_one=spec.column.lower().replace(spec.noun[1], spec.noun[0], 1),
        )
        for spec in LOOP_LISTS
    ),
)


@dataclass
class CountRow:
    """Counts per state, and per loop list, for one owner or one agency."""

    id: int
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATE_LABELS, 0))
    loops: dict[str, int] = field(default_factory=lambda: {spec.key: 0 for spec in LOOP_LISTS})

    @property
    def outstanding(self) -> int:
        return sum(self.counts[state] for state in OUTSTANDING)

    @property
    def cells(self) -> list[tuple[CountColumn, int]]:
        """Each column of the count tables with this row's number, in order."""
        return [
            (column, (self.loops if column.loop else self.counts)[column.key])
            for column in COUNT_COLUMNS
        ]


@dataclass
class Dashboard:
    filters: Filters
    today: dt.date
    counts: dict[str, int]  # per state, for the owner/agency/kind filters (never the state filter)
    by_owner: list[CountRow]
    by_agency: list[CountRow]
    owner_choices: list[tuple[int, str]]  # everyone with a row in the user's scope
    agency_choices: list[tuple[int, str]]
    total: int  # rows in the current view, every filter applied
    page_obj: object
    page_range: object
    loops: list[Loop] = field(default_factory=list)  # reviews.loop_lists, owner and agency filters
    count_columns: tuple[CountColumn, ...] = COUNT_COLUMNS


def _open_state(today: dt.date, rules: TimeRules) -> Case:
    """TimeRules.review_state for a follow-up not held, in SQL."""
    return Case(
        When(due_on__lt=rules.missed_before(today), then=Value(MISSED)),
        When(due_on__lt=today, then=Value(OVERDUE)),
        default=Value(DUE_SOON),
        output_field=CharField(),
    )


def _open_state_filter(state: str, today: dt.date, rules: TimeRules) -> Q:
    """The due-date range of an open state: filters on due_on keep the partial indexes usable."""
    missed_before = rules.missed_before(today)
    return {
        OVERDUE: Q(due_on__gte=missed_before, due_on__lt=today),
        MISSED: Q(due_on__lt=missed_before),
        DUE_SOON: Q(due_on__gte=today),
    }[state]


def _columns(
    *, source, kind, description, conducted_on, days_overdue, state, conducted_precision=None
) -> dict:
    """The columns of every part of the union, always in this order.

    Aliases differ from model field names (annotations may not shadow fields). The case
    reference and the names are not among them: the one query joins them after counting
    and paging, for fewer rows.
    """
    return {
        "row_source": Value(source),
        "item_id": F("pk"),
        "item_kind": kind,
        "item_description": description,
        "item_case_id": F("case_id"),
        "item_owner_id": F("owner_id"),
        "owner_agency_id": F("owner__agency_id"),
        "item_due_on": F("due_on"),
        "item_conducted_on": conducted_on,
        "item_conducted_precision": conducted_precision or Value("day"),
        "days_overdue": days_overdue,
        "item_state": state,
    }


def _parts(today: dt.date) -> list:
    """The querysets whose union is every follow-up on `today`: open reviews and panel actions
    due soon, overdue or missed, and reviews held late in the last HELD_LATE_WINDOW_DAYS.
    Scope and filters are applied around their union (`_query`)."""
    today_value = Value(today, output_field=DateField())
    rules = TimeRules.current()
    horizon = rules.due_soon_until(today)
    open_states = Q(pk__in=[])
    for state in OUTSTANDING:
        open_states |= _open_state_filter(state, today, rules)
    no_date = Value(None, output_field=DateField())
    # Held on: a review known only to its month counts as held on the month's last day.
    held_on = Case(
        When(conducted_precision="month", then=MonthEnd(F("conducted_on"))),
        default=F("conducted_on"),
        output_field=DateField(),
    )
    days_late = DaysBetween(held_on, F("due_on"))
    return [
        # review_open_due_idx: state = 'scheduled' and due_on <= T + 30.
        FollowUpReview.objects.filter(
            open_states, state=FollowUpReview.State.SCHEDULED, due_on__lte=horizon
        ).values(
            **_columns(
                source="review",
                kind=F("kind"),
                description=Value(""),
                conducted_on=no_date,
                days_overdue=DaysBetween(today_value, F("due_on")),
                state=_open_state(today, rules),
            )
        ),
        FollowUpReview.objects.filter(
            state=FollowUpReview.State.HELD,
            conducted_on__gte=today - dt.timedelta(days=HELD_LATE_WINDOW_DAYS),
            conducted_on__lte=today,
        )
        .alias(days_late=days_late)
        .filter(days_late__gt=rules.review_grace_days)
        .values(
            **_columns(
                source="review",
                kind=F("kind"),
                # The reason it was logged late ("IT issue") goes wherever the review is.
                description=F("late_reason"),
                conducted_on=F("conducted_on"),
                conducted_precision=F("conducted_precision"),
                days_overdue=days_late,
                state=Value(HELD_LATE),
            )
        ),
        # panelaction_open_due_idx: not done, not voided, due_on <= T + 30.
        PanelAction.objects.filter(
            open_states, completed_on__isnull=True, voided_at__isnull=True, due_on__lte=horizon
        ).values(
            **_columns(
                source="action",
                kind=Value(ACTION),
                description=F("description"),
                conducted_on=no_date,
                days_overdue=DaysBetween(today_value, F("due_on")),
                state=_open_state(today, rules),
            )
        ),
    ]


def dashboard_rows(user: User, filters: Filters, *, today: dt.date) -> list[dict]:
    """Every row of the view, most overdue first, as dicts (the CSV): the same query as the
    page, without its counts and its LIMIT."""
    return _query(user, filters, today, counts=False)[1]


def _matches(group: dict, filters: Filters, *, with_state: bool) -> bool:
    return (
        (not filters.owner or group["item_owner_id"] == filters.owner)
        and (not filters.agency or group["owner_agency_id"] == filters.agency)
        and (not filters.kind or group["item_kind"] == filters.kind)
        and (not with_state or not filters.state or group["item_state"] == filters.state)
    )


def _count_rows(groups: list[dict], key: str, name, loop_groups=(), loop_key="") -> list[CountRow]:
    rows: dict[int, CountRow] = {}
    for group in groups:
        row = rows.setdefault(group[key], CountRow(id=group[key], name=name(group)))
        row.counts[group["item_state"]] += group["n"]
    for group in loop_groups:
        row = rows.setdefault(group[loop_key], CountRow(id=group[loop_key], name=name(group)))
        row.loops[group["loop_key"]] += group["n"]
    return sorted(
        rows.values(),
        key=lambda r: (
            -r.counts[MISSED],
            -r.counts[OVERDUE],
            -r.outstanding,
            -sum(r.loops.values()),
            r.name.lower(),
            r.id,
        ),
    )


ORDER_SQL = "days_overdue DESC, item_due_on, case_reference, row_source, item_id"


# The columns the dashboard's query returns, in order (DueRow.from_values and the counts read them).
OUT_COLUMNS = (
    "part",
    "n",
    "row_source",
    "item_id",
    "case_reference",
    "item_kind",
    "item_description",
    "item_owner_id",
    "owner_first_name",
    "owner_last_name",
    "owner_username",
    "owner_agency_id",
    "owner_agency_name",
    "item_due_on",
    "item_conducted_on",
    "item_conducted_precision",
    "days_overdue",
    "item_state",
)
NAMES_SQL = (
    "u.first_name AS owner_first_name, u.last_name AS owner_last_name, u.username AS owner_username"
)


def _query(
    user: User,
    filters: Filters,
    today: dt.date,
    *,
    counts: bool = True,
    states=None,
    offset: int = 0,
    limit: int | None = None,
):
    """The one query of the dashboard, the CSV and the due list: the grouped counts of the
    user's scope (with `counts`) and the filtered view's rows, most overdue first (a page of
    them with `limit`), in one statement.

    The follow-ups of the scope are selected once (a WITH clause): the membership test
    that decides the scope runs once, not once per part and per question. Names and case
    references are joined only to the grouped counts and to the rows returned. The counts
    are per (owner, agency, kind, state); `states` narrows the rows (the due list: only
    what is outstanding).
    """
    first, *rest = (part.order_by() for part in _parts(today))
    union = first.union(*rest, all=True)
    items_sql, params = union.query.sql_with_params()
    params = list(params)
    items_sql = f"SELECT * FROM ({items_sql}) AS unscoped"
    case_ids = visible_case_ids(user)
    if case_ids is not None:
        scope_sql, scope_params = case_ids.query.sql_with_params()
        items_sql += f" WHERE item_case_id IN ({scope_sql})"
        params += scope_params
    where, where_params = [], []
    for column, value in (
        ("item_owner_id", filters.owner),
        ("owner_agency_id", filters.agency),
        ("item_kind", filters.kind),
        ("item_state", filters.state),
    ):
        if value:
            where.append(f"{column} = %s")
            where_params.append(value)
    if states is not None:
        where.append(f"item_state IN ({', '.join(['%s'] * len(states))})")
        where_params += list(states)
    page_params: list = []
    window = ""
    if limit is not None:
        window = " LIMIT %s OFFSET %s"
        page_params = [limit, offset]
    count_sql = (
        "SELECT 'count' AS part, g.n, NULL AS row_source, NULL AS item_id, NULL AS case_reference, "
        "g.item_kind, NULL AS item_description, g.item_owner_id, "
        f"{NAMES_SQL}, g.owner_agency_id, a.name AS owner_agency_name, NULL AS item_due_on, "
        "NULL AS item_conducted_on, NULL AS item_conducted_precision, NULL AS days_overdue, "
        "g.item_state "
        "FROM (SELECT item_owner_id, owner_agency_id, item_kind, item_state, COUNT(*) AS n FROM items "
        "      GROUP BY item_owner_id, owner_agency_id, item_kind, item_state) AS g "
        "JOIN referrals_user u ON u.id = g.item_owner_id "
        "JOIN referrals_agency a ON a.id = g.owner_agency_id "
        "UNION ALL "
    )
    sql = (
        f"WITH items AS ({items_sql}) " + (count_sql if counts else "") + "SELECT * FROM ("
        "SELECT 'row' AS part, CAST(NULL AS INTEGER) AS n, p.row_source, p.item_id, p.case_reference, "
        "p.item_kind, p.item_description, p.item_owner_id, "
        f"{NAMES_SQL}, p.owner_agency_id, a.name AS owner_agency_name, p.item_due_on, "
        "p.item_conducted_on, p.item_conducted_precision, p.days_overdue, p.item_state "
        "FROM (SELECT items.*, (SELECT reference FROM referrals_case c WHERE c.id = items.item_case_id) "
        "      AS case_reference FROM items"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {ORDER_SQL}{window}) AS p "
        "JOIN referrals_user u ON u.id = p.item_owner_id "
        "JOIN referrals_agency a ON a.id = p.owner_agency_id) AS page"
    )
    with connection.cursor() as cursor:  # history-safe: a read
        cursor.execute(sql, [*params, *where_params, *page_params])  # history-safe: a read
        rows = [dict(zip(OUT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    groups = [row for row in rows if row["part"] == "count"]
    page = [row for row in rows if row["part"] == "row"]
    # The joins after LIMIT may return the rows in any order: put them back.
    page.sort(
        key=lambda r: (
            -r["days_overdue"],
            str(r["item_due_on"]),
            r["case_reference"],
            r["row_source"],
            r["item_id"],
        )
    )
    return groups, page


class _Page:
    """The page's rows, already read with the counts (the Paginator asks only for this slice)."""

    def __init__(self, rows: list[DueRow], count: int, offset: int):
        self.rows, self._count, self.offset = rows, count, offset

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.rows[key.start - self.offset : key.stop - self.offset]


def build_dashboard(user: User, filters: Filters, *, today: dt.date, page=None) -> Dashboard:
    """Counts and one page (PAGE_SIZE rows) of the view, in one query; the loop lists
    (reviews.loop_lists: cases gone quiet) and their counts in one more.

    Counts take the owner, agency and kind filters but not the state filter,
    so the summary always shows every state; `total` takes every filter.
    """
    try:
        number = max(int(page), 1)
    except (TypeError, ValueError):
        number = 1
    groups, rows = _query(user, filters, today, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    counted = [g for g in groups if _matches(g, filters, with_state=False)]
    counts = dict.fromkeys(STATE_LABELS, 0)
    for group in counted:
        counts[group["item_state"]] += group["n"]
    total = sum(g["n"] for g in counted if _matches(g, filters, with_state=True))
    # The loop lists take the owner and agency filters (they have no kind or state).
    loop_groups, loops = read_loops(user, today, owner=filters.owner, agency=filters.agency)
    loop_counted = [
        g
        for g in loop_groups
        if (not filters.owner or g["loop_owner_id"] == filters.owner)
        and (not filters.agency or g["loop_agency_id"] == filters.agency)
    ]
    owners = {g["item_owner_id"]: _owner_name(g) for g in groups}
    owners |= {g["loop_owner_id"]: _owner_name(g) for g in loop_groups}
    agencies = {g["owner_agency_id"]: g["owner_agency_name"] for g in groups}
    agencies |= {g["loop_agency_id"]: g["owner_agency_name"] for g in loop_groups}

    last = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if number > last:  # past the end (a stale link): show the last page, as Paginator.get_page does
        number = last
        _, rows = _query(
            user, filters, today, counts=False, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    offset = (number - 1) * PAGE_SIZE
    paginator = Paginator(_Page([DueRow.from_values(r) for r in rows], total, offset), PAGE_SIZE)
    page_obj = paginator.page(number)
    return Dashboard(
        filters=filters,
        today=today,
        counts=counts,
        by_owner=_count_rows(counted, "item_owner_id", _owner_name, loop_counted, "loop_owner_id"),
        by_agency=_count_rows(
            counted,
            "owner_agency_id",
            lambda g: g["owner_agency_name"],
            loop_counted,
            "loop_agency_id",
        ),
        owner_choices=sorted(owners.items(), key=lambda item: (item[1].lower(), item[0])),
        agency_choices=sorted(agencies.items(), key=lambda item: (item[1].lower(), item[0])),
        total=total,
        page_obj=page_obj,
        page_range=paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        loops=loops,
    )


@dataclass
class DueList:
    rows: list[DueRow]
    more: bool  # there are more than DUE_LIST_LIMIT; the most overdue are shown


def due_list(user: User, *, today: dt.date, limit: int = DUE_LIST_LIMIT) -> DueList:
    """The reviews and actions `user` owns that are overdue, missed or due soon (one query)."""
    _, rows = _query(
        user, Filters(owner=user.pk), today, counts=False, states=OUTSTANDING, limit=limit + 1
    )
    return DueList(rows=[DueRow.from_values(v) for v in rows[:limit]], more=len(rows) > limit)
