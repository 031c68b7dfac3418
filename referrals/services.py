"""Writes for intake records: every change goes through here, in a transaction, with history.

Every record is saved through `casereview.records.save_record` (validation, history user
and reason, version); every change to a case row through `update_case`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from casereview.records import ConflictError, check_version, save_record

from .models import (
    AccessGrant,
    Agency,
    Case,
    CaseNote,
    CaseRecord,
    Contact,
    DatePrecision,
    Person,
    Referral,
    ReferralOutcome,
    User,
    uk_date,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def update_case(
    case: Case,
    *,
    user: User,
    reason: str,
    changes: dict | Callable[[Case], dict],
    expected_version: int | None = None,
) -> Case:
    """The one way a case row changes: only the fields in `changes`, set on the row as it is
    now (locked until commit), never on the copy the request loaded at its start.

    `changes` may be a function of the current row (a panel meeting moves a referred case to
    "panel", whatever it was loaded as). With `expected_version` (the version the user's form
    showed), a case changed since is refused with ConflictError, as records are. Nothing is
    written when nothing changes. `case` is brought up to date either way.
    """
    current = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    wanted = changes(current) if callable(changes) else changes
    changed = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(current, name, value)
        save_record(current, user=user, reason=reason)
    for field in Case._meta.concrete_fields:
        setattr(case, field.attname, getattr(current, field.attname))
    return case


def today() -> dt.date:
    return timezone.localdate()


def fill_record(
    record: CaseRecord,
    *,
    case: Case,
    user: User,
    agency: Agency,
    occurred_on: dt.date,
    summary: str,
    month_only: bool = False,
    logged_on: dt.date | None = None,
    source: str = "",
    recorded_by: str = "",
    late_reason: str = "",
) -> CaseRecord:
    """Set the fields every chronology record shares."""
    record.case = case
    record.agency = agency
    record.occurred_precision = DatePrecision.MONTH if month_only else DatePrecision.DAY
    record.occurred_on = occurred_on.replace(day=1) if month_only else occurred_on
    record.logged_on = logged_on or today()
    record.logged_by = user
    record.summary = summary
    record.source = source
    record.recorded_by = recorded_by
    record.late_reason = late_reason
    return record


def next_references(year: int, count: int) -> list[str]:
    """The next `count` free references of the year, in order."""
    first = int(next_reference(year).rsplit("-", 1)[1])
    return [f"CR-{year}-{number:05d}" for number in range(first, first + count)]


def next_reference(year: int) -> str:
    """CR-2026-00042: the next free reference of the year."""
    prefix = f"CR-{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = (
        int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    )
    return f"{prefix}{number:05d}"


@transaction.atomic
def create_referral(
    *,
    user: User,
    person_name: str,
    referring_agency: Agency,
    received_on: dt.date,
    concerns: str,
    owner: User | None = None,
    lead_agency: Agency | None = None,
    date_of_birth: dt.date | None = None,
    referrer_name: str = "",
    referrer_email: str = "",
    source: str = "",
    reference: str = "",
    month_only: bool = False,
    logged_on: dt.date | None = None,
    late_reason: str = "",
    recorded_by: str = "",
    require_late_reason: bool = True,
    reason: str = "New referral",
) -> Referral:
    """A new case: the person, the case with its accountable owner, and the referral received."""
    owner = owner or user
    person = save_record(
        Person(display_name=person_name.strip(), date_of_birth=date_of_birth),
        user=user,
        reason=reason,
    )
    case = save_record(
        Case(
            reference=reference or next_reference(received_on.year),
            person=person,
            owner=owner,
            lead_agency=lead_agency or user.agency,
            referred_on=received_on.replace(day=1) if month_only else received_on,
            referred_precision=DatePrecision.MONTH if month_only else DatePrecision.DAY,
        ),
        user=user,
        reason=reason,
    )
    referral = fill_record(
        Referral(referrer_name=referrer_name, referrer_email=referrer_email.strip()),
        case=case,
        user=user,
        agency=referring_agency,
        occurred_on=received_on,
        summary=concerns,
        month_only=month_only,
        logged_on=logged_on,
        source=source,
        recorded_by=recorded_by,
        late_reason=late_reason,
    )
    return save_record(
        referral,
        user=user,
        reason=reason,
        late_reason_required=require_late_reason,
        check_orders=require_late_reason,
    )


@transaction.atomic
def log_contact(
    *,
    case: Case,
    user: User,
    kind: str,
    with_whom: str = "",
    restricted: bool = False,
    reason: str = "Contact logged",
    require_late_reason: bool = True,
    **fields,
) -> Contact:
    contact = fill_record(
        Contact(kind=kind, with_whom=with_whom, restricted=restricted),
        case=case,
        user=user,
        **fields,
    )
    return save_record(
        contact,
        user=user,
        reason=reason,
        late_reason_required=require_late_reason,
        check_orders=require_late_reason,
    )


@transaction.atomic
def add_note(
    *,
    case: Case,
    user: User,
    restricted: bool = False,
    reason: str = "Note added",
    require_late_reason: bool = True,
    **fields,
) -> CaseNote:
    note = fill_record(CaseNote(restricted=restricted), case=case, user=user, **fields)
    return save_record(
        note,
        user=user,
        reason=reason,
        late_reason_required=require_late_reason,
        check_orders=require_late_reason,
    )


@transaction.atomic
def change_owner(
    *, case: Case, user: User, new_owner: User, reason: str, expected_version: int | None = None
) -> Case:
    """Hand the case to another accountable owner. The old owner stays in history."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the owner is changing."})
    if not new_owner.is_active:
        raise ValidationError(
            {"new_owner": f"{new_owner} can no longer sign in, so cannot own a case."}
        )
    return update_case(
        case,
        user=user,
        reason=f"Owner changed to {new_owner}: {reason}",
        changes={"owner": new_owner},
        expected_version=expected_version,
    )


@transaction.atomic
def record_consent(
    *,
    case: Case,
    user: User,
    consent: str,
    consent_on: dt.date,
    reason: str = "Consent recorded",
    expected_version: int | None = None,
) -> Case:
    if consent_on < case.referred_on:
        raise ValidationError(
            {
                "consent_on": f"Consent date must be on or after the referral date, {case.referred_display}."
            }
        )
    return update_case(
        case,
        user=user,
        reason=reason,
        changes={"consent": consent, "consent_on": consent_on},
        expected_version=expected_version,
    )


def set_status(
    *, case: Case, user: User, status: str, reason: str, expected_version: int | None = None
) -> Case:
    return update_case(
        case,
        user=user,
        reason=reason,
        changes={"status": status},
        expected_version=expected_version,
    )


@transaction.atomic
def void_record(
    record: models.Model, *, user: User, reason: str, expected_version: int | None = None
) -> models.Model:
    """Void instead of delete: the record stays, marked, with who voided it and why."""
    if not reason.strip():
        raise ValidationError({"void_reason": "Give a reason for voiding this record."})
    if record.voided_at is not None:
        raise ValidationError({"void_reason": "This record is already void."})
    check_version(record, expected_version)
    record.voided_at = timezone.now()
    if hasattr(record, "voided_by"):
        record.voided_by = user
    record.void_reason = reason
    return save_record(record, user=user, reason=f"Voided: {reason}")


@transaction.atomic
def update_record(
    record: models.Model,
    *,
    user: User,
    changes: dict,
    reason: str,
    expected_version: int | None = None,
) -> models.Model:
    """Edit fields of an existing record, refusing stale edits; the reason goes into history."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are changing this record."})
    check_version(record, expected_version)
    for name, value in changes.items():
        setattr(record, name, value)
    return save_record(record, user=user, reason=reason, check_orders=True)


@transaction.atomic
def grant_access(
    *, case: Case, user: User, reviewer: User, reason: str, ends_on: dt.date
) -> AccessGrant:
    """Read-only access to one case for an inquiry reviewer, from today to `ends_on`, with the
    grantor and the reason kept (and in history)."""
    if reviewer.role != User.Role.INQUIRY:
        raise ValidationError({"user": "Only an inquiry reviewer can be given access this way."})
    starts_on = today()
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day of access must be today or later."})
    return save_record(
        AccessGrant(
            case=case,
            user=reviewer,
            granted_by=user,
            reason=reason.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
        ),
        user=user,
        reason=f"Access granted to {reviewer}",
    )


# The outcome in plain words, as the referrer's email says it (no detail of the case).
OUTCOME_SENTENCES = {
    ReferralOutcome.Outcome.ADOPTED: "The Channel panel adopted the referral for Channel support.",
    ReferralOutcome.Outcome.NOT_ADOPTED: (
        "The Channel panel did not adopt the referral. No further action will be taken "
        "through Channel."
    ),
    ReferralOutcome.Outcome.SIGNPOSTED: (
        "The Channel panel did not adopt the referral and signposted it to another service."
    ),
    ReferralOutcome.Outcome.EXITED: "The case has been exited from Channel.",
}


class _NotSent(Exception):
    """The email could not be sent: its row is rolled back with it."""


def outcome_email(reference: str, outcome: str, on: dt.date, *, month_only: bool = False):
    """(subject, body) of the referrer's email: the case reference, the outcome and its date."""
    context = {
        "reference": reference,
        "sentence": OUTCOME_SENTENCES[outcome],
        "date": uk_date(on, "month" if month_only else "day"),
    }
    subject = render_to_string("emails/referral_outcome_subject.txt", context)
    return " ".join(subject.split()), render_to_string("emails/referral_outcome.txt", context)


@transaction.atomic
def tell_referrer(
    *,
    case: Case,
    outcome: str,
    by: User,
    on: dt.date,
    month_only: bool = False,
    agency: Agency | None = None,
) -> list[ReferralOutcome]:
    """Email the outcome `outcome` (decided or exited on `on`) to the referrer of each live
    referral of `case` received by then that gives an email address, once per referral and
    outcome; returns the `referral_outcome` records made (empty when nobody was told now).

    Each referrer's row is inserted, then the email sent, in one savepoint: the unique
    constraint `referraloutcome_told_once` makes a second call, a resent form or a
    concurrent request (on PostgreSQL it waits for the first) find the row and send
    nothing. An email that cannot be sent rolls its row back and is logged; the decision or
    exit that called this stands. Callers call it last, so little can undo the row once the
    email is out. No email address: nothing is sent and nothing recorded (the chronology's
    `referral_outcome` entry means the referrer was told; the caseworker tells them another
    way and logs that contact). `agency`: who told them (the deciding panel's), else `by`'s.
    """
    already = ReferralOutcome.objects.filter(
        referral=OuterRef("pk"), outcome=outcome, voided_at__isnull=True
    )
    referrals = (
        Referral.objects.filter(case=case, voided_at__isnull=True, occurred_on__lte=on)
        .exclude(referrer_email="")
        .exclude(Exists(already))
        .order_by("occurred_on", "pk")
    )
    subject, body = outcome_email(case.reference, outcome, on, month_only=month_only)
    told = []
    for referral in referrals:
        record = _email_referrer(
            referral, case, outcome, by=by, agency=agency or by.agency, subject=subject, body=body
        )
        if record is not None:
            told.append(record)
    return told


def _email_referrer(
    referral: Referral,
    case: Case,
    outcome: str,
    *,
    by: User,
    agency: Agency,
    subject: str,
    body: str,
) -> ReferralOutcome | None:
    sent_at = timezone.now()
    sent_on = timezone.localdate(sent_at)
    label = ReferralOutcome.Outcome(outcome).label
    record = fill_record(
        ReferralOutcome(
            referral=referral, outcome=outcome, sent_to=referral.referrer_email, sent_at=sent_at
        ),
        case=case,
        user=by,
        agency=agency,
        occurred_on=sent_on,
        logged_on=sent_on,
        summary=(
            f"{label}: the referrer was told by email to {referral.referrer_email}, sent at "
            f"{timezone.localtime(sent_at):%H:%M} on {uk_date(sent_on)}."
        ),
        source="Email sent by casereview",
    )
    try:
        with transaction.atomic():
            save_record(record, user=by, reason=f"Referrer told: {label}")
            try:
                send_mail(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [referral.referrer_email],
                    fail_silently=False,
                )
            except Exception as error:  # any mail failure: the row goes, the decision stays
                raise _NotSent from error
    except _NotSent:
        logger.exception(
            "Referrer not told: %s %s (referral %s)", case.reference, outcome, referral.pk
        )
        return None
    except (IntegrityError, ValidationError):
        # Told meanwhile (a concurrent request's row, committed now): nothing more to send.
        if ReferralOutcome.objects.filter(
            referral=referral, outcome=outcome, voided_at__isnull=True
        ).exists():
            return None
        raise
    return record
