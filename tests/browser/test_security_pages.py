"""The security pages in real Chromium, each checked with axe: two-factor set-up, emergency
access, the access log, password change, the lockout page and the not-found page."""

import pytest
from playwright.sync_api import expect

from referrals.models import Agency, User
from tests import factories
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(make_user):
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    worker = make_user(username="caseworker", agency=council)
    case = factories.case(owner=worker, reference="CR-2019-00001")
    return {
        "worker": worker,
        "outsider": make_user(username="outsider", agency=westmoor),
        "supervisor": make_user(username="supervisor", role=User.Role.SUPERVISOR, agency=council),
        "admin": make_user(username="admin", role=User.Role.ADMIN, agency=council),
        "case": case,
    }


def test_admin_is_asked_to_set_up_two_factor(live_server, page, axe, people):
    sign_in(page, live_server, people["admin"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(
        page.get_by_role("img", name="QR code to add casereview to your authenticator app")
    ).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    axe(page)


def test_emergency_access_from_the_not_found_page(live_server, page, axe, people):
    sign_in(page, live_server, people["outsider"])
    page.goto(f"{live_server.url}/cases/CR-2019-00001/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe(page)
    page.get_by_role("link", name="ask for emergency access to CR-2019-00001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency access")
    axe(page)
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the reason you need emergency access"
    )
    axe(page)
    page.get_by_label("Why do you need to see this case now?").fill(
        "Person detained tonight; custody needs the risk history"
    )
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Ashcombe")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Emergency access recorded")
    axe(page)


def test_supervisor_reads_the_access_log(live_server, page, axe, people):
    sign_in(page, live_server, people["worker"])
    page.goto(f"{live_server.url}/cases/CR-2019-00001/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, people["supervisor"])
    page.goto(f"{live_server.url}/cases/CR-2019-00001/access-log/")
    expect(page.get_by_role("table")).to_contain_text("view-case")
    axe(page)
    page.goto(f"{live_server.url}/access-log/emergency/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Emergency access in the last 90 days"
    )
    axe(page)


def test_password_change_page(live_server, page, axe, people):
    sign_in(page, live_server, people["worker"])
    page.goto(f"{live_server.url}/accounts/password_change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    axe(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe(page)


def test_lockout_page(live_server, page, axe, people):
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("caseworker")
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    axe(page)
