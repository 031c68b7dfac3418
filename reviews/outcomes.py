"""Which reviews records give a referral its outcome, and which outcome its referrer is told.

A panel decision to adopt, not to adopt, or to refer to another service (signposting), and an
exit: each is an outcome of the referral (`referrals.models.ReferralOutcome.Outcome`). The
services tell the referrer when one is recorded (`referrals.services.tell_referrer`), and
`Case.objects.awaiting_outcome` reads the same records through `register` (intake never
reads reviews' tables). A decision to continue support, or "other", is no outcome.
"""

from __future__ import annotations

from referrals.models import ReferralOutcome, register_outcome_records

from .models import CaseExit, PanelDecision

Outcome = ReferralOutcome.Outcome

DECISION_OUTCOMES = {
    PanelDecision.Kind.ADOPT: Outcome.ADOPTED,
    PanelDecision.Kind.NOT_ADOPT: Outcome.NOT_ADOPTED,
    PanelDecision.Kind.REFER_ELSEWHERE: Outcome.SIGNPOSTED,
}


def _decisions():
    return PanelDecision.objects.filter(kind__in=list(DECISION_OUTCOMES), voided_at__isnull=True)


def _exits():
    return CaseExit.objects.filter(voided_at__isnull=True)


def register() -> None:
    """Called once, from the app's ready()."""
    register_outcome_records(_decisions)
    register_outcome_records(_exits)
