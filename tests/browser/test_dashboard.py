"""A supervisor finds what is overdue on the follow-ups dashboard, in real Chromium."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casereview.timerules import add_months
from referrals.models import User
from reviews import services
from reviews.models import FollowUpReview
from tests import factories

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(user.raw_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def scheduled_review(owner, due, kind):
    exited = add_months(due, -6 if kind == "6_month" else -12)
    case = factories.case(owner=owner, received_on=exited - dt.timedelta(days=40))
    services.exit_case(
        case=case,
        user=owner,
        agency=owner.agency,
        occurred_on=exited,
        logged_on=exited,
        summary="Exited",
        require_late_reason=False,
    )
    if kind == "12_month":
        services.review_not_possible(
            review=FollowUpReview.objects.get(case=case, kind="6_month"),
            user=owner,
            why="Moved away for a while",
        )
    return FollowUpReview.objects.get(case=case, kind=kind)


def test_supervisor_sees_overdue_review_and_filters_by_kind(live_server, page, axe, make_user):
    today = timezone.localdate()
    supervisor = make_user(username="supervisor", role=User.Role.SUPERVISOR)
    caseworker = make_user(username="caseworker", first_name="Sam", last_name="Okafor")
    overdue = scheduled_review(caseworker, today - dt.timedelta(days=9), "6_month")
    soon = scheduled_review(caseworker, today + dt.timedelta(days=12), "12_month")

    sign_in(page, live_server, supervisor)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()

    expect(page).to_have_title("Follow-ups – casereview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-ups")
    expect(page.get_by_role("status")).to_contain_text(
        "1 overdue, 0 missed, 1 due in the next 30 days"
    )
    table = page.get_by_role("table", name=re.compile(r"^2 follow-ups"))
    row = table.get_by_role("row").filter(has_text=overdue.case.reference)
    expect(row.get_by_role("cell").nth(4)).to_have_text("9")  # days overdue
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("Sam Okafor")
    axe(page)

    page.get_by_label("Kind").select_option("12_month")
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"kind=12_month"))
    table = page.get_by_role("table", name=re.compile(r"^1 follow-up"))
    expect(table.get_by_role("row").filter(has_text=soon.case.reference)).to_contain_text(
        "Due soon"
    )
    expect(table).not_to_contain_text(overdue.case.reference)
    expect(page.get_by_role("link", name=re.compile("Download as CSV"))).to_have_attribute(
        "href", re.compile(r"/dashboard\.csv\?.*kind=12_month")
    )
    axe(page)


def test_caseworker_home_lists_their_follow_ups_due(live_server, page, axe, make_user):
    today = timezone.localdate()
    caseworker = make_user(username="caseworker")
    overdue = scheduled_review(caseworker, today - dt.timedelta(days=20), "6_month")

    sign_in(page, live_server, caseworker)

    section = page.get_by_role("region", name="Your follow-ups due and overdue")
    expect(section.get_by_role("row").filter(has_text=overdue.case.reference)).to_contain_text(
        "Missed"
    )
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard")
    ).to_have_count(0)
    axe(page)
