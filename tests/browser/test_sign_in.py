"""Signing in and out, and resetting a password, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_page_is_accessible(live_server, page, axe):
    page.goto(f"{live_server.url}/accounts/login/")

    expect(page).to_have_title("Sign in – casereview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    # The GOV.UK stylesheet came through static files (Arial: not a GOV.UK-domain service).
    assert (
        page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        .lower()
        .startswith("arial")
    )
    axe(page)


def test_wrong_password_shows_error_summary_and_keeps_username(live_server, page, axe, make_user):
    make_user(username="caseworker")

    sign_in(page, live_server, "caseworker", "not-the-password")

    expect(page).to_have_title("Error: Sign in – casereview")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Please enter a correct username and password")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value("caseworker")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    axe(page)


def test_sign_in_lands_on_home_page(live_server, page, axe, make_user):
    make_user(username="caseworker")

    sign_in(page, live_server, "caseworker", "demo-password")

    # My cases: the frame, with Cases the current navigation item.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(re.compile(r".+ – casereview$"))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Cases")).to_have_attribute("aria-current", "true")
    expect(navigation.get_by_role("button", name="Sign out")).to_be_visible()
    axe(page)


def test_sign_out(live_server, page, axe, make_user):
    make_user(username="caseworker")
    sign_in(page, live_server, "caseworker", "demo-password")

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You have been signed out")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    axe(page)
    # The session is gone: the home page asks to sign in again.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_password_reset_sends_email(live_server, page, axe, make_user, mailoutbox, settings):
    # The emailed link is built from SITE_URL (never the request's Host): here, the test server.
    settings.SITE_URL = live_server.url
    make_user(username="caseworker", email="caseworker@example.com")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    axe(page)
    page.get_by_label("Email").fill("caseworker@example.com")
    page.get_by_role("button", name="Send reset link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe(page)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["caseworker@example.com"]
    assert email.subject == "Reset your casereview password"
    link = re.search(r"http://\S+/accounts/reset/\S+/", email.body).group(0)
    assert link.startswith(f"{live_server.url}/accounts/reset/")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    axe(page)
    page.get_by_label("New password", exact=True).fill("a fresh long passphrase")
    page.get_by_label("New password confirmation").fill("a different passphrase")
    page.get_by_role("button", name="Save password").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("didn’t match")
    axe(page)
    page.get_by_label("New password", exact=True).fill("a fresh long passphrase")
    page.get_by_label("New password confirmation").fill("a fresh long passphrase")
    page.get_by_role("button", name="Save password").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    axe(page)
    sign_in(page, live_server, "caseworker", "a fresh long passphrase")
    expect(page).to_have_url(f"{live_server.url}/")


def test_invalid_email_shows_error_summary(live_server, page, axe):
    page.goto(f"{live_server.url}/accounts/password_reset/")
    page.get_by_label("Email").fill("not an email address")
    page.get_by_role("button", name="Send reset link").click()

    expect(page).to_have_title("Error: Reset your password – casereview")
    expect(page.get_by_role("link", name="Enter a valid email address.")).to_have_attribute(
        "href", "#id_email"
    )
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    axe(page)


def test_skip_link_is_first_and_moves_focus_to_main(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    # GOV.UK Frontend's SkipLink module is what focuses <main>; wait for it to start.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()

    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
