"""On a 375 px phone no page scrolls sideways: wide tables scroll inside their own labelled,
focusable region. Before: My cases was 529 px wide, the case list 576, the dashboard 494,
and the case page's review links stacked one letter a line."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import User
from reviews import services
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lists_case_page_and_dashboard_fit_a_phone(live_server, page, axe):
    council = factories.agency("Northshire County Council")
    worker = factories.user("caseworker", agency_=council)
    supervisor = factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council)
    today = timezone.localdate()
    case = factories.case(owner=worker, received_on=today - dt.timedelta(days=500))
    services.add_panel_action(
        case=case,
        user=worker,
        description="Share the college's attendance records with the panel",
        owner=worker,
        due_on=today - dt.timedelta(days=40),
    )
    services.record_decision(
        case=case,
        user=worker,
        agency=council,
        kind="adopt",
        rationale="Adopted",
        occurred_on=today - dt.timedelta(days=400),
        logged_on=today - dt.timedelta(days=400),
        summary="Adopted",
    )
    exit_on = today - dt.timedelta(days=220)
    services.exit_case(
        case=case,
        user=worker,
        agency=council,
        occurred_on=exit_on,
        logged_on=exit_on,
        summary="Exited",
        enforce_gate=False,
    )
    page.set_viewport_size({"width": 375, "height": 800})
    for user, urls in (
        (worker, [reverse("reviews:home"), reverse("referrals:case-list")]),
        (
            supervisor,
            [reverse("reviews:case", args=[case.reference]), reverse("reviews:dashboard")],
        ),
    ):
        page.context.clear_cookies()
        sign_in(page, live_server, user)
        for url in urls:
            page.goto(live_server.url + url)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (url, overflow)
            assert page.locator(".app-table-scroll[role=region][tabindex='0']").count() >= 1, url
            axe(page)
