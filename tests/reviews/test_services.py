"""Exit, scheduling and the exit gate, as a caseworker meets them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from referrals.models import Case
from reviews import services
from reviews.models import CaseExit, FollowUpReview
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def caseworker():
    return factories.user("caseworker")


@pytest.fixture
def case(caseworker):
    return factories.case(owner=caseworker, received_on=D(2015, 1, 12))


@pytest.fixture
def commissioned(case, caseworker):
    """A provider commissioned before the sessions below (a session cannot precede it)."""
    return services.assign_provider(
        case=case,
        user=caseworker,
        agency=factories.agency("Brightpath Mentoring", "intervention_provider"),
        occurred_on=D(2015, 2, 20),
        logged_on=D(2015, 2, 20),
        summary="Commissioned",
    )


def _exit(case, user, on, **kw):
    return services.exit_case(
        case=case,
        user=user,
        agency=user.agency,
        occurred_on=on,
        logged_on=on,
        summary="Exited",
        require_late_reason=False,
        **kw,
    )


def _held(case, user, on, report=""):
    return services.record_session(
        case=case,
        user=user,
        agency=user.agency,
        occurred_on=on,
        logged_on=on,
        status="held",
        summary="Held",
        provider_report=report,
    )


def test_exit_schedules_six_and_twelve_month_reviews_owned_by_the_case_owner(
    case, caseworker, commissioned
):
    _held(case, caseworker, D(2015, 3, 1), report="Went well")
    _exit(case, caseworker, D(2015, 8, 31))
    reviews = {r.kind: r for r in FollowUpReview.objects.filter(case=case)}
    assert reviews["6_month"].due_on == D(2016, 2, 29)  # leap year month end
    assert reviews["12_month"].due_on == D(2016, 8, 31)
    assert {r.owner for r in reviews.values()} == {caseworker}
    case.refresh_from_db()
    assert case.status == Case.Status.EXITED


def test_re_exit_reschedules_from_the_latest_exit(case, caseworker, commissioned):
    _held(case, caseworker, D(2015, 3, 1), report="ok")
    _exit(case, caseworker, D(2015, 6, 30))
    services.reopen_case(case=case, user=caseworker, reason="New concerns reported by the school")
    assert not FollowUpReview.objects.filter(case=case, state="scheduled").exists()
    _exit(case, caseworker, D(2015, 11, 30))
    scheduled = FollowUpReview.objects.filter(case=case, state="scheduled").order_by("due_on")
    assert [r.due_on for r in scheduled] == [D(2016, 5, 30), D(2016, 11, 30)]
    cancelled = FollowUpReview.objects.filter(case=case, state="cancelled")
    assert cancelled.count() == 2
    assert all("reopened" in r.closed_reason for r in cancelled)


def test_exit_gate_needs_an_override_when_sessions_are_still_planned(case, caseworker):
    services.plan_session(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2015, 5, 1),
        logged_on=D(2015, 4, 1),
        summary="Arranged",
    )
    with pytest.raises(ValidationError) as error:
        _exit(case, caseworker, D(2015, 4, 20))
    assert "1 session is still planned" in error.value.message_dict["gate_override_reason"][0]
    assert not CaseExit.objects.exists() and not FollowUpReview.objects.exists()
    case_exit = _exit(
        case,
        caseworker,
        D(2015, 4, 20),
        gate_override_reason="Person moved out of area; provider informed",
    )
    assert case_exit.gate_override_reason == "Person moved out of area; provider informed"


def test_exit_gate_needs_an_override_without_any_provider_report(case, caseworker, commissioned):
    _held(case, caseworker, D(2015, 3, 1))
    with pytest.raises(ValidationError, match="No held session has a report"):
        _exit(case, caseworker, D(2015, 4, 20))


def test_review_reassignment_and_not_possible_keep_history(case, caseworker, commissioned):
    _held(case, caseworker, D(2015, 3, 1), report="ok")
    _exit(case, caseworker, D(2015, 4, 20))
    review = FollowUpReview.objects.get(case=case, kind="6_month")
    colleague = factories.user("colleague")
    services.reassign_review(review=review, user=caseworker, owner=colleague, reason="Leave")
    services.review_not_possible(review=review, user=colleague, why="Person moved abroad")
    owners = [h.owner_id for h in review.history.order_by("history_date")]
    assert owners == [caseworker.pk, colleague.pk, colleague.pk]
    review.refresh_from_db()
    assert review.state == "not_possible" and review.closed_reason == "Person moved abroad"


def test_review_logged_late_needs_its_reason(case, caseworker, commissioned):
    _held(case, caseworker, D(2015, 3, 1), report="ok")
    _exit(case, caseworker, D(2015, 7, 14))
    review = FollowUpReview.objects.get(case=case, kind="12_month")
    with pytest.raises(
        ValidationError, match="logged 69 days after it happened \\(10 January 2017\\)"
    ):
        services.conduct_review(
            review=review,
            user=caseworker,
            conducted_on=D(2017, 1, 10),
            logged_on=D(2017, 3, 20),
            agency=caseworker.agency,
            summary="Done",
        )
    services.conduct_review(
        review=review,
        user=caseworker,
        conducted_on=D(2017, 1, 10),
        logged_on=D(2017, 3, 20),
        agency=caseworker.agency,
        summary="Done",
        late_reason="IT issue",
    )
    review.refresh_from_db()
    assert review.state == "held" and review.late_reason == "IT issue"


def test_panel_meeting_with_decisions_and_actions_is_all_or_nothing(case, caseworker):
    with pytest.raises(ValidationError, match="written rationale"):
        services.record_panel_meeting(
            case=case,
            user=caseworker,
            agency=caseworker.agency,
            occurred_on=D(2015, 2, 10),
            logged_on=D(2015, 2, 10),
            summary="Met",
            decisions=[{"kind": "adopt", "rationale": ""}],
        )
    assert not case.panelmeeting_records.exists()
    meeting = services.record_panel_meeting(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2015, 2, 10),
        logged_on=D(2015, 2, 10),
        summary="Met",
        risk_level="medium",
        decisions=[{"kind": "adopt", "rationale": "Consent given"}],
        actions=[{"description": "Send briefing", "owner": caseworker, "due_on": D(2015, 2, 17)}],
    )
    assert meeting.decisions.get().rationale == "Consent given"
    assert meeting.actions.get().owner == caseworker
    case.refresh_from_db()
    assert case.risk_level == "medium" and case.status == Case.Status.PANEL
