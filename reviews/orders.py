"""Impossible orders among a case's panel, provider and exit records, refused when typed.

docs/chronology-format.md, "Impossible orders". Each rule takes the record `save_record` is
about to save and returns {field: the one sentence that refuses it, naming both dates}
(empty: it may be saved). `casereview.records` runs them for the forms and services
(`check_orders`, which is true when a person types the record, and on the change page); an
import never runs them, because an agency's contradictions are evidence the inquiry needs.

| rule | refuses | field |
|---|---|---|
| `exit_after_referral_and_adoption` | an exit before the case's referral; an exit with no adoption on or before it | `occurred_on` |
| `adoption_after_referral` | an adoption (a panel decision to adopt) before the case's referral | `occurred_on` |
| (FollowUpReview.clean and the `followupreview_not_before_exit` constraint) | a follow-up review held before the exit it follows | `conducted_on` |
| `session_held_before_exit` | a session held after the case's last exit, while the case stands exited | `occurred_on`; `status` when an outcome is recorded |
| `session_after_commissioning` | a session (held, cancelled, not attended) before the first provider was commissioned, or with none | `occurred_on`; `status` when an outcome is recorded |

The date of birth after the referral is intake's rule: `referrals.orders`.

Decisions:
- One date is before another only when it certainly is (`casereview.ukdates.certainly_before`):
  a month-only date may be any day of its month; the same day is not before.
- The case's referral date is `Case.referred_on` (its first referral, as the case page says).
- Only live (not voided) records of the same case count. Each rule costs one or two indexed
  queries, and only for the kind of record it is about.
- A session after an exit is possible again once the case is reopened (`reopen_case` leaves the
  case no longer exited: its status is intervention again) or adopted again (a live adoption
  that may be after the exit and is not after the session). Only the last exit counts: a
  session between two exits was in a reopened case.
- An edit that leaves the fields deciding the order as they were is never refused (a typo in
  the summary of an imported contradiction, which the import kept as evidence).
"""

from __future__ import annotations

from django.db import models

from casereview.records import register_record_rule
from casereview.ukdates import certainly_before, date_span
from referrals.models import Case, DatePrecision
from referrals.orders import When, moved, referred, show, stored, when

from .models import CaseExit, InterventionSession, PanelDecision, ProviderAssignment

# A case in one of these has not been reopened since its last exit.
STANDS_EXITED = (Case.Status.EXITED, Case.Status.CLOSED, Case.Status.NO_FURTHER_ACTION)
DATE_FIELDS = ("occurred_on", "occurred_precision")


def _live(record: models.Model) -> bool:
    return getattr(record, "voided_at", None) is None and record.case_id is not None


def _adoptions(case_id: int) -> list[When]:
    """The case's live adoptions, earliest first (one query on the case's decisions)."""
    return [
        (day, precision == DatePrecision.MONTH)
        for day, precision in PanelDecision.objects.filter(
            case_id=case_id, kind=PanelDecision.Kind.ADOPT, voided_at__isnull=True
        )
        .order_by("occurred_on", "id")
        .values_list(*DATE_FIELDS)
    ]


def exit_after_referral_and_adoption(record: models.Model) -> dict[str, str]:
    """A case is exited only after it was referred, and only after it was adopted."""
    if not isinstance(record, CaseExit) or not _live(record) or record.occurred_on is None:
        return {}
    exited = when(record)
    referral = referred(record.case)
    if certainly_before(*exited, *referral):
        sentence = (
            f"A case cannot be exited ({show(exited)}) before it was referred ({show(referral)})."
        )
    else:
        adoptions = _adoptions(record.case_id)
        if any(not certainly_before(*exited, *adopted) for adopted in adoptions):
            return {}
        sentence = (
            f"A case cannot be exited ({show(exited)}) before it was adopted "
            f"({show(adoptions[0])})."
            if adoptions
            else f"A case cannot be exited ({show(exited)}) before it was adopted: "
            "no adoption is recorded."
        )
    return {"occurred_on": sentence} if moved(record, *DATE_FIELDS) else {}


def adoption_after_referral(record: models.Model) -> dict[str, str]:
    """A case is adopted only after it was referred."""
    if (
        not isinstance(record, PanelDecision)
        or record.kind != PanelDecision.Kind.ADOPT
        or not _live(record)
        or record.occurred_on is None
    ):
        return {}
    adopted, referral = when(record), referred(record.case)
    if not certainly_before(*adopted, *referral) or not moved(record, "kind", *DATE_FIELDS):
        return {}
    return {
        "occurred_on": (
            f"A case cannot be adopted ({show(adopted)}) before it was referred ({show(referral)})."
        )
    }


def _session_field(saved: dict | None) -> str:
    """Where the sentence goes: the date of a new or edited session; the outcome when a
    planned session is being recorded as held (its form shows no date)."""
    if saved is not None and saved["status"] == InterventionSession.Status.PLANNED:
        return "status"
    return "occurred_on"


def session_held_before_exit(record: models.Model) -> dict[str, str]:
    """A session cannot be held after the case was exited, unless it was reopened or adopted
    again after that exit."""
    if (
        not isinstance(record, InterventionSession)
        or record.status != InterventionSession.Status.HELD
        or not _live(record)
        or record.occurred_on is None
    ):
        return {}
    held = when(record)
    exits = [
        (day, precision == DatePrecision.MONTH)
        for day, precision in CaseExit.objects.filter(
            case_id=record.case_id, voided_at__isnull=True, case__status__in=STANDS_EXITED
        ).values_list(*DATE_FIELDS)
    ]
    if not exits:
        return {}  # never exited, or reopened since
    # Certainly after every exit is certainly after the one whose latest day is latest.
    last = max(exits, key=lambda date: date_span(date[0], month_only=date[1])[1])
    if not certainly_before(*last, *held):
        return {}
    if any(
        not certainly_before(*adopted, *last) and not certainly_before(*held, *adopted)
        for adopted in _adoptions(record.case_id)
    ):
        return {}  # adopted again after the exit
    saved = stored(record, "status", *DATE_FIELDS)
    if not moved(record, "status", *DATE_FIELDS, saved=saved):
        return {}
    return {
        _session_field(saved): (
            f"A session cannot be held ({show(held)}) after the case was exited "
            f"({show(last)}) unless the case is reopened first."
        )
    }


def session_after_commissioning(record: models.Model) -> dict[str, str]:
    """A session (held, cancelled or not attended) is with a provider already commissioned."""
    if (
        not isinstance(record, InterventionSession)
        or record.status == InterventionSession.Status.PLANNED
        or not _live(record)
        or record.occurred_on is None
    ):
        return {}
    session = when(record)
    first = (
        ProviderAssignment.objects.filter(case_id=record.case_id, voided_at__isnull=True)
        .order_by("occurred_on", "id")
        .values_list(*DATE_FIELDS)
        .first()
    )
    commissioned = (first[0], first[1] == DatePrecision.MONTH) if first else None
    if commissioned is not None and not certainly_before(*session, *commissioned):
        return {}
    saved = stored(record, "status", *DATE_FIELDS)
    if not moved(record, "status", *DATE_FIELDS, saved=saved):
        return {}
    sentence = (
        f"A session ({show(session)}) cannot be before the intervention provider was "
        f"commissioned ({show(commissioned)})."
        if commissioned
        else f"A session ({show(session)}) cannot be before the intervention provider was "
        "commissioned: no commissioning is recorded."
    )
    return {_session_field(saved): sentence}


RULES = (
    exit_after_referral_and_adoption,
    adoption_after_referral,
    session_held_before_exit,
    session_after_commissioning,
)


def register() -> None:
    for rule in RULES:
        register_record_rule(rule)
