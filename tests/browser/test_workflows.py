"""Caseworker, panel and provider workflows in real Chromium, with axe on every page visited.

Dates are a few days before today, so nothing is "logged late" (LATE_LOGGING_DAYS is 7).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casereview.timerules import review_due_on
from referrals.models import Agency, Case, User
from reviews import services
from reviews.models import AgencyAccount, InterventionSession, ProviderAssignment
from tests import factories

from .helpers import (
    date_group,
    expect_date,
    expect_errors,
    expect_success,
    fill_date,
    open_case_link,
    sign_in,
    submit,
    uk,
)

pytestmark = pytest.mark.browser

DAY = dt.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cast(make_user):
    """A council caseworker, the police, and an intervention provider with one worker."""
    council = Agency.objects.create(
        name="Northshire County Council", kind=Agency.Kind.LOCAL_AUTHORITY
    )
    police = Agency.objects.create(name="Northshire Police", kind=Agency.Kind.POLICE)
    provider_agency = Agency.objects.create(
        name="Brightpath Mentoring", kind=Agency.Kind.INTERVENTION_PROVIDER
    )
    caseworker = make_user(
        "caseworker",
        role=User.Role.CASEWORKER,
        agency=council,
        first_name="Casey",
        last_name="Worker",
    )
    provider = make_user(
        "provider",
        role=User.Role.PROVIDER,
        agency=provider_agency,
        first_name="Pat",
        last_name="Mentor",
    )
    return {
        "council": council,
        "police": police,
        "provider_agency": provider_agency,
        "caseworker": caseworker,
        "provider": provider,
    }


def commissioned_case(cast, *, referred_on: dt.date, name: str = "Riley Fenwick") -> Case:
    """A case referred on `referred_on` with Brightpath commissioned the same day (through services)."""
    case = factories.case(owner=cast["caseworker"], received_on=referred_on, person_name=name)
    services.assign_provider(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider_agency"],
        occurred_on=referred_on,
        logged_on=referred_on,
        summary="Brightpath commissioned",
        sessions_planned=4,
        provider_worker=cast["provider"],
    )
    return case


def summary_row(page, key: str):
    return (
        page.locator(".govuk-summary-list__row")
        .filter(has=page.locator(".govuk-summary-list__key", has_text=re.compile(f"^{key}$")))
        .locator(".govuk-summary-list__value")
    )


def test_caseworker_takes_a_case_from_referral_to_exit(live_server, page, axe, cast, today):
    referred_on = today - 6 * DAY
    exit_on = today

    # Sign in through the real page; "My cases" is the home page.
    sign_in(page, live_server, cast["caseworker"])
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    expect(page.get_by_role("status")).to_have_text("0 cases")
    axe(page)

    # New referral: empty, then with errors, then saved.
    page.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    axe(page)
    submit(page, "Save referral")
    expect_errors(page, "Enter the date the referral was received")
    axe(page)
    page.get_by_label("Name of the person referred").fill("Jordan Ashcombe")
    fill_date(page, "Date of birth (optional)", dt.date(2006, 6, 3))
    expect(page.get_by_label("Referring agency")).to_have_value(str(cast["council"].pk))
    fill_date(page, "Date the referral was received", referred_on)
    page.get_by_label("Concerns").fill("Worrying posts shared at college (fictional).")
    submit(page, "Save referral")

    # The new case's page.
    expect_success(page, "Referral saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Ashcombe")
    case = Case.objects.get(person__display_name="Jordan Ashcombe")
    expect(page).to_have_url(f"{live_server.url}/cases/{case.reference}/")
    expect(summary_row(page, "Status")).to_have_text("Referred")
    axe(page)

    # Panel meeting with agencies present, risk, an Adopt decision and an action.
    open_case_link(page, "Record a panel meeting")
    axe(page)
    submit(page, "Save panel meeting")
    expect_errors(page, "Enter the date it happened")
    axe(page)
    fill_date(page, "Date it happened", today - 5 * DAY)
    page.get_by_label("Panel", exact=True).select_option(label="Northshire County Council")
    present = page.get_by_role("group", name="Agencies present")
    present.get_by_label("Northshire County Council").check()
    present.get_by_label("Northshire Police").check()
    page.get_by_role("group", name="Risk level").get_by_label("Medium").check()
    page.get_by_label("What the minutes record").fill("Panel discussed the referral.")
    page.get_by_label("Decision (optional)").select_option(label="Adopt for Channel support")
    page.get_by_label("Written rationale for the decision").fill("Vulnerable and open to support.")
    page.get_by_label("Action agreed (optional)").fill("Find a mentor")
    page.get_by_label("Action owner").select_option(label="Casey Worker")
    fill_date(page, "Action due date", today + 14 * DAY)
    submit(page, "Save panel meeting")
    expect_success(page, "Panel meeting saved")
    expect(summary_row(page, "Risk")).to_have_text("Medium")
    expect(summary_row(page, "Open actions")).to_have_text("1")
    actions = page.get_by_role("table", name="Panel actions")
    expect(actions).to_contain_text("Find a mentor")
    expect(actions).to_contain_text(uk(today + 14 * DAY))

    # Commission the intervention provider.
    open_case_link(page, "Commission an intervention provider")
    axe(page)
    submit(page, "Save")
    expect_errors(page, "Select intervention provider")
    axe(page)
    page.get_by_label("Intervention provider").select_option(label="Brightpath Mentoring")
    fill_date(page, "Date commissioned", today - 5 * DAY)
    page.get_by_label("Sessions planned").fill("6")
    page.get_by_label("Named provider (optional)").select_option(label="Pat Mentor")
    page.get_by_label("Summary", exact=True).fill("Brightpath to deliver mentoring.")
    submit(page, "Save")
    expect_success(page, "Intervention provider commissioned")
    expect(summary_row(page, "Intervention provider")).to_have_text(
        f"Brightpath Mentoring (Pat Mentor), commissioned {uk(today - 5 * DAY)}"
    )
    expect(summary_row(page, "Status")).to_have_text("Intervention")

    # The written briefing.
    open_case_link(page, "Record a written briefing")
    axe(page)
    submit(page, "Save briefing")
    expect_errors(page, "Enter the date the written briefing was issued")
    axe(page)
    fill_date(page, "Date the written briefing was issued", today - 4 * DAY)
    page.get_by_label("Issued by").fill("Casey Worker")
    page.get_by_label("Document reference").fill("BR-001")
    page.get_by_label("What the briefing covered").fill("Risks and history for the mentor.")
    submit(page, "Save briefing")
    expect_success(page, "Briefing saved")
    expect(summary_row(page, "Written briefing")).to_have_text(f"Issued {uk(today - 4 * DAY)}")

    # A session planned for next week...
    open_case_link(page, "Plan or record a session")
    axe(page)
    submit(page, "Save session")
    expect_errors(page, "Enter the date of the session")
    axe(page)
    fill_date(page, "Date of the session", today + 7 * DAY)
    page.get_by_role("group", name="What happened").get_by_label("Planned").check()
    page.get_by_label("Summary").fill("Second mentoring session")
    submit(page, "Save session")
    expect_success(page, "Session saved")
    arranged = page.locator("h2", has_text="Sessions arranged").locator("+ ul")
    expect(arranged).to_contain_text(f"{uk(today + 7 * DAY)}: Second mentoring session")

    # ...and one already held, with the provider's report.
    open_case_link(page, "Plan or record a session")
    fill_date(page, "Date of the session", today - 3 * DAY)
    page.get_by_role("group", name="What happened").get_by_label("Held").check()
    page.get_by_label("Summary").fill("First mentoring session")
    page.get_by_label("Who attended (optional)").fill("Jordan, Pat Mentor")
    page.get_by_label("Provider's report (optional)").fill("Engaged well; talked about college.")
    submit(page, "Save session")
    expect_success(page, "Session saved")
    expect(summary_row(page, "Sessions")).to_have_text(
        "1 held (0 confirmed) of 6 planned; 1 arranged"
    )

    # What the police believed, from an email.
    open_case_link(page, "Record what an agency said or believed")
    axe(page)
    submit(page, "Save account")
    expect_errors(page, "Enter the date of the account")
    axe(page)
    page.get_by_label("Agency whose account this is").select_option(label="Northshire Police")
    fill_date(page, "Date of the account", today - 2 * DAY)
    page.get_by_role("group", name="Where it was said").get_by_label("Email").check()
    page.get_by_label("Sessions the agency believed had been held (optional)").fill("3")
    page.get_by_role("group", name=re.compile("What the agency believed")).get_by_label(
        "Ongoing"
    ).check()
    page.get_by_label("What was said or written (quote or summary)").fill(
        "Police email: three sessions held, support ongoing."
    )
    submit(page, "Save account")
    # The record shows one session: the form says so before saving (issue 17), and saves the
    # account as the police stated it once that is confirmed.
    expect(page.locator("main")).to_contain_text("The record shows 1 session held")
    assert not AgencyAccount.objects.filter(case=case).exists()
    axe(page)
    page.get_by_label("Save this account as the agency stated it").check()
    submit(page, "Save account")
    expect_success(page, "Agency account saved")
    account = AgencyAccount.objects.get(case=case)
    assert (
        account.agency,
        account.sessions_believed,
        account.believed_status,
        account.source_kind,
    ) == (cast["police"], 3, "ongoing", "email")

    # Exit: refused while a session is still planned, and what was typed is kept.
    open_case_link(page, "Exit the case from Channel")
    expect(page.locator(".govuk-warning-text")).to_contain_text("1 session is still planned.")
    axe(page)
    fill_date(page, "Date of exit", exit_on)
    page.get_by_label("Exiting panel").select_option(label="Northshire County Council")
    page.get_by_role("group", name="Risk at exit").get_by_label("Low", exact=True).check()
    page.get_by_label("Exit decision").fill("Exit: engaged with mentoring.")
    page.get_by_label("Rationale", exact=True).fill("Risk reduced; family support in place.")
    submit(page, "Exit case")
    expect_errors(page, "1 session is still planned. To exit anyway, give the reason in writing.")
    gate_field = page.locator("#div_id_gate_override_reason")
    expect(gate_field.locator(".govuk-error-message")).to_contain_text(
        "1 session is still planned."
    )
    expect_date(page, "Date of exit", exit_on)
    expect(page.get_by_label("Exiting panel")).to_have_value(str(cast["council"].pk))
    expect(
        page.get_by_role("group", name="Risk at exit").get_by_label("Low", exact=True)
    ).to_be_checked()
    expect(page.get_by_label("Exit decision")).to_have_value("Exit: engaged with mentoring.")
    expect(page.get_by_label("Rationale", exact=True)).to_have_value(
        "Risk reduced; family support in place."
    )
    axe(page)
    assert Case.objects.get(pk=case.pk).status != Case.Status.EXITED

    # With the reason in writing, the exit goes ahead and schedules the reviews.
    page.get_by_label("Reason to exit anyway (only if asked)").fill(
        "Planned session no longer needed: the panel agreed support is complete."
    )
    submit(page, "Exit case")
    expect_success(page, "Case exited: the 6- and 12-month reviews are scheduled")
    expect(summary_row(page, "Status")).to_have_text("Exited")
    expect(summary_row(page, "Risk")).to_have_text("Low")
    reviews = page.get_by_role("table", name="Follow-up reviews")
    six, twelve = review_due_on(exit_on, "6_month"), review_due_on(exit_on, "12_month")
    six_row = reviews.get_by_role("row", name=re.compile("^6-month review"))
    twelve_row = reviews.get_by_role("row", name=re.compile("^12-month review"))
    expect(six_row.get_by_role("cell").first).to_have_text(uk(six))
    expect(twelve_row.get_by_role("cell").first).to_have_text(uk(twelve))
    expect(six_row).to_contain_text("Scheduled")
    expect(twelve_row).to_contain_text("Scheduled")
    expect(summary_row(page, "Next review due")).to_contain_text(f"6-month review, {uk(six)}")
    expect(page.get_by_role("link", name="Reopen the case")).to_be_visible()
    axe(page)


def test_provider_records_a_session_outcome_and_acknowledges_a_briefing_on_a_phone(
    live_server, page, axe, cast, today
):
    case = commissioned_case(cast, referred_on=today - 6 * DAY)
    assignment = ProviderAssignment.objects.get(case=case)
    session = services.plan_session(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider_agency"],
        assignment=assignment,
        occurred_on=today - 1 * DAY,
        logged_on=today - 5 * DAY,
        summary="Mentoring at the library",
    )
    briefing = services.issue_briefing(
        case=case,
        user=cast["caseworker"],
        agency=cast["council"],
        occurred_on=today - 4 * DAY,
        logged_on=today - 4 * DAY,
        summary="Risks and history",
        issued_by="Casey Worker",
        document_ref="BR-7",
        assignment=assignment,
    )
    page.set_viewport_size({"width": 375, "height": 740})

    sign_in(page, live_server, cast["provider"])

    # The provider's home is their short list, and it fits a phone screen.
    expect(page).to_have_url(f"{live_server.url}/provider/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cases")
    card = page.locator(".govuk-summary-card", has_text=case.reference)
    expect(card).to_contain_text("Riley Fenwick")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)

    # Record what happened at the planned session.
    card.get_by_role("link", name=f"Record what happened on {uk(today - DAY)}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Record what happened: session on {uk(today - DAY)}"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
    submit(page, "Save")
    summary = expect_errors(page, "Select what happened")
    axe(page)
    # The first link (the "What happened" radios) goes to the first radio button.
    summary.get_by_role("link").first.click()
    expect(page.get_by_role("group", name="What happened").get_by_label("Held")).to_be_focused()
    page.get_by_role("group", name="What happened").get_by_label("Held").check()
    page.get_by_label("Summary").fill("Met at the library; talked about college.")
    page.get_by_label("Provider's report (optional)").fill("Engaged and open.")
    submit(page, "Save")
    expect_success(page, "Session updated")
    session.refresh_from_db()
    assert (session.status, session.provider_report) == ("held", "Engaged and open.")
    expect(summary_row(page, "Sessions")).to_have_text("1 held (0 confirmed) of 4 planned")
    # A provider may add sessions but not other records.
    expect(page.get_by_role("link", name="Record a panel meeting")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Back on the list, the session is done and the briefing is still to acknowledge.
    page.goto(f"{live_server.url}/provider/")
    expect(card.get_by_role("link", name=re.compile("Record what happened"))).to_have_count(0)
    card.get_by_role("link", name=f"Acknowledge the briefing of {uk(today - 4 * DAY)}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledge the written briefing")
    axe(page)
    fill_date(page, "Date the provider acknowledged the briefing", today - 5 * DAY)
    submit(page, "Acknowledge")
    expect_errors(page, f"It cannot be acknowledged before it was issued, {uk(today - 4 * DAY)}.")
    axe(page)
    fill_date(page, "Date the provider acknowledged the briefing", today)
    submit(page, "Acknowledge")
    expect_success(page, "Briefing acknowledged")
    briefing.refresh_from_db()
    assert briefing.acknowledged_on == today

    page.goto(f"{live_server.url}/provider/")
    expect(card.get_by_role("link", name=re.compile("Acknowledge"))).to_have_count(0)
    expect(card.get_by_role("link", name=re.compile("Record a session"))).to_be_visible()


def test_session_before_the_referral_date_is_refused_with_the_reason(
    live_server, page, axe, cast, today
):
    referred_on = today - 3 * DAY
    case = commissioned_case(cast, referred_on=referred_on)
    sign_in(page, live_server, cast["caseworker"])
    page.goto(f"{live_server.url}/cases/{case.reference}/sessions/new/")

    fill_date(page, "Date of the session", referred_on - DAY)
    page.get_by_role("group", name="What happened").get_by_label("Held").check()
    page.get_by_label("Summary").fill("Met at the library")
    submit(page, "Save session")

    message = f"Date of the session must be on or after the referral date, {uk(referred_on)}."
    summary = expect_errors(page, message)
    # The summary comes first in the page's content, above the heading.
    heading = page.get_by_role("heading", level=1)
    assert summary.bounding_box()["y"] < heading.bounding_box()["y"]
    assert page.evaluate(
        "document.querySelector('main .govuk-error-summary') === "
        "document.querySelector('main .govuk-grid-column-two-thirds').firstElementChild"
    )
    # The same message beside the field, which is marked as in error.
    field = page.locator("#div_id_occurred")
    expect(field).to_have_class(re.compile(r"\bgovuk-form-group--error\b"))
    expect(field.locator(".govuk-error-message")).to_have_text(f"Error: {message}")
    expect(date_group(page, "Date of the session").get_by_label("Day")).to_have_class(
        re.compile(r"\bgovuk-input--error\b")
    )
    # What was typed is still there.
    expect_date(page, "Date of the session", referred_on - DAY)
    expect(page.get_by_role("group", name="What happened").get_by_label("Held")).to_be_checked()
    expect(page.get_by_label("Summary")).to_have_value("Met at the library")
    axe(page)
    # The summary's link takes the user to the date.
    summary.get_by_role("link", name=message).click()
    expect(date_group(page, "Date of the session").get_by_label("Day")).to_be_focused()
    assert not InterventionSession.objects.filter(case=case).exists()


def test_referral_form_can_be_completed_with_the_keyboard_alone(live_server, page, cast, today):
    referred_on = today - 2 * DAY
    sign_in(page, live_server, cast["caseworker"])
    page.goto(f"{live_server.url}/cases/new/")
    # GOV.UK Frontend's skip link module moves the focus; wait for it to start.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    keyboard = page.keyboard

    def tab_to(locator, presses=1):
        for _ in range(presses):
            keyboard.press("Tab")
        expect(locator).to_be_focused()

    tab_to(page.get_by_role("link", name="Skip to main content"))
    keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()

    tab_to(page.get_by_label("Name of the person referred"))
    keyboard.type("Alexis Corrow")
    birth = date_group(page, "Date of birth (optional)")
    for part, value in zip(("Day", "Month", "Year"), ("3", "6", "2007"), strict=True):
        tab_to(birth.get_by_label(part))
        keyboard.type(value)
    tab_to(page.get_by_label("Referring agency"))
    keyboard.press("ArrowDown")  # from the council to the next agency, Northshire Police
    expect(page.get_by_label("Referring agency")).to_have_value(str(cast["police"].pk))
    tab_to(page.get_by_label("Name of the referrer (optional)"))
    keyboard.type("PC Dana Constable")
    tab_to(page.get_by_label("Referrer's email address (optional)"))
    keyboard.type("dana.constable@police.example")
    received = date_group(page, "Date the referral was received")
    for part, value in zip(
        ("Day", "Month", "Year"),
        (str(referred_on.day), str(referred_on.month), str(referred_on.year)),
        strict=True,
    ):
        tab_to(received.get_by_label(part))
        keyboard.type(value)
    tab_to(page.get_by_label("Concerns"), presses=4)  # past the three boxes of "Date it was logged"
    keyboard.type("Shared extremist videos with classmates (fictional).")
    tab_to(page.get_by_label("Source (needed if logged more than 7 days ago)"))
    keyboard.type("Police referral form PR-12")
    keyboard.press("Enter")  # submits the form from a text input

    expect_success(page, "Referral saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alexis Corrow")
    case = Case.objects.get(person__display_name="Alexis Corrow")
    referral = case.referral_records.get()
    assert referral.referrer_email == "dana.constable@police.example"
    assert (referral.agency, referral.referrer_name, referral.occurred_on, referral.source) == (
        cast["police"],
        "PC Dana Constable",
        referred_on,
        "Police referral form PR-12",
    )
    assert case.person.date_of_birth == dt.date(2007, 6, 3)


def test_change_void_history_and_timeline_pages(live_server, page, axe, cast, today):
    case = commissioned_case(cast, referred_on=today - 6 * DAY, name="Quinn Oakes")
    account = services.record_agency_account(
        case=case,
        user=cast["caseworker"],
        agency=cast["police"],
        occurred_on=today - 2 * DAY,
        logged_on=today - 2 * DAY,
        summary="Said two sessions were held",
        sessions_believed=2,
    )
    label = f"Agency account {uk(today - 2 * DAY)}"
    sign_in(page, live_server, cast["caseworker"])

    # My cases, now with a case in it.
    table = page.get_by_role("table", name="My cases")
    expect(table.get_by_role("link", name=case.reference)).to_be_visible()
    axe(page)
    table.get_by_role("link", name=case.reference).click()

    # Change the record: the reason is required.
    records = page.locator(".app-record", has_text="Said two sessions were held")
    records.get_by_role("link", name=f"Change {label.lower()}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Change: Northshire Police account {uk(today - 2 * DAY)}"
    )
    axe(page)
    page.get_by_label("Summary").fill("Said three sessions were held")
    submit(page, "Save changes")
    expect_errors(page, "Give the reason for the change")
    expect(page.get_by_label("Summary")).to_have_value("Said three sessions were held")
    axe(page)
    page.get_by_label("Why are you changing this record?").fill("Checked the police email again")
    submit(page, "Save changes")
    expect_success(page, "Changes saved")

    # Its history shows who changed what, and why.
    page.locator(".app-record", has_text="Said three sessions were held").get_by_role(
        "link", name=f"History of {label.lower()}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"History: Northshire Police account {uk(today - 2 * DAY)}"
    )
    history = page.get_by_role("table")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("tbody tr").first).to_contain_text("Checked the police email again")
    expect(history.locator("tbody tr").first).to_contain_text(
        "Summary: “Said two sessions were held” → “Said three sessions were held”"
    )
    axe(page)
    page.get_by_role("link", name="Back to case").click()

    # Void it: the reason is required, and the record stays, marked void.
    page.locator(".app-record", has_text="Said three sessions were held").get_by_role(
        "link", name=f"Void {label.lower()}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Void: Northshire Police account {uk(today - 2 * DAY)}"
    )
    axe(page)
    submit(page, "Void record")
    expect_errors(page, "Give the reason for voiding this record")
    axe(page)
    page.get_by_label("Why is this record being voided?").fill("Entered on the wrong case")
    submit(page, "Void record")
    expect_success(page, "Record voided")
    voided = page.locator(".app-record--void", has_text="Said three sessions were held")
    expect(voided).to_contain_text("Void")
    expect(voided.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    account.refresh_from_db()
    assert account.is_void and account.summary == "Said three sessions were held"

    # The timeline, reached from the case page.
    page.get_by_role("link", name=f"Timeline of {case.reference}").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.reference}/timeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    axe(page)
