"""One declaration per kind of record: everything the chronology needs to know about it.

Each `RecordKind` says which model holds the records, which chronology entry type they read
as (docs/chronology-format.md), what the extra column of their row in the one-query
chronology means and which entry field it fills, whether another agency may be kept from
seeing them, which fields the generic "change" page offers, and their name for people.
From these come: the chronology query's tables and columns (`query.py`), the record pages'
kinds (`RECORD_TYPES`, `EDITABLE_FIELDS`), the timeline's sessions lane, the records a CSV
import makes for plain rows, the PDF appendix's labels and the admin.

Adding a kind of record: its model, its migration, its form and service, one `RecordKind`
below, and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model

from referrals.models import CaseNote, Contact, Referral, ReferralOutcome

from ..models import (
    AgencyAccount,
    Briefing,
    CaseExit,
    FollowUpReview,
    InterventionSession,
    PanelAction,
    PanelDecision,
    PanelMeeting,
    ProviderAssignment,
    ProviderQuestion,
    QuestionAnswer,
    SessionConfirmation,
)
from .entries import EntryType

# Every chronology record shares these (referrals.models.CaseRecord); the change page offers them.
COMMON_EDITABLE = ("occurred_on", "logged_on", "summary", "source", "late_reason")


def _session_type(status: str | None) -> EntryType | None:
    """A session reads as held or cancelled (a planned one as its plan only: None)."""
    if status == InterventionSession.Status.PLANNED:
        return None
    if status == InterventionSession.Status.HELD:
        return EntryType.SESSION_HELD
    return EntryType.SESSION_CANCELLED


def _decision_type(kind: str | None) -> EntryType:
    return EntryType.CASE_ADOPTED if kind == PanelDecision.Kind.ADOPT else EntryType.NOTE


@dataclass(frozen=True)
class RecordKind:
    model: type[Model]
    label: str
    # The entry type its records read as; or, for a kind whose records read as one of several,
    # a function of `text_column`'s value (None: the record has no entry of its own).
    entry_type: EntryType | Callable[[str | None], EntryType | None]
    # The one column of its own the chronology query reads, and the Entry field it fills
    # (None: only decides the entry type).
    text_column: str | None = None
    text_field: str | None = None
    # The chronology query also reads AgencyAccount.sessions_believed.
    reads_sessions_believed: bool = False
    # Other agencies and providers do not see a restricted one (referrals.access.sees_record).
    restrictable: bool = False
    # Fields the generic change page offers (None: it cannot be changed there).
    editable: tuple[str, ...] | None = None
    # In the chronology (entries, timeline, CSV, PDF); PanelAction is a record of a case
    # that has history and a change page but is no chronology entry.
    in_chronology: bool = True
    # Every entry type its records can read as (when `entry_type` is a function of a column).
    entry_types: tuple[EntryType, ...] = ()
    # The timeline lane its entries go in: the agency's own, or the intervention sessions'.
    lane: str = "agency"
    # Import: per entry type, the record a CSV row makes when saving that record is all its
    # service would do (the shared fields are filled by the import). A type not listed goes
    # through its service (reviews.chronology.csv_format._write).
    imported: dict = field(default_factory=dict)
    # The foreign key to the record its entries are about (a confirmation's session, an
    # answer's question): the chronology query fills `Entry.about` from it.
    about_column: str | None = None

    @property
    def all_entry_types(self) -> tuple[EntryType, ...]:
        return self.entry_types if callable(self.entry_type) else (self.entry_type,)

    @property
    def slug(self) -> str:
        """Its name in URLs and record keys ("interventionsession:12")."""
        return self.model._meta.model_name

    def entry_type_for(self, text: str | None) -> EntryType | None:
        if callable(self.entry_type):
            return self.entry_type(text)
        return self.entry_type


KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        Referral,
        "Referral",
        EntryType.REFERRAL,
        editable=(*COMMON_EDITABLE, "referrer_name", "referrer_email", "outcome"),
        imported={EntryType.REFERRAL: lambda row: Referral()},
    ),
    RecordKind(
        PanelMeeting,
        "Panel meeting",
        EntryType.PANEL_MEETING,
        text_column="risk_level",
        text_field="risk_level",
        editable=(*COMMON_EDITABLE, "risk_level"),
        imported={EntryType.PANEL_MEETING: lambda row: PanelMeeting(risk_level=row.risk_level)},
    ),
    RecordKind(
        PanelDecision,
        "Panel decision",
        _decision_type,
        text_column="kind",
        editable=(*COMMON_EDITABLE, "kind", "rationale"),
        entry_types=(EntryType.CASE_ADOPTED, EntryType.NOTE),
    ),
    RecordKind(
        ProviderAssignment,
        "Provider assignment",
        EntryType.IP_ASSIGNED,
        editable=(*COMMON_EDITABLE, "commissioned_by", "sessions_planned"),
    ),
    RecordKind(
        Briefing,
        "Briefing",
        EntryType.BRIEFING_ISSUED,
        editable=(*COMMON_EDITABLE, "issued_by", "document_ref"),
    ),
    RecordKind(
        InterventionSession,
        "Intervention session",
        _session_type,
        text_column="status",
        editable=(*COMMON_EDITABLE, "attendees", "provider_report"),
        entry_types=(
            EntryType.SESSION_PLANNED,
            EntryType.SESSION_HELD,
            EntryType.SESSION_CANCELLED,
        ),
        lane="sessions",
        imported={
            EntryType.SESSION_PLANNED: lambda row: InterventionSession(
                status=InterventionSession.Status.PLANNED
            ),
            EntryType.SESSION_HELD: lambda row: InterventionSession(
                status=InterventionSession.Status.HELD
            ),
            EntryType.SESSION_CANCELLED: lambda row: InterventionSession(
                status=InterventionSession.Status.CANCELLED
            ),
        },
    ),
    RecordKind(
        AgencyAccount,
        "Agency account",
        EntryType.AGENCY_ACCOUNT,
        text_column="believed_status",
        text_field="believed_status",
        reads_sessions_believed=True,
        editable=(*COMMON_EDITABLE, "sessions_believed", "believed_status", "source_kind"),
        imported={
            EntryType.AGENCY_ACCOUNT: lambda row: AgencyAccount(
                sessions_believed=row.sessions_believed,
                believed_status=row.believed_status,
                source_kind=AgencyAccount.SourceKind.OTHER,
            )
        },
    ),
    RecordKind(
        CaseExit,
        "Case exit",
        EntryType.CASE_EXITED,
        text_column="risk_level",
        text_field="risk_level",
        editable=(*COMMON_EDITABLE, "risk_level", "rationale"),
    ),
    RecordKind(
        Contact,
        "Contact",
        EntryType.CONTACT,
        restrictable=True,
        editable=(*COMMON_EDITABLE, "kind", "with_whom", "restricted"),
        imported={EntryType.CONTACT: lambda row: Contact(kind=Contact.Kind.OTHER)},
    ),
    RecordKind(
        CaseNote,
        "Case note",
        EntryType.NOTE,
        restrictable=True,
        editable=(*COMMON_EDITABLE, "restricted"),
        imported={EntryType.NOTE: lambda row: CaseNote()},
    ),
    # Closing the loops (issue 17). A confirmation is drawn in the confirming agency's lane,
    # not the sessions lane: the sessions lane is the provider's record of delivery (its step
    # line counts held sessions), and a confirmation is another agency's evidence of it,
    # which the page puts beside that agency's other records and accounts. Imported rows
    # go through their services (csv_format._write), which link them to their session or
    # question. The change page leaves a confirmation's date alone: it is its session's day.
    RecordKind(
        SessionConfirmation,
        "Session confirmation",
        EntryType.SESSION_CONFIRMED,
        editable=("logged_on", "how", "summary", "source"),
        about_column="session",
    ),
    RecordKind(
        ProviderQuestion,
        "Question to the provider",
        EntryType.QUESTION_ASKED,
        editable=(*COMMON_EDITABLE, "due_on"),
        imported={EntryType.QUESTION_ASKED: lambda row: ProviderQuestion()},
    ),
    RecordKind(
        QuestionAnswer,
        "Provider’s answer",
        EntryType.QUESTION_ANSWERED,
        editable=COMMON_EDITABLE,
        about_column="question",
    ),
    # The referrer told the outcome (issue 17): made as the email goes
    # (referrals.services.tell_referrer), whose outcome, address and sending time are not
    # for changing; an imported row is a plain record, told by other means.
    RecordKind(
        ReferralOutcome,
        "Referrer told the outcome",
        EntryType.REFERRAL_OUTCOME,
        editable=COMMON_EDITABLE,
        imported={EntryType.REFERRAL_OUTCOME: lambda row: ReferralOutcome()},
    ),
    # A follow-up review is in the chronology once held (its own branch of the query).
    RecordKind(
        FollowUpReview,
        "Follow-up review",
        EntryType.REVIEW_CONDUCTED,
        text_column="kind",
        text_field="review_kind",
        in_chronology=False,
    ),
    RecordKind(
        PanelAction,
        "Panel action",
        EntryType.NOTE,
        editable=("description", "due_on"),
        in_chronology=False,
    ),
)

BY_SLUG: dict[str, RecordKind] = {kind.slug: kind for kind in KINDS}
BY_MODEL: dict[type[Model], RecordKind] = {kind.model: kind for kind in KINDS}

# The records whose rows the chronology query reads with the common columns, in its order.
CHRONOLOGY_MODELS = tuple(kind.model for kind in KINDS if kind.in_chronology)
# Record pages (history, change, void) by URL slug.
RECORD_TYPES = {kind.slug: kind.model for kind in KINDS}
EDITABLE_FIELDS = {kind.slug: list(kind.editable) for kind in KINDS if kind.editable is not None}
RESTRICTABLE = tuple(kind.model for kind in KINDS if kind.restrictable)
# Entry types drawn in the timeline's intervention-sessions lane.
SESSION_LANE_TYPES = frozenset(
    entry_type for kind in KINDS if kind.lane == "sessions" for entry_type in kind.all_entry_types
)
# Import: the record a row of each plain entry type makes (see RecordKind.imported).
IMPORTED = {entry_type: make for kind in KINDS for entry_type, make in kind.imported.items()}
