"""Reminder and escalation emails for follow-up reviews and panel actions.

For a scheduled review or an open panel action due on D, with
R = REVIEW_REMINDER_DAYS and G = REVIEW_GRACE_DAYS, a run on day T emails:

- "before": the owner, when D - R <= T < D (on day D - R, or the first run after it);
- "due": the owner, when D <= T <= D + G (on the due day, or the first run
  after it while the grace period lasts);
- "escalation": every active supervisor of the owner's agency, when T > D + G.

Each (review or action, kind, recipient, due date) is emailed at most once.
The ReminderSent row is inserted first, in its own transaction, and the
unique constraints refuse a second one, so a repeated or overlapping run
skips it (PostgreSQL makes the second insert wait for the first run's
transaction). The email is sent inside that transaction: if sending fails,
the row is rolled back and the next run tries again.

Emails name the case reference, never the person, and link to the case page,
which checks access as usual.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse

from casereview.timerules import TimeRules
from referrals.models import User, uk_date

from .dashboard import KIND_LABELS
from .models import FollowUpReview, PanelAction, ReminderSent

logger = logging.getLogger(__name__)

Kind = ReminderSent.Kind


@dataclass(frozen=True)
class Reminder:
    kind: str
    item: FollowUpReview | PanelAction
    recipient: User

    @property
    def is_review(self) -> bool:
        return isinstance(self.item, FollowUpReview)


@dataclass
class ReminderRun:
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    no_email: list[Reminder] = field(default_factory=list)  # recipient has no email address


# Which rows each source reads, and the ReminderSent column that points at it.
SOURCES = (
    (FollowUpReview, "review", Q(state=FollowUpReview.State.SCHEDULED)),
    (PanelAction, "action", Q(completed_on__isnull=True, voided_at__isnull=True)),
)


def _already_sent(link: str, kind: str, recipient):
    return Exists(
        ReminderSent.objects.filter(
            **{link: OuterRef("pk")}, kind=kind, recipient=recipient, due_on=OuterRef("due_on")
        )
    )


def _owner_reminders(today: dt.date) -> list[Reminder]:
    """The owners' "before" and "due" reminders not yet sent: one query per source and kind."""
    rules = TimeRules.current()
    windows = {
        Kind.BEFORE: Q(
            due_on__gt=today, due_on__lte=today + dt.timedelta(days=settings.REVIEW_REMINDER_DAYS)
        ),
        # Due today or overdue (not yet missed: that is the supervisors' escalation).
        Kind.DUE: Q(due_on__lte=today, due_on__gte=rules.missed_before(today)),
    }
    reminders = []
    for model, link, open_q in SOURCES:
        for kind, window in windows.items():
            items = (
                model.objects.filter(open_q, window, owner__is_active=True)
                .exclude(_already_sent(link, kind, OuterRef("owner")))
                .select_related("case__person", "owner")
                .order_by("due_on", "pk")
            )
            reminders += [Reminder(kind, item, item.owner) for item in items]
    return reminders


def _escalations(today: dt.date) -> list[Reminder]:
    """Missed items and each active supervisor of the owner's agency not yet told: 3 queries a source."""
    missed_before = TimeRules.current().missed_before(today)
    supervisors = User.objects.filter(role=User.Role.SUPERVISOR, is_active=True)
    reminders = []
    for model, link, open_q in SOURCES:
        untold = supervisors.filter(agency=OuterRef("owner__agency")).exclude(
            Exists(
                ReminderSent.objects.filter(
                    **{link: OuterRef(OuterRef("pk"))},
                    kind=Kind.ESCALATION,
                    recipient=OuterRef("pk"),
                    due_on=OuterRef(OuterRef("due_on")),
                )
            )
        )
        items = list(
            model.objects.filter(open_q, due_on__lt=missed_before)
            .filter(Exists(untold))
            .select_related("case__person", "owner")
            .order_by("due_on", "pk")
        )
        if not items:
            continue
        by_agency: dict[int, list[User]] = {}
        for supervisor in supervisors.filter(agency__in={i.owner.agency_id for i in items}):
            by_agency.setdefault(supervisor.agency_id, []).append(supervisor)
        told = set(
            ReminderSent.objects.filter(**{f"{link}__in": items}, kind=Kind.ESCALATION).values_list(
                f"{link}_id", "recipient_id", "due_on"
            )
        )
        for item in items:
            for supervisor in by_agency.get(item.owner.agency_id, []):
                if (item.pk, supervisor.pk, item.due_on) not in told:
                    reminders.append(Reminder(Kind.ESCALATION, item, supervisor))
    return reminders


def _without_name(text: str, person_name: str) -> str:
    """Free text with the referred person's name (and each part of it) taken out."""
    for part in sorted({person_name, *person_name.split()}, key=len, reverse=True):
        if len(part) >= 2:
            text = re.sub(rf"\b{re.escape(part)}\b", "[name]", text, flags=re.IGNORECASE)
    return text


def email_context(reminder: Reminder, today: dt.date) -> dict:
    item = reminder.item
    case = item.case
    return {
        "kind": reminder.kind,
        "reference": case.reference,
        "what": KIND_LABELS[item.kind] if reminder.is_review else "Panel action",
        "description": ""
        if reminder.is_review
        else _without_name(item.description, case.person.display_name),
        "due_date": uk_date(item.due_on),
        "due_today": item.due_on == today,
        "days_to_go": (item.due_on - today).days,
        "days_overdue": (today - item.due_on).days,
        "owner": str(item.owner),
        "recipient": str(reminder.recipient),
        "link": settings.SITE_URL + reverse("reviews:case", args=[case.reference]),
    }


def render_email(reminder: Reminder, today: dt.date) -> tuple[str, str]:
    context = email_context(reminder, today)
    subject = render_to_string("emails/review_reminder_subject.txt", context)
    body = render_to_string("emails/review_reminder.txt", context)
    return " ".join(subject.split()), body


def _send(reminder: Reminder, today: dt.date) -> bool:
    """Record then send, in one transaction. False when another run already recorded it."""
    item = reminder.item
    link = "review" if reminder.is_review else "action"
    subject, body = render_email(reminder, today)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                **{link: item},
                kind=reminder.kind,
                recipient=reminder.recipient,
                due_on=item.due_on,
            )
            # Raising here rolls the row back, so the next run retries.
            send_mail(subject, body, None, [reminder.recipient.email], fail_silently=False)
    except IntegrityError:
        return False
    return True


def send_due_reminders(today: dt.date) -> ReminderRun:
    """Send every reminder and escalation due on `today` that has not been sent yet.

    Not one transaction: each email is recorded and sent in its own, so one
    failure neither stops nor undoes the others.
    """
    run = ReminderRun()
    for reminder in [*_owner_reminders(today), *_escalations(today)]:
        if not reminder.recipient.email:
            run.no_email.append(reminder)
            continue
        try:
            if _send(reminder, today):
                run.sent.append(reminder)
        except Exception as error:  # any mail failure: keep going; the next run retries it
            logger.exception("Reminder not sent: %s", describe(reminder))
            run.failed.append((reminder, str(error) or type(error).__name__))
    return run


def describe(reminder: Reminder) -> str:
    """One line for logs and the command's output: no person's name."""
    item = reminder.item
    what = KIND_LABELS[item.kind] if reminder.is_review else "panel action"
    return (
        f"{reminder.kind} {what} for {item.case.reference} due {item.due_on.isoformat()} "
        f"to {reminder.recipient.get_username()}"
    )
