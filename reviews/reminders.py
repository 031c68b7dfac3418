"""Reminder and escalation emails for follow-up reviews and panel actions.

For a scheduled review or an open panel action due on D, with
R = REVIEW_REMINDER_DAYS and G = REVIEW_GRACE_DAYS, a run on day T emails:

- "before": the owner, when D - R <= T < D (on day D - R, or the first run after it);
- "due": the owner, when D <= T <= D + G (on the due day, or the first run
  after it while the grace period lasts);
- "escalation": every active supervisor of the owner's agency, when T > D + G.

A case gone quiet (reviews.quiet: adopted, not exited, no session, contact or panel
meeting in NO_CONTACT_DAYS) emails:

- "quiet": the owner, on the first run once the case has gone quiet;
- "quiet_escalation": every active supervisor of the owner's agency, on the first run
  once it has been quiet NO_CONTACT_ESCALATE_DAYS more.

Its "due date" is its last activity: the quiet period is keyed by it, so a case that
becomes active and then quiet again is a new period and is emailed again.

Each (review, action or case; kind; recipient; due date) is emailed at most once.
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
from referrals.models import Case, User, uk_date

from .dashboard import KIND_LABELS
from .models import (
    FollowUpReview,
    PanelAction,
    ProviderAssignment,
    ProviderQuestion,
    ReminderSent,
)
from .quiet import quiet_cases

logger = logging.getLogger(__name__)

Kind = ReminderSent.Kind


@dataclass(frozen=True)
class Reminder:
    kind: str
    item: FollowUpReview | PanelAction | Case | ProviderQuestion  # a quiet case carries
    recipient: User  # `last_activity_on`

    @property
    def is_question(self) -> bool:
        return isinstance(self.item, ProviderQuestion)

    @property
    def target(self):
        """What the ReminderSent row points at (a question's reminder: its case)."""
        return self.item.case if self.is_question else self.item

    @property
    def is_review(self) -> bool:
        return isinstance(self.item, FollowUpReview)

    @property
    def is_case(self) -> bool:
        return isinstance(self.item, Case)

    @property
    def link(self) -> str:
        """The ReminderSent column that points at the item."""
        if self.is_case or self.is_question:
            return "case"
        return "review" if self.is_review else "action"

    @property
    def due_on(self) -> dt.date:
        """The date the reminder is about: the due date, or a quiet case's last activity."""
        return self.item.last_activity_on if self.is_case else self.item.due_on


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


def _quiet_reminders(today: dt.date) -> list[Reminder]:
    """Owners of cases gone quiet, and (quiet NO_CONTACT_ESCALATE_DAYS more) each active
    supervisor of the owner's agency, not yet emailed for this quiet period: 4 queries."""
    reminders = []
    for kind, escalated in ((Kind.QUIET, False), (Kind.QUIET_ESCALATION, True)):
        cases = list(
            quiet_cases(today, escalated=escalated)
            .select_related("owner")
            .order_by("last_activity_on", "pk")
        )
        if not cases:
            continue
        told = set(
            ReminderSent.objects.filter(case__in=cases, kind=kind).values_list(
                "case_id", "recipient_id", "due_on"
            )
        )
        if escalated:
            by_agency: dict[int, list[User]] = {}
            for supervisor in User.objects.filter(
                role=User.Role.SUPERVISOR,
                is_active=True,
                agency__in={case.owner.agency_id for case in cases},
            ).order_by("pk"):
                by_agency.setdefault(supervisor.agency_id, []).append(supervisor)
        for case in cases:
            if escalated:
                recipients = by_agency.get(case.owner.agency_id, [])
            else:
                recipients = [case.owner] if case.owner.is_active else []
            for recipient in recipients:
                if (case.pk, recipient.pk, case.last_activity_on) not in told:
                    reminders.append(Reminder(kind, case, recipient))
    return reminders


def _question_reminders(today: dt.date) -> list[Reminder]:
    """Questions to the provider not answered by the date wanted: the provider's worker on
    the case (who must answer) and the person who asked (who is waiting), once per case,
    recipient and due date, however many runs: 3 queries."""
    questions = list(
        ProviderQuestion.objects.overdue(today)
        .select_related("case", "logged_by")
        .order_by("due_on", "pk")
    )
    if not questions:
        return []
    cases = {question.case_id for question in questions}
    workers: dict[int, list[User]] = {}
    for assignment in ProviderAssignment.objects.filter(
        case_id__in=cases,
        voided_at__isnull=True,
        provider_worker__isnull=False,
        provider_worker__is_active=True,
    ).select_related("provider_worker"):
        workers.setdefault(assignment.case_id, []).append(assignment.provider_worker)
    told = set(
        ReminderSent.objects.filter(case_id__in=cases, kind=Kind.QUESTION).values_list(
            "case_id", "recipient_id", "due_on"
        )
    )
    reminders = []
    for question in questions:
        for recipient in [*workers.get(question.case_id, []), question.logged_by]:
            key = (question.case_id, recipient.pk, question.due_on)
            if recipient.is_active and key not in told:
                told.add(key)
                reminders.append(Reminder(Kind.QUESTION, question, recipient))
    return reminders


def _question_context(reminder: Reminder, today: dt.date) -> dict:
    question = reminder.item
    case = question.case
    due = ProviderQuestion.objects.overdue(today).filter(case=case, due_on=question.due_on)
    return {
        "reference": case.reference,
        "due_date": uk_date(question.due_on),
        "days_overdue": (today - question.due_on).days,
        "count": due.count(),
        "is_asker": reminder.recipient.pk == question.logged_by_id,
        "recipient": str(reminder.recipient),
        "link": settings.SITE_URL + reverse("reviews:case", args=[case.reference]),
    }


def _without_name(text: str, person_name: str) -> str:
    """Free text with the referred person's name (and each part of it) taken out."""
    for part in sorted({person_name, *person_name.split()}, key=len, reverse=True):
        if len(part) >= 2:
            text = re.sub(rf"\b{re.escape(part)}\b", "[name]", text, flags=re.IGNORECASE)
    return text


def _quiet_context(reminder: Reminder, today: dt.date) -> dict:
    case = reminder.item
    return {
        "kind": reminder.kind,
        "reference": case.reference,
        "since": uk_date(case.last_activity_on),
        "days_quiet": (today - case.last_activity_on).days,
        "no_contact_days": settings.NO_CONTACT_DAYS,
        "owner": str(case.owner),
        "recipient": str(reminder.recipient),
        "link": settings.SITE_URL + reverse("reviews:case", args=[case.reference]),
    }


def email_context(reminder: Reminder, today: dt.date) -> dict:
    if reminder.is_case:
        return _quiet_context(reminder, today)
    if reminder.is_question:
        return _question_context(reminder, today)
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
    name = (
        "quiet_case"
        if reminder.is_case
        else "question_overdue"
        if reminder.is_question
        else "review_reminder"
    )
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    body = render_to_string(f"emails/{name}.txt", context)
    return " ".join(subject.split()), body


def _send(reminder: Reminder, today: dt.date) -> bool:
    """Record then send, in one transaction. False when another run already recorded it."""
    subject, body = render_email(reminder, today)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                **{reminder.link: reminder.target},
                kind=reminder.kind,
                recipient=reminder.recipient,
                due_on=reminder.due_on,
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
    for reminder in [
        *_owner_reminders(today),
        *_escalations(today),
        *_quiet_reminders(today),
        *_question_reminders(today),
    ]:
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
    if reminder.is_question:
        return (
            f"{reminder.kind} case {item.case.reference} question due {item.due_on.isoformat()} "
            f"to {reminder.recipient.get_username()}"
        )
    if reminder.is_case:
        return (
            f"{reminder.kind} case {item.reference} quiet since "
            f"{item.last_activity_on.isoformat()} to {reminder.recipient.get_username()}"
        )
    what = KIND_LABELS[item.kind] if reminder.is_review else "panel action"
    return (
        f"{reminder.kind} {what} for {item.case.reference} due {item.due_on.isoformat()} "
        f"to {reminder.recipient.get_username()}"
    )
