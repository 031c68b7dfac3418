"""Small steps the browser tests share: sign in, fill a GOV.UK date, check the error summary."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from referrals.models import uk_date


def uk(value: dt.date) -> str:
    """A date as the pages write it: 7 October 2019."""
    return uk_date(value)


def sign_in(page: Page, live_server, user) -> None:
    """Sign in through the real sign-in page as a user made by `make_user` (or the factories)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(getattr(user, "raw_password", "demo-password"))
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def date_group(page: Page, legend: str):
    """The day/month/year fieldset whose legend is `legend`."""
    return page.get_by_role("group", name=legend, exact=True)


def fill_date(page: Page, legend: str, value: dt.date | None, *, month_only: bool = False) -> None:
    """Type a date into a GOV.UK date input (its day left blank for a month-only date)."""
    group = date_group(page, legend)
    day = "" if value is None or month_only else str(value.day)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill("" if value is None else str(value.month))
    group.get_by_label("Year").fill("" if value is None else str(value.year))


def expect_date(page: Page, legend: str, value: dt.date) -> None:
    """The date input still shows what was typed (after a form came back with errors)."""
    group = date_group(page, legend)
    expect(group.get_by_label("Day")).to_have_value(str(value.day))
    expect(group.get_by_label("Month")).to_have_value(str(value.month))
    expect(group.get_by_label("Year")).to_have_value(str(value.year))


def submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()


def expect_errors(page: Page, *messages: str):
    """The page came back with the GOV.UK error summary, focused, listing each message."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    for message in messages:
        expect(summary).to_contain_text(message)
    return summary


def expect_success(page: Page, message: str) -> None:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(message)


def open_case_link(page: Page, name: str) -> None:
    """Follow one of the case page's "Add to this case" links."""
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
