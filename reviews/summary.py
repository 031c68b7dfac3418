"""What the case page shows, computed once from the case's records."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from casereview.timerules import TimeRules
from referrals import access
from referrals.models import Case, User
from referrals.templatetags.casereview import entry_date

from .chronology.findings import compute_findings
from .chronology.kinds import RECORD_TYPES
from .chronology.query import entries_for_case, parse_record_key
from .models import (
    FollowUpReview,
    InterventionSession,
    PanelAction,
    ProviderAssignment,
    ProviderQuestion,
)

_PK = 987654321  # stands for a record's id in a reversed URL


class RecordURLs:
    """The history, change and void links of a case's records, reversed once per kind.

    A case page lists every record with three links; reversing each one costs more than
    the rest of the row, so each (URL name, kind) is reversed once and the id filled in.
    """

    def __init__(self, reference: str):
        self.reference = reference
        self._parts: dict[tuple[str, str], list[str]] = {}

    def __call__(self, name: str, kind: str, pk: int) -> str:
        parts = self._parts.get((name, kind))
        if parts is None:
            parts = reverse(name, args=[self.reference, kind, _PK]).split(str(_PK))
            self._parts[(name, kind)] = parts
        if len(parts) != 2:  # the stand-in id appears elsewhere in the URL: reverse this one
            return reverse(name, args=[self.reference, kind, pk])
        return f"{parts[0]}{pk}{parts[1]}"


class _Changeable:
    """Whether the case page offers "Change" and "Void" on a record: `access.may_change`,
    asked once per kind of record and whether it is the user's agency's own."""

    def __init__(self, user: User, case: Case):
        self.user, self.case = user, case
        self.own_name = user.agency.name if user.agency_id else None
        self._answers: dict[tuple[str, bool], bool] = {}

    def __call__(self, kind: str, agency_name: str) -> bool:
        model = RECORD_TYPES.get(kind)
        if model is None or kind == "followupreview":  # a review changes through its own page
            return False
        key = (kind, agency_name == self.own_name)
        if key not in self._answers:
            self._answers[key] = access.may_change(self.user, self.case, model, own_agency=key[1])
        return self._answers[key]


def case_summary(case: Case, *, user: User) -> dict:
    today = timezone.localdate()
    entries = entries_for_case(case, include_void=True, viewer=user)
    rules = TimeRules.current()
    findings = compute_findings([e for e in entries if not e.voided], as_of=today, rules=rules)
    # `is_confirmed`: the one rule of a confirmed session (reviews.models.SessionQuerySet).
    sessions = list(
        InterventionSession.objects.filter(case=case, voided_at__isnull=True).with_confirmed()
    )
    held_sessions = sorted(
        (s for s in sessions if s.status == InterventionSession.Status.HELD),
        key=lambda s: (s.occurred_on, s.pk),
        reverse=True,
    )
    for session in held_sessions:
        session.case = case  # the case in hand: no query per session
        session.can_confirm = not session.is_confirmed and access.can_confirm_session(user, session)
    # Open questions to the provider, soonest due first (ProviderQuestionQuerySet.open).
    questions = list(
        ProviderQuestion.objects.filter(case=case)
        .open()
        .with_overdue(today)
        .select_related("agency")
        .order_by("due_on", "occurred_on", "id")
    )
    assignments = list(
        ProviderAssignment.objects.filter(case=case, voided_at__isnull=True)
        .select_related("agency", "provider_worker")
        .order_by("-occurred_on", "-id")
    )
    reviews = list(
        FollowUpReview.objects.filter(case=case)
        .select_related("owner", "agency")
        .order_by("due_on", "id")
    )
    for review in reviews:
        state = review.state_on(today, rules)
        review.state_label, review.state_colour = state.label, state.colour
    actions = list(
        PanelAction.objects.filter(case=case, voided_at__isnull=True)
        .select_related("owner")
        .order_by("completed_on", "due_on")
    )
    for action in actions:
        action.state = action.state_on(today, rules)
    records = []
    url = RecordURLs(case.reference)
    changeable = _Changeable(user, case)
    for entry in reversed(entries):
        kind, pk = parse_record_key(entry.record_key)
        when = entry_date(entry)
        records.append(
            {
                "entry": entry,
                "kind": kind,
                "pk": pk,
                "late": entry.logged_late(rules),
                "backfill": entry.backfilled(rules),
                "writing": entry.writing_text(rules),
                "when": when,
                "name": f"{entry.label.lower()} {when}",  # for the links' hidden text
                "history_url": url("reviews:record-history", kind, pk),
                "edit_url": url("reviews:record-edit", kind, pk),
                "void_url": url("reviews:record-void", kind, pk),
                "changeable": not entry.voided and changeable(kind, entry.agency),
            }
        )
    open_reviews = [r for r in reviews if r.state == FollowUpReview.State.SCHEDULED]
    planned_sessions = [s for s in sessions if s.status == InterventionSession.Status.PLANNED]
    return {
        "records": records,
        "findings": findings,
        "assignment": assignments[0] if assignments else None,
        # None when any provider's number of sessions planned is not known.
        "sessions_planned": (
            None
            if any(a.sessions_planned is None for a in assignments)
            else sum(a.sessions_planned for a in assignments)
        ),
        "sessions_held": len(held_sessions),
        "sessions_confirmed": sum(1 for s in held_sessions if s.is_confirmed),
        "held_sessions": held_sessions,
        "open_questions": questions,
        "planned_sessions": planned_sessions,
        "briefings": [e for e in entries if e.entry_type == "briefing_issued" and not e.voided],
        "reviews": reviews,
        "next_review": open_reviews[0] if open_reviews else None,
        "actions": actions,
        "open_actions": [a for a in actions if a.completed_on is None],
        "can_edit": access.can_edit_case(user, case),
        "can_record_sessions": access.can_record_sessions(user, case),
        "can_confirm_sessions": access.can_confirm_sessions(user, case),
        "can_ask_provider": access.can_ask_provider(user, case),
        "can_answer_questions": access.can_answer_questions(user, case),
        "today": today,
    }
