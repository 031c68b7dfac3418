"""The lists added for recording a case as it happened, in real Chromium at 1280 and 375 px:
the supervisors' entries typed in from documents, and the provider's short list."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from referrals.models import Agency, User
from reviews import services
from tests import factories
from tests.browser.test_dashboard import sign_in

pytestmark = pytest.mark.browser
D = dt.date


@pytest.mark.parametrize("width", [1280, 375])
def test_backfills_and_provider_list_read_well_on_desk_and_phone(
    live_server, page, axe, make_user, width
):
    page.set_viewport_size({"width": width, "height": 900})
    council = factories.agency("Northshire County Council")
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    supervisor = make_user(username="supervisor", role=User.Role.SUPERVISOR, agency=council)
    caseworker = make_user(username="caseworker", agency=council)
    provider = make_user(username="provider", role=User.Role.PROVIDER, agency=brightpath)
    case = factories.case(owner=caseworker, received_on=D(2014, 10, 7), reference="CR-2014-00001")
    services.record_decision(
        case=case,
        user=caseworker,
        kind="adopt",
        rationale="Support.",
        agency=council,
        occurred_on=D(2014, 11, 18),
        logged_on=D(2014, 11, 19),
        summary="Adopted",
        source="Channel minutes 18/11/2014",
        require_late_reason=False,
    )
    services.assign_provider(
        case=case,
        user=caseworker,
        agency=brightpath,
        occurred_on=D(2014, 12, 1),
        month_only=True,
        logged_on=D(2014, 12, 31),
        commissioned_by="phone",
        summary="Asked by phone.",
        require_late_reason=False,
    )

    sign_in(page, live_server, supervisor)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Entries typed in from documents in the last 30 days").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entries typed in from documents")
    expect(page.get_by_role("region", name="Entries typed in from documents")).to_contain_text(
        "Channel minutes 18/11/2014"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe(page)

    page.context.clear_cookies()
    sign_in(page, live_server, provider)
    page.goto(f"{live_server.url}/provider/")
    expect(page.get_by_role("link", name="Active (1)")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_contain_text("CR-2014-00001")
    page.get_by_label("Search by reference or name").fill("nobody")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No active case matches “nobody”.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe(page)
