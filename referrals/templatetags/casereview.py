"""Template filters for UK dates and status tags (cheaper than the `date` filter on long pages)."""

import calendar
import datetime as dt

from django import template

from referrals.models import Case

register = template.Library()


@register.filter
def ukdate(value) -> str:
    """12 March 2015 (dates and datetimes in the local time zone)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value)
        return f"{value.day} {calendar.month_name[value.month]} {value.year}, {value:%H:%M}"
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


@register.filter
def entry_date(entry) -> str:
    """An entry's date as known: "April 2015" when only the month is known, never an invented day."""
    if entry.month_only:
        return f"{calendar.month_name[entry.occurred_on.month]} {entry.occurred_on.year}"
    return ukdate(entry.occurred_on)


STATUS_COLOURS = {
    Case.Status.REFERRED: "grey",
    Case.Status.GATEWAY: "turquoise",
    Case.Status.PANEL: "purple",
    Case.Status.INTERVENTION: "blue",
    Case.Status.EXITED: "green",
    Case.Status.CLOSED: "grey",
    Case.Status.NO_FURTHER_ACTION: "grey",
}
RISK_COLOURS = {"very_low": "green", "low": "teal", "medium": "yellow", "high": "red"}


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "grey")


@register.filter
def risk_colour(risk: str) -> str:
    return RISK_COLOURS.get(risk, "grey")


@register.simple_tag
def form_token() -> str:
    """A hidden field that lets the form be accepted once (referrals/submissions.py)."""
    from referrals.submissions import token_input

    return token_input()
