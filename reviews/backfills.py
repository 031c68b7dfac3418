"""Entries typed into casereview well after their agency logged them: the supervisors' list.

A backfill (casereview.timerules.TimeRules.backfilled) is not a finding: copying a 2015 case
in from its documents in 2026 is how an inquiry works. But backdating must stay visible, so
supervisors see what was entered in the last `WINDOW_DAYS` days with a logged date more than
LATE_LOGGING_DAYS before its entry, who typed it and from which document. One query: a UNION
ALL over the record tables, newest first, at most `LIMIT` rows, within the user's cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, DateTimeField, F, Value
from django.db.models.functions import Cast, Coalesce

from casereview.timerules import TimeRules
from casereview.ukdates import uk_date
from referrals.access import visible_case_ids
from referrals.models import User

from .chronology.kinds import BY_MODEL, CHRONOLOGY_MODELS
from .chronology.query import local_day
from .models import FollowUpReview, InterventionSession

WINDOW_DAYS = 30
LIMIT = 100


@dataclass(frozen=True)
class Backfill:
    case_reference: str
    kind: str
    agency: str
    occurred: str
    logged_on: dt.date
    entered_on: dt.date
    entered_by: str
    source: str

    @property
    def logged(self) -> str:
        return uk_date(self.logged_on)

    @property
    def entered(self) -> str:
        return uk_date(self.entered_on)


def _part(model, *, since: dt.datetime, case_ids):
    entered = {
        InterventionSession: Coalesce("outcome_entered_at", "created_at"),
        FollowUpReview: Coalesce("entered_at", "created_at"),
    }.get(model, F("created_at"))
    occurred = "conducted_on" if model is FollowUpReview else "occurred_on"
    precision = "conducted_precision" if model is FollowUpReview else "occurred_precision"
    label = "Review conducted" if model is FollowUpReview else BY_MODEL[model].label
    queryset = model.objects.alias(entered=entered).filter(
        entered__gte=since, logged_on__isnull=False
    )
    if model is FollowUpReview:
        queryset = queryset.filter(state=FollowUpReview.State.HELD)
    else:
        queryset = queryset.filter(voided_at__isnull=True)
    if case_ids is not None:
        queryset = queryset.filter(case_id__in=case_ids)
    return queryset.order_by().values(
        b_reference=F("case__reference"),
        b_kind=Value(str(label), output_field=CharField()),
        b_agency=F("agency__name"),
        b_occurred=F(occurred),
        b_precision=F(precision),
        b_logged=F("logged_on"),
        b_entered=Cast(entered, DateTimeField()),
        b_first=F("logged_by__first_name"),
        b_last=F("logged_by__last_name"),
        b_username=F("logged_by__username"),
        b_source=F("source"),
    )


def recent_backfills(
    user: User, *, now: dt.datetime, rules: TimeRules | None = None
) -> list[Backfill]:
    """What was entered in the last WINDOW_DAYS as a backfill, newest first, in one query."""
    rules = rules or TimeRules.current()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    case_ids = visible_case_ids(user)
    parts = [
        _part(model, since=since, case_ids=case_ids)
        for model in (*CHRONOLOGY_MODELS, FollowUpReview)
    ]
    first, *rest = parts
    rows = first.union(*rest, all=True).order_by("-b_entered")
    found = []
    # Read newest first until LIMIT backfills are found; only this window's entries are read.
    for row in rows[: LIMIT * 20]:
        entered_on = local_day(row["b_entered"])
        logged = row["b_logged"]
        logged = dt.date.fromisoformat(logged) if isinstance(logged, str) else logged
        if not rules.backfilled(logged, entered_on):
            continue
        occurred = row["b_occurred"]
        occurred = dt.date.fromisoformat(occurred) if isinstance(occurred, str) else occurred
        name = f"{row['b_first'] or ''} {row['b_last'] or ''}".strip() or row["b_username"] or ""
        found.append(
            Backfill(
                case_reference=row["b_reference"],
                kind=row["b_kind"],
                agency=row["b_agency"] or "",
                occurred=uk_date(occurred, month_only=row["b_precision"] == "month"),
                logged_on=logged,
                entered_on=entered_on,
                entered_by=name,
                source=row["b_source"],
            )
        )
        if len(found) == LIMIT:
            break
    return found
