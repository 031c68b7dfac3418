"""Issue 17 in real Chromium: police ask the provider how many sessions remain and confirm the
session they know of; the provider answers on a 375 px phone; the timeline shows the question,
the answer and the confirmed session. axe on every new page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from referrals.models import Agency, User
from reviews import services
from tests import factories
from tests.browser.helpers import sign_in, submit

pytestmark = pytest.mark.browser


def test_police_ask_the_provider_answers_on_a_phone_and_the_timeline_shows_it(
    live_server, page, axe, make_user
):
    today = dt.date.today()
    council = factories.agency("Northshire County Council")
    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    caseworker = make_user(username="caseworker", agency=council)
    officer = make_user(username="officer", agency=police)
    provider = make_user(username="provider", role=User.Role.PROVIDER, agency=brightpath)
    start = today - dt.timedelta(days=60)
    case = factories.case(
        owner=caseworker, referring_agency=police, received_on=start, reference="CR-2026-00417"
    )
    common = {"case": case, "user": caseworker, "require_late_reason": False}
    services.record_decision(
        **common,
        kind="adopt",
        rationale="Support.",
        agency=council,
        occurred_on=start + dt.timedelta(days=7),
        logged_on=start + dt.timedelta(days=7),
        summary="Adopted",
    )
    services.assign_provider(
        **common,
        agency=brightpath,
        occurred_on=start + dt.timedelta(days=10),
        logged_on=start + dt.timedelta(days=10),
        provider_worker=provider,
        summary="Mentoring commissioned.",
    )
    held_on = start + dt.timedelta(days=20)
    services.record_session(
        **common,
        agency=brightpath,
        occurred_on=held_on,
        logged_on=held_on,
        status="held",
        summary="Session 1 held.",
    )

    # Police, at a desk: a question to the provider, and the session they know took place.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    expect(page.get_by_text("Not confirmed")).to_be_visible()
    page.get_by_role("link", name="Ask the intervention provider a question").click()
    axe(page)
    page.get_by_label("Your question").fill("How many sessions remain?")
    submit(page, "Send question")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    page.get_by_role("link", name="Confirm the session held on").click()
    axe(page)
    page.get_by_role("radio", name="Call with the person").check()
    submit(page, "Confirm session")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.get_by_text("1 held (1 confirmed)")).to_be_visible()

    # The provider, on a phone: the question is on the short list; answer it there.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, provider)
    page.goto(f"{live_server.url}/provider/")
    expect(page.get_by_text("How many sessions remain?")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Answer Northshire Police’s question").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
    answer_url = page.url
    page.get_by_label("Your answer").fill("Three sessions remain; the next is on Tuesday.")
    submit(page, "Send answer")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # An old link to the answered question: what was answered, and back to the list.
    page.goto(answer_url)
    expect(page.locator("main")).to_contain_text("Three sessions remain; the next is on Tuesday.")
    expect(page.get_by_role("link", name="Back to your cases").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)

    # Back at a desk, the timeline carries the question, the answer and the confirmation.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/cases/{case.reference}/timeline/")
    chronology = page.locator("main")
    expect(chronology).to_contain_text("How many sessions remain?")
    expect(chronology).to_contain_text("Three sessions remain; the next is on Tuesday.")
    expect(chronology).to_contain_text("Session confirmed")
    expect(page.locator("svg.app-drawing a.tl-held-confirmed")).to_have_count(1)
    axe(page)


def test_a_question_needs_a_provider_to_answer_it(live_server, page, axe, make_user):
    council = factories.agency("Northshire County Council")
    caseworker = make_user(username="caseworker", agency=council)
    case = factories.case(owner=caseworker, reference="CR-2026-00418")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, caseworker)
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    expect(page.get_by_role("link", name="Ask the intervention provider a question")).to_have_count(
        0
    )
    page.goto(f"{live_server.url}/cases/{case.reference}/questions/new/")
    expect(page.locator("main")).to_contain_text("No intervention provider is commissioned")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
