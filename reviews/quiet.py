"""Cases gone quiet: adopted, not exited, and nothing recorded with the person for a while.

The one rule, read by the supervisor dashboard (reviews.dashboard) and the reminders
(reviews.reminders). With today T, N = NO_CONTACT_DAYS and E = NO_CONTACT_ESCALATE_DAYS:

- A case is *in support* when a live (not voided) panel decision adopted it and its status
  is not exited, closed or no further action (a reopened case is in support again).
- Its *activity* is every live intervention session (held, cancelled, not attended, or
  planned: a session arranged for a day means someone was in touch to arrange it), contact
  and panel meeting dated on or before T. A session planned for a day after T is not
  activity yet. A month-only date counts as the last day of its month (never after T).
- Its *last activity* L is the latest of those dates and of its latest adoption: a case
  adopted last week with nothing since has not gone quiet.
- It has *gone quiet* on T when T - L > N: on day L + N + 1 (with N = 28, a case whose last
  contact was 1 March is quiet on 30 March, not on 29 March). Its owner is emailed once for
  the period that began with L (reminders key the period by L, so new activity and a new
  quiet spell email again).
- It is *escalated* when T - L > N + E: each active supervisor of the owner's agency is
  emailed once for that period.

`quiet_cases(today)` is one set-based query (EXISTS tests and, for the cases found, latest
dates, each on a record table's case index): no query per case.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from referrals.models import Case, Contact, DatePrecision

from .models import InterventionSession, PanelDecision, PanelMeeting
from .sqldates import effective_on

# The records that count as activity.
ACTIVITY_MODELS = (InterventionSession, Contact, PanelMeeting)
NEVER = dt.date(1, 1, 1)


def no_contact_days() -> int:
    return settings.NO_CONTACT_DAYS


def escalate_after_days() -> int:
    """Days without activity after which a quiet case is escalated (N + E)."""
    return settings.NO_CONTACT_DAYS + settings.NO_CONTACT_ESCALATE_DAYS


def quiet_before(today: dt.date) -> dt.date:
    """A case whose last activity is before this day has gone quiet on `today`."""
    return today - dt.timedelta(days=no_contact_days())


def escalate_before(today: dt.date) -> dt.date:
    """A quiet case whose last activity is before this day is escalated on `today`."""
    return today - dt.timedelta(days=escalate_after_days())


def _records(model, today: dt.date) -> QuerySet:
    """The case's (OuterRef) live records of `model` dated on or before today."""
    queryset = model.objects.filter(case=OuterRef("pk"), voided_at__isnull=True)
    if model is PanelDecision:
        queryset = queryset.filter(kind=PanelDecision.Kind.ADOPT)
    return queryset.filter(occurred_on__lte=today)


def _since(cutoff: dt.date) -> Q:
    """Dated (`effective_on`) on or after `cutoff`: for a month-only date, its month's last day
    is; in index-friendly terms on the stored first day of the month."""
    return Q(occurred_on__gte=cutoff) | Q(
        occurred_precision=DatePrecision.MONTH, occurred_on__gte=cutoff.replace(day=1)
    )


def _latest(model, today: dt.date):
    """The date (`effective_on`) of the case's latest live record of `model`, or a date before
    any (so that GREATEST reads the same on PostgreSQL, which skips NULLs, and SQLite)."""
    latest = Subquery(
        _records(model, today).annotate(on=effective_on(today)).order_by("-on").values("on")[:1],
        output_field=DateField(),
    )
    return Coalesce(latest, Value(NEVER, output_field=DateField()), output_field=DateField())


def quiet_cases(today: dt.date, *, escalated: bool = False) -> QuerySet:
    """Every case gone quiet on `today` (with `escalated`, only those to escalate), with
    `last_activity_on` (L above).

    Which cases: the open ones (`Case.ACTIVE_STATUSES`, on the status index: a national
    archive's cases are mostly finished), then EXISTS tests on the record tables' case
    indexes, each run once per case in support. The last activity is worked out for the cases
    found only (in the SELECT).
    """
    cutoff = escalate_before(today) if escalated else quiet_before(today)
    adopted = Exists(_records(PanelDecision, today))
    recent = Q()
    for model in (PanelDecision, *ACTIVITY_MODELS):
        recent |= Exists(_records(model, today).filter(_since(cutoff)))
    return (
        Case.objects.filter(status__in=Case.ACTIVE_STATUSES)
        .filter(adopted)
        .exclude(recent)
        .annotate(
            last_activity_on=Greatest(
                *(_latest(model, today) for model in (PanelDecision, *ACTIVITY_MODELS)),
                output_field=DateField(),
            )
        )
    )
