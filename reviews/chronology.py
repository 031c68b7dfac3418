"""A case's chronology, read from its records: the one list every page, export and finding uses."""

from __future__ import annotations

from django.db.models import Q

from referrals.models import Case, CaseNote, Contact, Referral

from .entries import Entry, sort_key
from .models import (
    AgencyAccount,
    Briefing,
    CaseExit,
    FollowUpReview,
    InterventionSession,
    PanelAction,
    PanelDecision,
    PanelMeeting,
    ProviderAssignment,
)

RECORD_MODELS = (
    Referral,
    PanelMeeting,
    PanelDecision,
    ProviderAssignment,
    Briefing,
    InterventionSession,
    AgencyAccount,
    CaseExit,
    Contact,
    CaseNote,
)


def record_key(record) -> str:
    return f"{record._meta.model_name}:{record.pk}"


def _entry(record, case_ref: str, **overrides) -> Entry:
    values = {
        "case_ref": case_ref,
        "agency": record.agency.name,
        "entry_type": record.entry_type,
        "occurred_on": record.occurred_on,
        "month_only": record.occurred_precision == "month",
        "logged_on": record.logged_on,
        "summary": record.summary,
        "source": record.source,
        "recorded_by": record.recorded_by,
        "late_reason": record.late_reason,
        "record_key": record_key(record),
        "logged_by": str(record.logged_by),
        "voided": record.voided_at is not None,
    }
    return Entry(**{**values, **overrides})


def entries_from_record(record, case_ref: str) -> list[Entry]:
    """The chronology entries one record stands for (a planned-then-held session is two)."""
    if isinstance(record, InterventionSession):
        entries = []
        if record.plan_logged_on is not None:
            entries.append(
                _entry(
                    record,
                    case_ref,
                    entry_type="session_planned",
                    logged_on=record.plan_logged_on,
                    summary=record.plan_summary,
                    source=record.plan_source,
                    late_reason="",
                    record_key=record_key(record) + ":plan",
                    logged_by=str(record.plan_logged_by or record.logged_by),
                )
            )
        if record.status != InterventionSession.Status.PLANNED:
            entries.append(_entry(record, case_ref))
        return entries
    extra = {}
    if isinstance(record, AgencyAccount):
        extra = {
            "sessions_believed": record.sessions_believed,
            "believed_status": record.believed_status,
        }
    elif isinstance(record, (PanelMeeting, CaseExit)):
        extra = {"risk_level": record.risk_level}
    return [_entry(record, case_ref, **extra)]


def review_entry(review: FollowUpReview, case_ref: str) -> Entry:
    return Entry(
        case_ref=case_ref,
        agency=review.agency.name,
        entry_type="review_conducted",
        occurred_on=review.conducted_on,
        logged_on=review.logged_on,
        summary=review.summary,
        source=review.source,
        recorded_by=review.recorded_by,
        review_kind=review.kind,
        late_reason=review.late_reason,
        record_key=record_key(review),
        logged_by=str(review.logged_by),
    )


def sees_all_restricted(viewer) -> bool:
    """Restricted contacts and notes (e.g. police-only) are for the recording agency,
    administrators and inquiry reviewers."""
    from referrals.models import User

    return viewer.role in (User.Role.ADMIN, User.Role.INQUIRY)


def entries_for_case(case: Case, *, include_void: bool = False, viewer=None) -> list[Entry]:
    """Every chronology entry of `case`, in chronology order, in a fixed number of queries.

    With a `viewer`, restricted contacts and notes of other agencies are left out.
    """
    entries: list[Entry] = []
    for model in RECORD_MODELS:
        records = model.objects.filter(case=case).select_related("agency", "logged_by")
        if model is InterventionSession:
            records = records.select_related("plan_logged_by")
        if not include_void:
            records = records.filter(voided_at__isnull=True)
        if viewer is not None and model in (Contact, CaseNote) and not sees_all_restricted(viewer):
            records = records.filter(Q(restricted=False) | Q(agency_id=viewer.agency_id))
        for record in records:
            entries.extend(entries_from_record(record, case.reference))
    reviews = FollowUpReview.objects.filter(
        case=case, state=FollowUpReview.State.HELD
    ).select_related("agency", "logged_by")
    entries.extend(review_entry(review, case.reference) for review in reviews)
    entries.sort(key=sort_key)
    return entries


# Record types by URL slug (the model name, as in `record_key`), for history, edit and void.
RECORD_TYPES = {
    model._meta.model_name: model for model in (*RECORD_MODELS, FollowUpReview, PanelAction)
}

_COMMON = ["occurred_on", "summary", "source", "late_reason"]
# What the generic "change" page lets people correct, per record type.
EDITABLE_FIELDS = {
    "referral": [*_COMMON, "referrer_name", "outcome"],
    "contact": [*_COMMON, "kind", "with_whom", "restricted"],
    "casenote": [*_COMMON, "restricted"],
    "panelmeeting": [*_COMMON, "risk_level"],
    "paneldecision": [*_COMMON, "kind", "rationale"],
    "providerassignment": [*_COMMON, "sessions_planned"],
    "briefing": [*_COMMON, "issued_by", "document_ref"],
    "interventionsession": [*_COMMON, "attendees", "provider_report"],
    "agencyaccount": [*_COMMON, "sessions_believed", "believed_status", "source_kind"],
    "caseexit": [*_COMMON, "risk_level", "rationale"],
    "panelaction": ["description", "due_on"],
}


def parse_record_key(key: str) -> tuple[str, int]:
    kind, pk = key.split(":")[:2]
    return kind, int(pk)
