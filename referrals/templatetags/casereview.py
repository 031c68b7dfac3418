"""Template filters for UK dates and status tags (cheaper than the `date` filter on long pages)."""

from django import template

from casereview.ukdates import uk_date
from referrals.models import Case

register = template.Library()


@register.filter
def ukdate(value) -> str:
    """12 March 2015 (dates and datetimes in the local time zone): casereview.ukdates."""
    return uk_date(value or None)


@register.filter
def entry_date(entry) -> str:
    """An entry's date as known: "April 2015" when only the month is known, never an invented day."""
    return uk_date(entry.occurred_on, month_only=entry.month_only)


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


@register.filter
def timeuntil_minutes(delta) -> str:
    """A timedelta as people say it: "15 minutes", "1 hour", "2 hours"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@register.filter
def time_from_now(delta) -> str:
    """The local clock time `delta` from now: "14:35"."""
    from django.utils import timezone

    return f"{timezone.localtime(timezone.now() + delta):%H:%M}"
