"""Date arithmetic in SQL that reads the same on PostgreSQL and SQLite (the dashboard, the lists
of cases gone quiet and the reminders take the rules' dates as parameters)."""

from __future__ import annotations

from django.db.models import Case, DateField, F, Func, IntegerField, Value, When
from django.db.models.functions import Least


class DaysBetween(Func):
    """Whole days from `start` to `end` (end - start) for two dates, on PostgreSQL and SQLite."""

    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "  # PostgreSQL: date - date is an integer number of days

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class MonthEnd(Func):
    """The last day of the month of a date, on PostgreSQL and SQLite (a month-only date's day
    for every rule: casereview.timerules)."""

    output_field = DateField()
    template = "CAST(date_trunc('month', %(expressions)s) + interval '1 month - 1 day' AS date)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s, 'start of month', '+1 month', '-1 day')",
            **extra_context,
        )


def effective_on(today):
    """A record's date for every rule (`occurred_on`; a month-only date counts as the last
    day of its month), never later than `today`: "in March" is not later than today."""
    today_value = Value(today, output_field=DateField())
    return Case(
        When(
            occurred_precision="month",
            then=Least(MonthEnd(F("occurred_on")), today_value, output_field=DateField()),
        ),
        default=F("occurred_on"),
        output_field=DateField(),
    )
