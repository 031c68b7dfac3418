"""Impossible orders among intake's records, refused when a person types them.

docs/chronology-format.md, "Impossible orders". Each rule takes the record `save_record` is
about to save and returns {field: the one sentence that refuses it} (empty: it may be saved);
`casereview.records` runs them for the forms and services (`check_orders`), never for an
import, which keeps an agency's contradictions as evidence. The rules of panels, sessions and
exits are in `reviews.orders`, which reuses the helpers below.

| rule | refuses | field |
|---|---|---|
| `date_of_birth_before_referral` | a date of birth after a referral of the person (a new case, a referral's date changed, a date of birth changed) | `date_of_birth` (new case, person), `occurred_on` (referral edited) |

One date is before another only when it certainly is (`casereview.ukdates.certainly_before`):
a month-only date may be any day of its month.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from casereview.records import register_record_rule
from casereview.ukdates import certainly_before, date_span, uk_date

from .models import Case, DatePrecision, Person, Referral

When = tuple[dt.date, bool]  # a date and whether only its month is known


def when(record, date_field: str = "occurred_on", precision_field: str = "occurred_precision"):
    """The record's date and whether only its month is known (None when it has no date)."""
    value = getattr(record, date_field, None)
    if value is None:
        return None
    return value, getattr(record, precision_field, DatePrecision.DAY) == DatePrecision.MONTH


def referred(case: Case) -> When:
    """The case's referral date: when its first referral was received (as the case page shows)."""
    return case.referred_on, getattr(case, "referred_precision", DatePrecision.DAY) == "month"


def show(date: When) -> str:
    """12 March 2015, or March 2015 when only the month is known: never an invented day."""
    return uk_date(date[0], month_only=date[1])


def stored(record: models.Model, *fields: str) -> dict | None:
    """The record's saved values of `fields` (None for a record not saved yet)."""
    if record.pk is None:
        return None
    return type(record).objects.filter(pk=record.pk).values(*fields).first()


def moved(record: models.Model, *fields: str, saved: dict | None = None) -> bool:
    """Whether saving `record` changes any of `fields`: a new record, or an edit of them. An
    edit that leaves the order-deciding fields as they were (a typo in the summary of an
    imported contradiction) is not refused."""
    saved = saved if saved is not None else stored(record, *fields)
    return saved is None or any(saved[name] != getattr(record, name) for name in fields)


def date_of_birth_before_referral(record: models.Model) -> dict[str, str]:
    """A person cannot be referred before they were born."""
    if isinstance(record, Referral):
        referral = when(record)
        person = record.case.person if record.case_id else None
        born = getattr(person, "date_of_birth", None)
        if referral is None or born is None or record.voided_at is not None:
            return {}
        if not certainly_before(*referral, born, False):
            return {}
        if not moved(record, "occurred_on", "occurred_precision"):
            return {}
        # A new referral is a new case (create_referral): its form asks the date of birth.
        field = "date_of_birth" if record.pk is None else "occurred_on"
        return {field: _sentence(born, referral)}
    if isinstance(record, Person) and record.pk is not None and record.date_of_birth:
        dates = [
            (day, precision == DatePrecision.MONTH)
            for day, precision in Case.objects.filter(person_id=record.pk).values_list(
                "referred_on", "referred_precision"
            )
        ]
        if not dates:
            return {}
        first = min(dates, key=lambda date: date_span(date[0], month_only=date[1])[1])
        if certainly_before(*first, record.date_of_birth, False) and moved(record, "date_of_birth"):
            return {"date_of_birth": _sentence(record.date_of_birth, first)}
    return {}


def _sentence(born: dt.date, referral: When) -> str:
    return f"A date of birth ({uk_date(born)}) cannot be after the referral ({show(referral)})."


RULES = (date_of_birth_before_referral,)


def register() -> None:
    for rule in RULES:
        register_record_rule(rule)
