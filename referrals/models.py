"""Intake: agencies, users, referred people, cases and the records common to every case.

`CaseRecord` is the abstract base of every dated entry in a case's chronology
(referrals and contacts here; panels, sessions, accounts and exits in
`reviews`). It keeps when something happened (`occurred_on`, possibly known
only to the month) apart from when it was written down (`logged_on`, by
`logged_by`), because the gap between the two is itself evidence.
"""

import calendar
import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from casereview import ukdates
from casereview.auditchain import ChainedRow


def History(**kwargs) -> HistoricalRecords:
    """History whose rows are hash-chained (casereview/auditchain.py)."""
    return HistoricalRecords(bases=[ChainedRow], **kwargs)


def uk_date(value: dt.date | None, precision: str = "day") -> str:
    """12 March 2015, or March 2015 when only the month is known (casereview.ukdates)."""
    return ukdates.uk_date(value, month_only=precision == DatePrecision.MONTH)


# The longest text a user may type (issue 13): summaries, notes, reports and rationales, and
# reasons. WeasyPrint lays out one unbroken word in time that grows with the square of its
# length, so an unbounded note could hold the PDF worker for minutes.
TEXT_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 2_000


def bounded_text(limit: int, **kwargs) -> models.TextField:
    """A TextField of at most `limit` characters. TextField hands max_length only to the form
    widget; the validator makes it a rule of the model, so full_clean (services, the import's
    batches, the admin) refuses longer text with a sentence."""
    return models.TextField(
        max_length=limit,
        validators=[
            MaxLengthValidator(limit, message=f"This must be {limit:,} characters or less.")
        ],
        **kwargs,
    )


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"


class RiskLevel(models.TextChoices):
    VERY_LOW = "very_low", "Very low"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        CHANNEL_PANEL = "channel_panel", "Channel panel"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        INTERVENTION_PROVIDER = "intervention_provider", "Intervention provider"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)

    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", "Caseworker"
        SUPERVISOR = "supervisor", "Supervisor"
        PROVIDER = "provider", "Intervention provider"
        PANEL_CHAIR = "panel_chair", "Panel chair"
        INQUIRY = "inquiry", "Inquiry reviewer"
        ADMIN = "admin", "Administrator"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)

    objects = UserManager()
    # Password hashes and sign-in times stay out of history.
    history = History(excluded_fields=["password", "last_login"])
    REQUIRED_FIELDS = ["email", "agency"]

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, update_fields=None, **kwargs):
        # Signing in only stamps last_login, which history leaves out: no history row for it.
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, update_fields=update_fields, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, update_fields=update_fields, **kwargs)

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMIN


class Person(models.Model):
    """The referred person. Identifiers are kept to the minimum a caseworker needs."""

    display_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    local_identifier = models.CharField(
        max_length=50, blank=True, help_text="A reference another agency uses, if any."
    )

    history = History()

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            # Case search by the person's name (istartswith / icontains on small result sets).
            models.Index(fields=["display_name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name


# A case reference is part of every case URL: letters and digits in groups joined by single
# hyphens (CR-2015-00007), at most 40 characters. One pattern for the model, forms, the
# import and the database constraint below.
CASE_REFERENCE_PATTERN = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$"
CASE_REFERENCE_RULE = (
    "A case reference is letters and digits, in groups joined by single hyphens "
    "(for example CR-2015-00007)"
)
# Words that case URLs use after cases/ (referrals.converters): never a case reference.
RESERVED_REFERENCES = ("new", "import")


def is_new_case_label(value: str) -> bool:
    """NEW, NEW-1, NEW-A …: in a browser upload, a new case the upload gives a reference to."""
    folded = value.casefold()
    return folded == "new" or folded.startswith("new-")


def validate_case_reference(value: str) -> None:
    if value.casefold() in RESERVED_REFERENCES:
        raise ValidationError(
            f"'{value}' cannot be a case reference: the address cases/{value}/ is taken."
        )
    if is_new_case_label(value):
        raise ValidationError(
            f"'{value}' cannot be a case reference: NEW… names a new case in an upload."
        )


# What else gives a referral its outcome: records of other apps (a panel decision, an exit),
# each registered by its app as a function returning those of its records that do
# (reviews.outcomes), so intake never reads another app's tables.
OutcomeRecords = Callable[[], models.QuerySet]
OUTCOME_RECORDS: list[OutcomeRecords] = []


def register_outcome_records(records: OutcomeRecords) -> OutcomeRecords:
    if records not in OUTCOME_RECORDS:
        OUTCOME_RECORDS.append(records)
    return records


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=[Case.Status.CLOSED, Case.Status.NO_FURTHER_ACTION])

    def awaiting_outcome(self, today: dt.date):
        """Open cases whose referral was received more than REFERRAL_OUTCOME_DAYS before
        `today` and that have no outcome yet: no live record that gives one (a panel decision
        to adopt, not to adopt or to signpost elsewhere, an exit: `OUTCOME_RECORDS`) and no
        live referral closed at the gateway (no further action, another service).

        Received on D, a case is awaiting on D + REFERRAL_OUTCOME_DAYS + 1, not before; a
        referral known only to its month counts as received on the month's last day.
        """
        cutoff = today - dt.timedelta(days=settings.REFERRAL_OUTCOME_DAYS)
        received = Q(referred_precision=DatePrecision.DAY, referred_on__lt=cutoff) | Q(
            referred_precision=DatePrecision.MONTH, referred_on__lt=cutoff.replace(day=1)
        )
        closed_at_gateway = Referral.objects.filter(
            case=OuterRef("pk"),
            voided_at__isnull=True,
            outcome__in=[Referral.Outcome.NO_FURTHER_ACTION, Referral.Outcome.OTHER_SERVICE],
        )
        cases = self.open().filter(received).exclude(Exists(closed_at_gateway))
        for records in OUTCOME_RECORDS:
            cases = cases.exclude(Exists(records().filter(case=OuterRef("pk"))))
        return cases


class Case(models.Model):
    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        GATEWAY = "gateway", "Gateway assessment"
        PANEL = "panel", "Panel"
        INTERVENTION = "intervention", "Intervention"
        EXITED = "exited", "Exited"
        CLOSED = "closed", "Closed"
        NO_FURTHER_ACTION = "nfa", "No further action"

    # Open: referred, at gateway or panel, or in intervention (the provider's default list,
    # the sessions awaiting confirmation); the others are finished with.
    ACTIVE_STATUSES = ("referred", "gateway", "panel", "intervention")
    FINISHED_STATUSES = ("exited", "closed", "nfa")

    class Consent(models.TextChoices):
        NOT_ASKED = "not_asked", "Not yet asked"
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    reference = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(CASE_REFERENCE_PATTERN, CASE_REFERENCE_RULE + "."),
            validate_case_reference,
        ],
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REFERRED)
    consent = models.CharField(max_length=20, choices=Consent.choices, default=Consent.NOT_ASKED)
    consent_on = models.DateField(null=True, blank=True)
    # Exactly one accountable owner at all times; changes are kept in history.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases"
    )
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    referred_on = models.DateField(
        help_text="When the first referral was received. With month precision, the first day of that month."
    )
    referred_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["-referred_on", "reference"]
        constraints = [
            # Consent given, refused or withdrawn is only meaningful with the date it was.
            models.CheckConstraint(
                condition=Q(consent="not_asked") | Q(consent_on__isnull=False),
                name="case_consent_has_date",
                violation_error_message="Enter the date consent was given, refused or withdrawn.",
            ),
            models.CheckConstraint(
                condition=~Q(reference=""),
                name="case_reference_not_blank",
            ),
            # Every case URL reverses: no slash, space or other character a path cannot hold.
            models.CheckConstraint(
                condition=Q(reference__regex=CASE_REFERENCE_PATTERN),
                name="case_reference_pattern",
                violation_error_message=CASE_REFERENCE_RULE + ".",
            ),
        ]
        indexes = [
            # "My cases": cases owned by one user, newest first.
            models.Index(fields=["owner", "-referred_on"], name="case_owner_idx"),
            # Case lists filtered by status.
            models.Index(fields=["status", "-referred_on"], name="case_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def referred_display(self) -> str:
        """12 March 2015, or October 2014 when only the month is known (never an invented day)."""
        return uk_date(self.referred_on, self.referred_precision)

    def clean(self):
        if self.consent != self.Consent.NOT_ASKED and self.consent_on is None:
            raise ValidationError(
                {"consent_on": "Enter the date consent was given, refused or withdrawn."}
            )


class AccessGrant(models.Model):
    """Time-limited, read-only access to one case for someone outside it (inquiry reviewers)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants"
    )
    reason = bounded_text(REASON_MAX_LENGTH)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="grant_ends_after_start",
                violation_error_message="A grant must end on or after the day it starts.",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="grant_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.case} until {self.ends_on}"


class CaseRecord(models.Model):
    """Abstract base for every dated, voidable entry in a case's chronology."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="%(class)s_records")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text="The agency it comes from."
    )
    occurred_on = models.DateField(
        help_text="When it happened. With month precision, the first day of that month."
    )
    occurred_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    logged_on = models.DateField(help_text="When it was written into a record.")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = bounded_text(TEXT_MAX_LENGTH)
    source = models.CharField(max_length=255, blank=True, help_text="The evidencing document.")
    recorded_by = models.CharField(max_length=200, blank=True, help_text="Who wrote it.")
    late_reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    void_reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    # Which chronology entry a record reads as: reviews.chronology.kinds.

    class Meta:
        abstract = True
        ordering = ["occurred_on", "id"]
        constraints = [
            # A record cannot be written down before the thing it records happened.
            models.CheckConstraint(
                condition=Q(logged_on__gte=F("occurred_on")),
                name="%(app_label)s_%(class)s_logged_not_before_occurred",
                violation_error_message="The date logged cannot be before the date it happened.",
            ),
            # Voiding keeps the record; it must say why.
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="%(app_label)s_%(class)s_void_has_reason",
                violation_error_message="Give a reason for voiding this record.",
            ),
            models.CheckConstraint(
                condition=~Q(summary=""),
                name="%(app_label)s_%(class)s_summary_not_blank",
                violation_error_message="Enter a summary.",
            ),
        ]

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    @property
    def effective_date(self) -> dt.date:
        """The date every ordering and finding rule uses: a month-only date counts as its last day."""
        return effective_date(self.occurred_on, self.occurred_precision)

    @property
    def occurred_display(self) -> str:
        return uk_date(self.occurred_on, self.occurred_precision)

    @property
    def logged_in_advance(self) -> bool:
        """Whether this record may be logged before the date it records (a session planned)."""
        return False

    @property
    def logged_late_days(self) -> int:
        return (self.logged_on - self.effective_date).days

    def clean(self):
        errors = {}
        if (
            self.occurred_precision == DatePrecision.MONTH
            and self.occurred_on
            and (self.occurred_on.day != 1)
        ):
            errors["occurred_on"] = "A month-only date is stored as the first day of the month."
        if (
            self.occurred_on
            and self.logged_on
            and self.logged_on < self.occurred_on
            and not self.logged_in_advance
        ):
            errors["logged_on"] = (
                f"The date it was logged cannot be before the date it happened, "
                f"{uk_date(self.occurred_on, self.occurred_precision)}."
            )
        if self.logged_on and self.logged_on > timezone.localdate():
            errors["logged_on"] = "The date it was logged cannot be in the future."
        if self.voided_at and not self.void_reason.strip():
            errors["void_reason"] = "Give a reason for voiding this record."
        if errors:
            raise ValidationError(errors)


def effective_date(value: dt.date, precision: str) -> dt.date:
    if precision == DatePrecision.MONTH:
        return value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return value


class Referral(CaseRecord):
    """A referral received; `agency` is the referring agency and `summary` the concerns."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting gateway assessment"
        TO_PANEL = "to_panel", "Passed to Channel panel"
        NO_FURTHER_ACTION = "nfa", "No further action"
        OTHER_SERVICE = "other_service", "Referred to another service"

    referrer_name = models.CharField(max_length=200, blank=True)
    # Where the referrer is told the outcome (referrals.services.tell_referrer); optional.
    referrer_email = models.EmailField(
        "referrer's email address",
        blank=True,
        help_text="They are emailed the outcome (adopted, not adopted, exited): the case "
        "reference and date only.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)

    history = History()

    class Meta(CaseRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"Referral {uk_date(self.occurred_on, self.occurred_precision)} ({self.agency})"


class ReferralOutcome(CaseRecord):
    """The referrer was told the outcome of the referral (entry type `referral_outcome`).

    Made by `referrals.services.tell_referrer` as the email goes: `sent_at` is when it was
    sent and `sent_to` where, at most one per referral and outcome (voiding one lets the
    next decision tell again). A row imported from a chronology (told by other means, at a
    time the file does not give) has no referral, outcome or sending time: its summary says.
    """

    # Its agency's own word: changed or voided only by that agency or an administrator
    # (referrals.access.can_change_record).
    changed_by_its_agency = True

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", "Adopted for Channel support"
        NOT_ADOPTED = "not_adopted", "Not adopted: no further action"
        SIGNPOSTED = "signposted", "Not adopted: signposted to another service"
        EXITED = "exited", "Exited from Channel"

    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        related_name="outcomes_told",
        null=True,
        blank=True,
        help_text="The referral whose referrer was told; empty for an imported entry.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    sent_to = models.EmailField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    history = History()

    class Meta(CaseRecord.Meta):
        constraints = [
            *CaseRecord.Meta.constraints,
            # One email per referral and outcome: a second decision, a resent form or a
            # concurrent request meets this row (inserted before the email is sent).
            models.UniqueConstraint(
                fields=["referral", "outcome"],
                condition=Q(referral__isnull=False, voided_at__isnull=True),
                name="referraloutcome_told_once",
                violation_error_message="The referrer has already been told this outcome.",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True)
                | (Q(referral__isnull=False) & ~Q(outcome="") & ~Q(sent_to="")),
                name="referraloutcome_sent_has_referral_outcome_and_address",
            ),
        ]

    def __str__(self) -> str:
        what = self.get_outcome_display() or "outcome"
        return f"Referrer told: {what} ({uk_date(self.occurred_on, self.occurred_precision)})"


class Contact(CaseRecord):
    """A caseworker's log of a call, visit, email or meeting."""

    class Kind(models.TextChoices):
        CALL = "call", "Phone call"
        VISIT = "visit", "Visit"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        LETTER = "letter", "Letter"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    with_whom = models.CharField(max_length=200, blank=True)
    restricted = models.BooleanField(
        default=False, help_text="Only the recording agency (and inquiries) can see it."
    )

    history = History()

    class Meta(CaseRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {uk_date(self.occurred_on, self.occurred_precision)}"


class CaseNote(CaseRecord):
    """Anything else worth keeping in the chronology."""

    restricted = models.BooleanField(
        default=False, help_text="Only the recording agency (and inquiries) can see it."
    )

    history = History()

    class Meta(CaseRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"Note {uk_date(self.occurred_on, self.occurred_precision)}"


class AccessLog(ChainedRow):
    """Who looked at or exported what, when, from where, and whether they were let in.

    Rows are only ever added (`log_access`); nothing updates or deletes them.
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"
        BREAK_GLASS = "break_glass", "Emergency access"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    username = models.CharField(max_length=150, blank=True)
    agency = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="access_log", null=True, blank=True
    )
    case_reference = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.ALLOWED)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # Access log per case, newest first (supervisors, inquiries).
            models.Index(fields=["case", "-at"], name="accesslog_case_idx"),
            # Access log per user, newest first.
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.case_reference}"


class CaseAgency(models.Model):
    """Which agencies are part of a case, and why: derived from the records, never typed in.

    Every case list, search and lookup asks "is this user's agency part of the
    case?". Answering from the records means five EXISTS subqueries per case; this
    table holds the answer, kept by `referrals.membership.refresh` whenever a
    case, referral, panel meeting, attendance or provider assignment is saved.
    It has no history of its own: the records it is rebuilt from have theirs.
    """

    class Via(models.TextChoices):
        LEAD = "lead", "Lead agency"
        OWNER = "owner", "Accountable owner's agency"
        REFERRER = "referrer", "Referring agency"
        PANEL = "panel", "Present at a panel"
        PROVIDER = "provider", "Commissioned provider"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    via = models.CharField(max_length=10, choices=Via.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "agency", "via"], name="caseagency_once"),
        ]
        indexes = [
            # visible_cases: the cases an agency is part of (index-only semi-join).
            models.Index(fields=["agency", "via", "case"], name="caseagency_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} in {self.case_id} ({self.via})"


class FormSubmission(models.Model):
    """One rendered form, accepted once (`referrals.submissions`).

    Every case form carries a random token; the first POST with it claims this row (the
    unique token makes a second, concurrent POST wait for or see the first), and its result
    is kept, so a double click or a resent form shows the first result instead of saving
    twice. A technical record, not case data: no history.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being saved"
        DONE = "done", "Saved"
        FAILED = "failed", "Not saved"

    token = models.CharField(max_length=36, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.path} by {self.user_id}: {self.status}"
