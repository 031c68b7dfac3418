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


def test_demo_failure_case_shows_the_failure_pattern():
    load_demo(today=TODAY)
    case = Case.objects.get(reference=FAILURE_REF)
    codes = [
        (f.code, f.date.isoformat()) for f in compute_findings(entries_for_case(case), as_of=TODAY)
    ]
    assert codes == [
        ("NO_WRITTEN_BRIEFING", "2015-03-05"),
        ("BELIEF_EXCEEDS_RECORD", "2015-05-12"),
        ("BELIEF_EXCEEDS_RECORD", "2015-05-20"),
        ("REVIEW_MISSED", "2016-01-14"),
        ("REVIEW_LATE", "2017-01-10"),
        ("LOGGED_LATE", "2017-03-20"),
    ]
    well_run = Case.objects.get(reference=WELL_RUN_REF)
    assert compute_findings(entries_for_case(well_run), as_of=TODAY) == []


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
