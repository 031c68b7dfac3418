"""What the case page shows, computed once from the case's records."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from referrals import access
from referrals.models import Case, User

from .chronology import entries_for_case, parse_record_key
from .findings import compute_findings
from .models import FollowUpReview, InterventionSession, PanelAction, ProviderAssignment


def review_state(review: FollowUpReview, today) -> tuple[str, str]:
    """A word for a review's state and the GOV.UK tag colour that goes with it."""
    if review.state == FollowUpReview.State.HELD:
        late = (review.conducted_on - review.due_on).days > settings.REVIEW_GRACE_DAYS
        return ("Held late", "orange") if late else ("Held", "green")
    if review.state != FollowUpReview.State.SCHEDULED:
        return review.get_state_display(), "grey"
    if today > review.due_on:
        return "Overdue", "red"
    if (review.due_on - today).days <= 30:
        return "Due soon", "yellow"
    return "Scheduled", "blue"


def case_summary(case: Case, *, user: User) -> dict:
    today = timezone.localdate()
    entries = entries_for_case(case, include_void=True, viewer=user)
    findings = compute_findings([e for e in entries if not e.voided], as_of=today)
    sessions = InterventionSession.objects.filter(case=case, voided_at__isnull=True)
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
        review.state_label, review.state_colour = review_state(review, today)
    actions = list(
        PanelAction.objects.filter(case=case, voided_at__isnull=True)
        .select_related("owner")
        .order_by("completed_on", "due_on")
    )
    records = []
    for entry in reversed(entries):
        kind, pk = parse_record_key(entry.record_key)
        records.append(
            {
                "entry": entry,
                "kind": kind,
                "pk": pk,
                "late": (entry.logged_on - entry.date).days > settings.LATE_LOGGING_DAYS,
            }
        )
    open_reviews = [r for r in reviews if r.state == FollowUpReview.State.SCHEDULED]
    planned_sessions = [s for s in sessions if s.status == InterventionSession.Status.PLANNED]
    return {
        "records": records,
        "findings": findings,
        "assignment": assignments[0] if assignments else None,
        "sessions_planned": sum(a.sessions_planned for a in assignments),
        "sessions_held": sum(1 for s in sessions if s.status == InterventionSession.Status.HELD),
        "planned_sessions": planned_sessions,
        "briefings": [e for e in entries if e.entry_type == "briefing_issued" and not e.voided],
        "reviews": reviews,
        "next_review": open_reviews[0] if open_reviews else None,
        "actions": actions,
        "open_actions": [a for a in actions if a.completed_on is None],
        "can_edit": access.can_edit_case(user, case),
        "can_record_sessions": access.can_record_sessions(user, case),
        "today": today,
    }
