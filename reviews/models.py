"""Channel panels, intervention-provider work, agency accounts, exits and follow-up reviews.

Agency accounts (what an agency *said or believed*) are kept in their own
model and never mixed with session records (what was *recorded as done*):
the timeline's whole point is to put one against the other.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from casereview.timerules import ReviewState, TimeRules
from referrals.models import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Agency,
    Case,
    CaseRecord,
    DatePrecision,
    History,
    RiskLevel,
    bounded_text,
    effective_date,
    uk_date,
)


class PanelMeeting(CaseRecord):
    """A Channel panel meeting on the case; `summary` holds what the minutes say."""

    agencies_present = models.ManyToManyField(
        Agency, related_name="panel_meetings", blank=True, through="PanelAttendance"
    )
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, blank=True)

    history = History()

    class Meta(CaseRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"Panel meeting {uk_date(self.occurred_on, self.occurred_precision)}"


class PanelAttendance(models.Model):
    """An agency present at a panel meeting (a model of its own so it has history)."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.PROTECT, related_name="attendance")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    history = History()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="panelattendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} at {self.meeting}"


class PanelDecision(CaseRecord):
    """A panel decision with its written rationale (adoption is the `case_adopted` entry)."""

    class Kind(models.TextChoices):
        ADOPT = "adopt", "Adopt for Channel support"
        NOT_ADOPT = "not_adopt", "Not adopted"
        CONTINUE = "continue", "Continue support"
        REFER_ELSEWHERE = "refer_elsewhere", "Refer to another service"
        OTHER = "other", "Other"

    meeting = models.ForeignKey(
        PanelMeeting, on_delete=models.PROTECT, related_name="decisions", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rationale = bounded_text(TEXT_MAX_LENGTH, blank=True)

    history = History()

    class Meta(CaseRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({uk_date(self.occurred_on, self.occurred_precision)})"


class PanelAction(models.Model):
    """An action agreed at a panel: one owner, one due date, done or not."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    meeting = models.ForeignKey(
        PanelMeeting, on_delete=models.PROTECT, related_name="actions", null=True, blank=True
    )
    description = bounded_text(500)  # the forms' limit for an action
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_actions"
    )
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    version = models.PositiveIntegerField(default=1)

    history = History()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="panelaction_void_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="panelaction_description_not_blank"
            ),
        ]
        indexes = [
            # Supervisor dashboard: open actions by due date.
            models.Index(
                fields=["due_on"],
                name="panelaction_open_due_idx",
                condition=Q(completed_on__isnull=True, voided_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def state_on(self, on: dt.date, rules: TimeRules | None = None) -> ReviewState | None:
        """An open action's state on `on`, by the same due-date rules as follow-up reviews
        (casereview.timerules); None once it is done."""
        if self.completed_on is not None:
            return None
        return (rules or TimeRules.current()).review_state(due_on=self.due_on, on=on)

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


class ProviderAssignment(CaseRecord):
    """An intervention provider commissioned on `occurred_on`; `agency` is the provider."""

    class CommissionedBy(models.TextChoices):
        WRITTEN = "written", "In writing"
        EMAIL = "email", "By email"
        PHONE = "phone", "By phone"
        MEETING = "meeting", "At a meeting"

    # None when the number of sessions planned is not known ("Not known" on the form).
    sessions_planned = models.IntegerField(null=True, blank=True)
    commissioned_by = models.CharField(
        max_length=10,
        choices=CommissionedBy.choices,
        blank=True,
        help_text="How the provider was asked; blank when not known.",
    )
    provider_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="provider_assignments",
        null=True,
        blank=True,
        help_text="The named intervention provider, when they have an account.",
    )

    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(sessions_planned__gte=0),
                name="providerassignment_sessions_planned_not_negative",
                violation_error_message="Sessions planned cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} commissioned {uk_date(self.occurred_on, self.occurred_precision)}"


class Briefing(CaseRecord):
    """A written briefing issued to the provider on `occurred_on`, and its acknowledgement."""

    assignment = models.ForeignKey(
        ProviderAssignment,
        on_delete=models.PROTECT,
        related_name="briefings",
        null=True,
        blank=True,
    )
    issued_by = models.CharField(max_length=200, blank=True)
    document_ref = models.CharField(max_length=200, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)

    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(acknowledged_on__isnull=True)
                | Q(acknowledged_on__gte=F("occurred_on")),
                name="briefing_acknowledged_not_before_issued",
                violation_error_message="A briefing cannot be acknowledged before it was issued.",
            ),
        ]

    def __str__(self) -> str:
        return f"Briefing {uk_date(self.occurred_on, self.occurred_precision)}"


# Sessions of a finished case held longer ago than this are not asked to be confirmed.
CONFIRM_LOOKBACK_DAYS = 183


class SessionQuerySet(models.QuerySet):
    """Named filters of sessions. "Confirmed" is decided here, once: a held, live (not void)
    session with at least one live `SessionConfirmation` (see `with_confirmed`). The case
    page, the dashboard and the timeline read it from here (or, from chronology entries,
    from `reviews.chronology.loops`, which states the same rule)."""

    def held(self):
        return self.filter(status=InterventionSession.Status.HELD, voided_at__isnull=True)

    def with_confirmed(self):
        """Annotate `is_confirmed`: held, live, and confirmed by a live confirmation."""
        live = SessionConfirmation.objects.live().filter(session=models.OuterRef("pk"))
        return self.annotate(
            is_confirmed=models.Case(
                models.When(
                    models.Q(status=InterventionSession.Status.HELD, voided_at__isnull=True)
                    & models.Exists(live),
                    then=models.Value(True),
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

    def confirmed(self):
        return self.held().filter(
            models.Exists(SessionConfirmation.objects.live().filter(session=models.OuterRef("pk")))
        )

    def unconfirmed(self):
        return self.held().exclude(
            models.Exists(SessionConfirmation.objects.live().filter(session=models.OuterRef("pk")))
        )

    def awaiting_confirmation(self, today: dt.date):
        """Held sessions still unconfirmed more than SESSION_CONFIRM_DAYS after they were held,
        of a case still in support or held in the last CONFIRM_LOOKBACK_DAYS (a session of a
        case exited years ago is history, not a task): the supervisors' dashboard list."""
        held_before = today - dt.timedelta(days=settings.SESSION_CONFIRM_DAYS)
        recent = today - dt.timedelta(days=CONFIRM_LOOKBACK_DAYS)
        in_support = Q(case__status__in=Case.ACTIVE_STATUSES) | Q(occurred_on__gte=recent)
        return self.unconfirmed().filter(in_support, occurred_on__lt=held_before)

    def confirmation_counts(self) -> dict[str, int]:
        """{"held": live held sessions, "confirmed": those of them confirmed}: one query."""
        live = SessionConfirmation.objects.live().filter(session=models.OuterRef("pk"))
        return self.held().aggregate(
            held=models.Count("pk"),
            confirmed=models.Count("pk", filter=models.Q(models.Exists(live))),
        )


class InterventionSession(CaseRecord):
    """One mentoring session: arranged in advance (planned), then held, cancelled or not attended.

    The plan and the outcome are two chronology entries with their own logged
    dates: `plan_*` say when and how it was arranged; the base fields say when
    the current status was logged. A planned session has `logged_on` equal to
    `plan_logged_on`, which may be before the session's date.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        DID_NOT_ATTEND = "dna", "Did not attend"

    assignment = models.ForeignKey(
        ProviderAssignment,
        on_delete=models.PROTECT,
        related_name="sessions",
        null=True,
        blank=True,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attendees = models.CharField(max_length=300, blank=True)
    provider_report = bounded_text(TEXT_MAX_LENGTH, blank=True)
    plan_logged_on = models.DateField(null=True, blank=True)
    plan_logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    plan_summary = bounded_text(TEXT_MAX_LENGTH, blank=True)
    plan_source = models.CharField(max_length=255, blank=True)
    # When the outcome (held, cancelled, did not attend) was typed into casereview, when that
    # was after the plan; else the record's `created_at` is that moment.
    outcome_entered_at = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()
    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            # Sessions replace the base rule: a *planned* session is logged before it happens.
            models.CheckConstraint(
                condition=Q(status="planned") | Q(logged_on__gte=F("occurred_on")),
                name="reviews_interventionsession_logged_not_before_occurred",
                violation_error_message=(
                    "A held, cancelled or missed session cannot be logged before its date."
                ),
            ),
            *[
                c
                for c in CaseRecord.Meta.constraints
                if not c.name.endswith("logged_not_before_occurred")
            ],
            # A planned session is, by definition, one whose plan was logged.
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(plan_logged_on__isnull=False),
                name="interventionsession_planned_has_plan",
            ),
            models.CheckConstraint(
                condition=Q(plan_logged_on__isnull=True) | Q(logged_on__gte=F("plan_logged_on")),
                name="interventionsession_outcome_after_plan",
                violation_error_message="An outcome cannot be logged before the session was planned.",
            ),
        ]
        indexes = [
            # Timeline and findings: a case's sessions in date order.
            models.Index(fields=["case", "occurred_on"], name="session_case_date_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"Session {uk_date(self.occurred_on, self.occurred_precision)} "
            f"({self.get_status_display().lower()})"
        )

    @property
    def logged_in_advance(self) -> bool:
        """A planned session is arranged, and logged, before its date."""
        return self.status == self.Status.PLANNED

    def clean(self):
        super().clean()
        check_not_before_referral(self, "session")


class AgencyAccount(CaseRecord):
    """What an agency stated or assumed about the intervention on a date, and where it said so."""

    class BelievedStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"

    class SourceKind(models.TextChoices):
        MINUTES = "minutes", "Meeting minutes"
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone call"
        LETTER = "letter", "Letter or report"
        OTHER = "other", "Other"

    # No agency believes in more sessions than any intervention plans (AssignmentForm's limit).
    SESSIONS_BELIEVED_MAX = 500

    sessions_believed = models.IntegerField(null=True, blank=True)
    believed_status = models.CharField(max_length=20, choices=BelievedStatus.choices, blank=True)
    source_kind = models.CharField(
        max_length=10, choices=SourceKind.choices, default=SourceKind.OTHER
    )

    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(sessions_believed__isnull=True) | Q(sessions_believed__gte=0),
                name="agencyaccount_sessions_believed_not_negative",
                violation_error_message="Sessions believed cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} account {uk_date(self.occurred_on, self.occurred_precision)}"

    @classmethod
    def sessions_believed_problem(cls) -> str:
        return (
            "Sessions the agency believed had been held must be a whole number from 0 to "
            f"{cls.SESSIONS_BELIEVED_MAX}"
        )

    def clean(self):
        super().clean()
        # Below 0: the constraint's own sentence (agencyaccount_sessions_believed_not_negative).
        if (
            self.sessions_believed is not None
            and self.sessions_believed > self.SESSIONS_BELIEVED_MAX
        ):
            raise ValidationError({"sessions_believed": self.sessions_believed_problem()})
        check_not_before_referral(self, "account")


class CaseExit(CaseRecord):
    """The panel exited the case. Exiting schedules the 6- and 12-month reviews."""

    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, blank=True)
    rationale = bounded_text(TEXT_MAX_LENGTH, blank=True)
    gate_override_reason = bounded_text(
        REASON_MAX_LENGTH,
        blank=True,
        help_text="Why the case was exited with sessions still planned or without a provider report.",
    )

    history = History()

    class Meta(CaseRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"Exit {uk_date(self.occurred_on, self.occurred_precision)}"


class FollowUpReview(models.Model):
    """A review due 6 or 12 calendar months after an exit; held, not possible or cancelled."""

    class Kind(models.TextChoices):
        SIX_MONTH = "6_month", "6-month review"
        TWELVE_MONTH = "12_month", "12-month review"

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        NOT_POSSIBLE = "not_possible", "Not possible"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    exit = models.ForeignKey(CaseExit, on_delete=models.PROTECT, related_name="reviews")
    # Copied from the exit so the database itself can refuse a review before it.
    exited_on = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_owned"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCHEDULED)
    conducted_on = models.DateField(
        null=True, blank=True, help_text="With month precision, the first day of that month."
    )
    conducted_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The reviewing agency.",
    )
    participants = models.CharField(max_length=300, blank=True)
    summary = bounded_text(TEXT_MAX_LENGTH, blank=True, help_text="Outcome of the review.")
    source = models.CharField(max_length=255, blank=True)
    recorded_by = models.CharField(max_length=200, blank=True)
    logged_on = models.DateField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    late_reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    closed_reason = bounded_text(
        REASON_MAX_LENGTH, blank=True, help_text="Why it was not possible, or why it was cancelled."
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the review was typed into casereview as held (the moment of entry).
    entered_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conducted_on__isnull=True) | Q(conducted_on__gte=F("exited_on")),
                name="followupreview_not_before_exit",
                violation_error_message="A review cannot be conducted before the exit it follows.",
            ),
            models.CheckConstraint(
                condition=~Q(state="held")
                | Q(conducted_on__isnull=False, logged_on__isnull=False, agency__isnull=False),
                name="followupreview_held_has_date",
                violation_error_message="A held review needs the date it was held.",
            ),
            models.CheckConstraint(
                condition=Q(logged_on__isnull=True)
                | Q(conducted_on__isnull=True)
                | Q(logged_on__gte=F("conducted_on")),
                name="followupreview_logged_not_before_conducted",
                violation_error_message="The date logged cannot be before the review was held.",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["scheduled", "held"]) | ~Q(closed_reason=""),
                name="followupreview_closed_has_reason",
                violation_error_message="Give the reason the review was not possible or cancelled.",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=F("exited_on")), name="followupreview_due_after_exit"
            ),
        ]
        indexes = [
            # Supervisor dashboard and reminders: open reviews by due date.
            models.Index(
                fields=["due_on"],
                name="review_open_due_idx",
                condition=Q(state="scheduled"),
            ),
            # Per-owner counts on the dashboard.
            models.Index(fields=["owner", "due_on"], name="review_owner_due_idx"),
            # Dashboard: reviews held (late) in the last 90 days.
            models.Index(
                fields=["conducted_on"], name="review_held_idx", condition=Q(state="held")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {uk_date(self.due_on)}"

    # The names every chronology record has, so the shared rules (late logging, backfill,
    # month-only display) read a held review as they read any other record.
    @property
    def occurred_on(self) -> dt.date | None:
        return self.conducted_on

    @property
    def occurred_precision(self) -> str:
        return self.conducted_precision

    @property
    def effective_date(self) -> dt.date | None:
        """The day the rules use: a month-only date counts as the month's last day."""
        return (
            effective_date(self.conducted_on, self.conducted_precision)
            if self.conducted_on
            else None
        )

    @property
    def conducted_display(self) -> str:
        return uk_date(self.conducted_on, self.conducted_precision) if self.conducted_on else ""

    def state_on(self, on: dt.date, rules: TimeRules | None = None) -> ReviewState:
        """Due soon, overdue, missed, held, held late... as could be said on `on`
        (casereview.timerules: the one rule every page, export and reminder uses). A review
        logged as held after `on` was not known on `on`."""
        known = (
            self.state == self.State.HELD and self.logged_on is not None and self.logged_on <= on
        )
        closed = self.state if self.state in (self.State.NOT_POSSIBLE, self.State.CANCELLED) else ""
        return (rules or TimeRules.current()).review_state(
            due_on=self.due_on,
            on=on,
            held_on=self.effective_date if known else None,
            closed=closed,
        )

    def clean(self):
        errors = {}
        if self.conducted_on and self.exited_on and self.effective_date < self.exited_on:
            errors["conducted_on"] = (
                f"A review cannot be held ({self.conducted_display}) before the exit it "
                f"follows ({uk_date(self.exited_on)})."
            )
        if self.conducted_on and self.logged_on and self.logged_on < self.conducted_on:
            errors["logged_on"] = (
                f"The date it was logged cannot be before the review was held, "
                f"{self.conducted_display}."
            )
        if self.logged_on and self.logged_on > timezone.localdate():
            errors["logged_on"] = "The date it was logged cannot be in the future."
        if errors:
            raise ValidationError(errors)


def check_not_before_referral(record: CaseRecord, noun: str) -> None:
    """Mirror of the database triggers `*_not_before_referral` as a sentence for people."""
    case = record.case
    if record.occurred_on and case.referred_on and record.occurred_on < case.referred_on:
        raise ValidationError(
            {
                "occurred_on": (
                    f"Date of the {noun} must be on or after the referral date, "
                    f"{case.referred_display}."
                )
            }
        )


def _providers(case_id: int) -> set[int]:
    """The agencies commissioned on the case as its intervention provider (live assignments):
    who answers questions to the provider, and who may not confirm a session."""
    return set(
        ProviderAssignment.objects.filter(case_id=case_id, voided_at__isnull=True).values_list(
            "agency_id", flat=True
        )
    )


class SessionConfirmationQuerySet(models.QuerySet):
    def live(self):
        """Not void: only a live confirmation makes its session confirmed."""
        return self.filter(voided_at__isnull=True)


class SessionConfirmation(CaseRecord):
    """Someone outside the intervention provider confirmed that a held session took place.

    As the chronology format has it (`session_confirmed`): `occurred_on` is the session's
    day (with its precision) and `logged_on` the day it was confirmed; `agency` is the
    confirming agency, never the provider's own (a provider cannot vouch for itself).
    `summary` says how, in words that start with the `how` label (the CSV carries only the
    summary, so an import reads `how` back from it: `How.from_summary`).
    """

    # Its agency's own word: changed or voided only by that agency or an administrator
    # (referrals.access.can_change_record).
    changed_by_its_agency = True

    class How(models.TextChoices):
        CALL = "call", "Call with the person"
        REPORT = "report", "Provider’s report received"
        ATTENDED = "attended", "Attended with them"
        OTHER = "other", "Other"

        @classmethod
        def from_summary(cls, summary: str) -> str:
            """The `how` a summary starts with (as `describe` writes it); OTHER when none."""
            folded = summary.strip().casefold().replace("'", "’")
            for value, label in cls.choices:
                if value != cls.OTHER and folded.startswith(label.casefold()):
                    return value
            return cls.OTHER

    session = models.ForeignKey(
        InterventionSession, on_delete=models.PROTECT, related_name="confirmations"
    )
    how = models.CharField(max_length=10, choices=How.choices, default=How.OTHER)

    objects = SessionConfirmationQuerySet.as_manager()
    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            # One live confirmation of a session per agency: a second would count nothing more.
            models.UniqueConstraint(
                fields=["session", "agency"],
                condition=Q(voided_at__isnull=True),
                name="sessionconfirmation_once_per_agency",
                violation_error_message="Your agency has already confirmed this session.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Confirmation of the session of {uk_date(self.occurred_on, self.occurred_precision)}"
        )

    @staticmethod
    def describe(how: str, note: str = "") -> str:
        """The summary a confirmation is saved with: how, then the note."""
        label = SessionConfirmation.How(how).label
        note = note.strip()
        return f"{label}: {note}" if note else label

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.logged_on and self.logged_on > timezone.localdate():
            # Its logged date is the day it was confirmed: said so, as the form labels it.
            errors["logged_on"] = ["Date it was confirmed cannot be in the future"]
        session = self.session if self.session_id else None
        if session is not None:
            if session.case_id != self.case_id:
                errors.setdefault("session", []).append("That session belongs to another case.")
            elif session.status != InterventionSession.Status.HELD or session.is_void:
                errors.setdefault("session", []).append("Only a held session can be confirmed.")
            if self.agency_id and self.agency_id == session.agency_id:
                errors.setdefault("agency", []).append(
                    f"{session.agency} provided the session, so it cannot confirm it: a "
                    "confirmation comes from someone outside the intervention provider."
                )
            elif self.pk is None and self.agency_id in _providers(self.case_id):
                errors.setdefault("agency", []).append(
                    f"{self.agency} is an intervention provider on this case, so it cannot "
                    "confirm a session: a confirmation comes from someone outside the provider."
                )
            if (self.occurred_on, self.occurred_precision) != (
                session.occurred_on,
                session.occurred_precision,
            ):
                errors.setdefault("occurred_on", []).append(
                    f"A confirmation is dated on its session’s day, {session.occurred_display}."
                )
            elif self.logged_on and self.logged_on < self.occurred_on:
                errors["logged_on"] = [
                    f"The date it was confirmed cannot be before the session, "
                    f"{session.occurred_display}."
                ]
        if errors:
            raise ValidationError(errors)


class ProviderQuestionQuerySet(models.QuerySet):
    """Named filters of questions to the provider. "Open" and "overdue" are decided here,
    once; the case page, the provider's list, the dashboard and reminders read them."""

    def live(self):
        return self.filter(voided_at__isnull=True)

    @staticmethod
    def _open() -> Q:
        """Live, and no live answer: the one definition of an open question."""
        answered = QuestionAnswer.objects.filter(
            question=models.OuterRef("pk"), voided_at__isnull=True
        )
        return Q(voided_at__isnull=True) & ~models.Exists(answered)

    def open(self):
        """Live questions with no live answer."""
        return self.filter(self._open())

    def with_overdue(self, on: dt.date):
        """Annotate `is_overdue`: open, and its due date is before `on` (a question with no
        due date, as an import may leave it, is never overdue)."""
        return self.annotate(
            is_overdue=models.Case(
                models.When(self._open() & Q(due_on__lt=on), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

    def answerable_on(self, day: dt.date):
        """Open questions asked on or before `day`, earliest first: the one an answer given on
        `day` answers is the first (docs/chronology-format.md, `question_answered`)."""
        return self.open().filter(occurred_on__lte=day).order_by("occurred_on", "id")

    def overdue(self, on: dt.date):
        """Open questions whose due date is before `on` (`with_overdue`)."""
        return self.with_overdue(on).filter(is_overdue=True)


class ProviderQuestion(CaseRecord):
    """An agency on the case asked the intervention provider a question (`question_asked`).

    `summary` is the question; `occurred_on` the day it was asked; `due_on` when an answer is
    wanted by (None: not said, as in an imported chronology). Open until a live
    `QuestionAnswer` answers it (`ProviderQuestion.objects.open()`).
    """

    # Its agency's own word: changed or voided only by that agency or an administrator
    # (referrals.access.can_change_record).
    changed_by_its_agency = True

    due_on = models.DateField(
        null=True, blank=True, help_text="When an answer is wanted by; blank when not said."
    )

    objects = ProviderQuestionQuerySet.as_manager()
    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("occurred_on")),
                name="providerquestion_due_not_before_asked",
                violation_error_message="An answer cannot be due before the question was asked.",
            ),
        ]
        indexes = [
            # The provider's list and the dashboard: a case's live questions by due date.
            models.Index(
                fields=["case", "due_on"],
                name="providerquestion_live_due_idx",
                condition=Q(voided_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Question of {uk_date(self.occurred_on, self.occurred_precision)}"

    @staticmethod
    def latest_due_on(asked_on: dt.date) -> dt.date:
        """The latest an answer may be wanted by: a year after the day asked (28 February
        for a question asked on 29 February)."""
        try:
            return asked_on.replace(year=asked_on.year + 1)
        except ValueError:
            return asked_on.replace(year=asked_on.year + 1, day=28)

    @classmethod
    def due_on_problem(
        cls, due_on: dt.date | None, asked_on: dt.date, *, month_only: bool = False
    ) -> str:
        """Why `due_on` cannot be the date an answer is wanted by for a question asked on
        `asked_on` ("" when it can): not before the day asked, at most a year after it. A
        question asked today says "today" (the ask form's case)."""
        if due_on is None:
            return ""
        today = not month_only and asked_on == timezone.localdate()
        if month_only:  # any day of the month it was asked
            asked_on = asked_on.replace(day=1)
        asked_last = effective_date(
            asked_on, DatePrecision.MONTH if month_only else DatePrecision.DAY
        )
        if due_on < asked_on:
            if today:
                return "The date an answer is wanted by cannot be in the past"
            precision = DatePrecision.MONTH if month_only else DatePrecision.DAY
            return (
                "The date an answer is wanted by cannot be before the question was asked, "
                f"{uk_date(asked_on, precision)}"
            )
        latest = cls.latest_due_on(asked_last)
        if due_on > latest:
            since = "today" if today else "the day the question was asked"
            return (
                f"The date an answer is wanted by must be within a year of {since}: "
                f"{uk_date(latest)} at the latest"
            )
        return ""

    def clean(self):
        super().clean()
        if self.occurred_on and (
            problem := self.due_on_problem(
                self.due_on,
                self.occurred_on,
                month_only=self.occurred_precision == DatePrecision.MONTH,
            )
        ):
            raise ValidationError({"due_on": problem})

    def live_answer(self) -> "QuestionAnswer | None":
        """Its one live answer (with the answering agency), or None while it is open."""
        return (
            self.answers.filter(voided_at__isnull=True)
            .select_related("agency", "logged_by")
            .first()
        )


class QuestionAnswer(CaseRecord):
    """The provider's answer to a question (`question_answered`); `summary` is the answer and
    `occurred_on` the day it was answered. One live answer per question."""

    # Its agency's own word: changed or voided only by that agency or an administrator
    # (referrals.access.can_change_record).
    changed_by_its_agency = True

    question = models.ForeignKey(ProviderQuestion, on_delete=models.PROTECT, related_name="answers")

    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(voided_at__isnull=True),
                name="questionanswer_one_live_per_question",
                violation_error_message="This question has already been answered.",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer of {uk_date(self.occurred_on, self.occurred_precision)}"

    def clean(self):
        super().clean()
        question = self.question if self.question_id else None
        if question is None:
            return
        if question.case_id != self.case_id:
            raise ValidationError({"question": "That question belongs to another case."})
        if question.is_void:
            raise ValidationError({"question": "That question was voided."})
        if self.pk is None and self.agency_id and self.agency_id not in _providers(self.case_id):
            raise ValidationError(
                {
                    "agency": f"{self.agency} is not the intervention provider commissioned on "
                    "this case: an answer comes from the provider."
                }
            )
        if self.occurred_on and self.effective_date < question.occurred_on:
            raise ValidationError(
                {
                    "occurred_on": "A question cannot be answered before it was asked, "
                    f"{question.occurred_display}."
                }
            )


class ReminderSent(models.Model):
    """One reminder or escalation email, recorded so that it is sent at most once.

    The unique constraint is what makes overlapping or repeated runs safe: the
    row is inserted before the email goes, and a second run's insert fails.
    It is about a follow-up review, a panel action or (a case gone quiet:
    reviews.quiet) a case; `due_on` is then the last activity the quiet period
    runs from, so each quiet period is emailed once.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", "Due soon"
        DUE = "due", "Due today"
        ESCALATION = "escalation", "Overdue: escalated"
        QUIET = "quiet", "Case gone quiet"
        QUIET_ESCALATION = "quiet_escalation", "Case gone quiet: escalated"
        # One per case, recipient and due date: every question of the case due that day.
        QUESTION = "question", "Question to the provider not answered in time"

    review = models.ForeignKey(
        FollowUpReview, on_delete=models.PROTECT, related_name="reminders", null=True, blank=True
    )
    action = models.ForeignKey(
        PanelAction, on_delete=models.PROTECT, related_name="reminders", null=True, blank=True
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="reminders", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(
        help_text="The due date the reminder was about; for a case gone quiet, its last activity."
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kind", "recipient", "due_on"],
                condition=Q(review__isnull=False),
                name="remindersent_once_per_review",
            ),
            models.UniqueConstraint(
                fields=["action", "kind", "recipient", "due_on"],
                condition=Q(action__isnull=False),
                name="remindersent_once_per_action",
            ),
            # Once per quiet period: a case active again and then quiet again has a new one.
            models.UniqueConstraint(
                fields=["case", "kind", "recipient", "due_on"],
                condition=Q(case__isnull=False),
                name="remindersent_once_per_quiet_case",
            ),
            models.CheckConstraint(
                condition=(
                    Q(review__isnull=False, action__isnull=True, case__isnull=True)
                    | Q(review__isnull=True, action__isnull=False, case__isnull=True)
                    | Q(review__isnull=True, action__isnull=True, case__isnull=False)
                ),
                name="remindersent_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.due_on})"


class PdfJob(models.Model):
    """One PDF chronology to lay out, being laid out, or laid out: one per fingerprint.

    The fingerprint (reviews/pdf/fingerprint.py) covers the case's data, the viewer's scope
    and the as-of day, so identical requests share one job: the unique constraint makes
    concurrent requests enqueue one task. `attempt` names the one task allowed to work on the
    job; a duplicate or superseded task finds another number and does nothing. Not a record
    anyone edits (no history): the download view creates it and the worker's task
    (reviews/pdf/jobs.py) moves it from queued to running to done or failed.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being laid out"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    class Problem(models.TextChoices):
        NONE = "", "None"
        TOO_LARGE = "too_large", "More entries than PDF_MAX_ENTRIES"
        TIME = "time", "Over its time limit"
        MEMORY = "memory", "Over its memory limit"
        ERROR = "error", "Failed"
        STOPPED = "stopped", "Its worker stopped"

    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField()
    restricted_to = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Other agencies' restricted records are left out; empty: the document has all.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempt = models.PositiveIntegerField(default=1)
    failures = models.PositiveSmallIntegerField(default=0)
    problem = models.CharField(max_length=10, choices=Problem.choices, blank=True)
    message = models.TextField(blank=True)
    entries = models.PositiveIntegerField(default=0)
    entries_counted = models.BooleanField(
        default=False, help_text="False while `entries` is the estimate made at the request."
    )
    task_id = models.CharField(max_length=64, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="pdfjob_one_per_fingerprint"),
        ]
        indexes = [
            # The waiting page's queue ahead of a job: unfinished jobs by when they were queued.
            models.Index(fields=["state", "queued_at"], name="pdfjob_state_queued_idx"),
            # Pruning: finished jobs by when they finished.
            models.Index(fields=["state", "finished_at"], name="pdfjob_state_finished_idx"),
        ]

    def __str__(self) -> str:
        return f"PDF of case {self.case_id} as of {self.as_of}: {self.get_state_display()}"
