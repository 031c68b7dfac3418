"""The timeline page in real Chromium: findings, lanes, and the as-of control."""

import re

import pytest
from playwright.sync_api import expect

from referrals.models import Agency
from reviews.chronology.csv_format import import_chronology
from tests.browser.test_sign_in import sign_in
from tests.reviews.test_chronology_csv import FAILURE

pytestmark = pytest.mark.browser


@pytest.fixture
def failure_case(make_user):
    council, _ = Agency.objects.get_or_create(
        name="Local authority", defaults={"kind": Agency.Kind.LOCAL_AUTHORITY}
    )
    user = make_user(username="caseworker", agency=council)
    import_chronology([("failure.csv", FAILURE.encode())], user=user, owner=user, trusted=True)
    return user


def test_timeline_shows_findings_and_as_of_hides_later_records(
    live_server, page, axe, failure_case
):
    sign_in(page, live_server, "caseworker", "demo-password")
    page.goto(f"{live_server.url}/cases/CR-T-1/timeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    findings = page.locator("#findings + .app-finding-list > li")
    expect(findings).to_have_count(6)
    expect(page.locator(".app-finding-list")).to_contain_text("IT issue")
    axe(page)

    # Follow a finding to the record it is about.
    page.locator("#finding-1").get_by_role("link", name="entry 6").click()
    expect(page.locator("#entry-6")).to_contain_text("First session held")

    # As of 1 June 2016: the late 12-month review was not yet logged.
    page.get_by_label("As of").fill("2016-06-01")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/cases/CR-T-1/timeline/\?as_of=2016-06-01&agency=&type="))
    expect(page.locator(".govuk-inset-text")).to_contain_text("1 June 2016")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "1 record logged after that day is hidden"
    )
    expect(page.locator(".app-finding-list")).not_to_contain_text("Review late")
    expect(page.locator(".app-finding-list")).to_contain_text("Review missed")
    expect(page.locator("#records")).to_contain_text("(9)")
    axe(page)

    # Filter by agency: only Police records remain in the lanes; findings are unchanged.
    page.get_by_label("Agency", exact=True).select_option("Police")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".app-timeline__row:not(.app-timeline__row--head)")).to_have_count(2)
    axe(page)
