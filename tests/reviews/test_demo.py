import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from referrals.models import Case, User
from reviews.chronology.findings import compute_findings
from reviews.chronology.query import entries_for_case
from reviews.models import FollowUpReview
from reviews.sampledata.demo import FAILURE_REF, WELL_RUN_REF, load_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def test_demo_is_idempotent_and_has_one_login_per_role():
    first = load_demo(today=TODAY)
    history_rows = Case.history.count()
    second = load_demo(today=TODAY)
    assert first["cases_created"] >= 42 and second["cases_created"] == 0
    assert Case.objects.count() == first["cases"] == second["cases"]
    assert Case.history.count() == history_rows
    for username in ("caseworker", "supervisor", "provider", "chair", "inquiry", "admin"):
        assert User.objects.get(username=username).check_password("demo-password")


def test_demo_failure_case_tells_the_published_story():
    load_demo(today=TODAY)
    case = Case.objects.get(reference=FAILURE_REF)
    assert case.referred_display == "October 2014"
    findings = compute_findings(entries_for_case(case), as_of=TODAY)
    assert [(f.code, f.when, f.agency) for f in findings] == [
        ("NO_WRITTEN_BRIEFING", "17 January 2015", "Brightpath Mentoring"),
        ("BELIEF_EXCEEDS_RECORD", "12 March 2015", "Northshire Channel Panel"),
        ("BELIEF_EXCEEDS_RECORD", "9 April 2015", "Northshire Police"),
        ("REVIEW_MISSED", "30 October 2015", None),
        ("REVIEW_LATE", "October 2016", "Northshire County Council"),
        ("LOGGED_LATE", "4 December 2016", "Northshire County Council"),
    ]
    messages = [f.message for f in findings]
    assert messages[3] == (
        "The 6-month review was due on 30 October 2015 (the case was exited in April 2015), "
        "but none had been recorded by 27 November 2026."
    )
    assert messages[4] == (
        "Northshire County Council held the 12-month review in October 2016, about 6 months "
        "after it was due on 30 April 2016 (the case was exited in April 2015)."
    )
    assert messages[5] == (
        "Northshire County Council’s record of the review conducted in October 2016 was logged "
        "on 4 December 2016 by Casey Worker, 34 days after the end of that month. "
        "Reason given: IT issue."
    )
    well_run = Case.objects.get(reference=WELL_RUN_REF)
    assert compute_findings(entries_for_case(well_run), as_of=TODAY) == []


def test_demo_caseload_is_a_mix_not_all_missed():
    load_demo(today=TODAY)
    from reviews.dashboard import Filters, build_dashboard

    admin = User.objects.get(username="admin")
    counts = build_dashboard(admin, Filters(), today=TODAY).counts
    outstanding = counts["overdue"] + counts["missed"] + counts["due_soon"]
    assert counts["missed"] >= 3 and counts["due_soon"] >= 3
    assert counts["missed"] * 2 < outstanding + counts["held_late"] + 10, counts


def test_demo_caseload_has_overdue_and_due_soon_reviews_across_owners():
    load_demo(today=TODAY)
    open_reviews = FollowUpReview.objects.filter(state="scheduled")
    assert open_reviews.filter(due_on__lt=TODAY).count() >= 3
    assert (
        open_reviews.filter(due_on__gte=TODAY, due_on__lte=TODAY + dt.timedelta(days=30)).count()
        >= 3
    )
    assert Case.objects.values("owner").distinct().count() >= 4
    assert Case.objects.values("lead_agency").distinct().count() >= 3


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("load_demo")


def test_demo_shows_each_loop_of_issue_17():
    """An unconfirmed session, confirmed ones, an open question past its due date, an
    answered one, a referral awaiting its outcome and a quiet case: each list has something."""
    from reviews.models import InterventionSession, ProviderQuestion
    from reviews.quiet import quiet_cases

    load_demo(today=TODAY)
    sessions = InterventionSession.objects.with_confirmed().filter(status="held")
    assert sessions.filter(is_confirmed=True).exists()
    assert sessions.filter(is_confirmed=False).exists()
    assert ProviderQuestion.objects.overdue(TODAY).exists()
    assert ProviderQuestion.objects.filter(answers__voided_at__isnull=True).exists()
    assert Case.objects.awaiting_outcome(TODAY).exists()
    assert quiet_cases(TODAY).exists()
