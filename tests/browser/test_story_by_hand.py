"""The published failure case entered by hand through the forms, each role doing its own part.

Issue 14, "Done when", first bullet. The story (fictional names) is the one
reviews/sampledata/demo.py `_failure_case` writes through the services: referred October 2014
(the day not known) by Northshire Schools; adopted by the panel on 18 November 2014; Brightpath
Mentoring asked by phone in December 2014, sessions planned not known; no written briefing; one
session on 17 January 2015; the panel's minutes of 12 March 2015 believe it "ongoing" and
mention a "final visit"; a police email of 9 April 2015 asks how many sessions remain; exited
April 2015 as very low risk; no 6-month review; the 12-month review held in October 2016 and
logged on 4 December 2016, late because of an "IT issue".

Two runs of the same typing:

- with the logged-on dates the sources carry: every form asks for the source document (the
  entry is a backfill: logged years before it is typed in) and the timeline, its JSON and the
  PDF show exactly the story's six findings;
- with "Date it was logged" left at today: every form demands a reason for logging late, and
  every entry is LOGGED_LATE on top of the story's five other findings (the agencies' own
  lateness cannot be told from the typing).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import pdfplumber
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals.models import Agency, Case, User
from reviews import pdf
from reviews.chronology.findings import FindingCode

from .helpers import expect_success, open_case_link, sign_in, uk

pytestmark = pytest.mark.browser

D = dt.date
PERSON = "Sol Brennock"
SHOTS = "/tmp/story-{}.png"
BACKFILL_ASK = "name the document it is copied from"
LATE_ASK = "say why it was logged late"
GATE_ASK = "To exit anyway, give the reason in writing."
NO_DATES_REASON = "Entered from documents"

# The story's findings, as timeline.json writes them: (code, date, agency).
STORY_FINDINGS = [
    ("NO_WRITTEN_BRIEFING", "2015-01-17", "Brightpath Mentoring"),
    ("BELIEF_EXCEEDS_RECORD", "2015-03-12", "Northshire Channel Panel"),
    ("BELIEF_EXCEEDS_RECORD", "2015-04-09", "Northshire Police"),
    ("REVIEW_MISSED", "2015-10-30", None),
    ("REVIEW_LATE", "2016-10-31", "Northshire County Council"),  # October 2016, month only
]
LOGGED_LATE_IT_ISSUE = ("LOGGED_LATE", "2016-12-04", "Northshire County Council")
# The story's entries, in date order, as timeline.json numbers them.
ENTRY_TYPES = [
    "referral",
    "panel_meeting",
    "case_adopted",
    "ip_assigned",
    "session_held",
    "agency_account",
    "agency_account",
    "case_exited",
    "review_conducted",
]


@dataclass
class Step:
    """One entry of the story: when it happened (a month-only date: the month's last day, as
    the findings count it), when its source says it was logged, and which document that is."""

    happened: dt.date
    logged: dt.date
    source: str
    # Who typed it (display name, for "Entered into casereview on … by …").
    by: str = "Casey Worker"
    asked: set[str] = field(default_factory=set)


STEPS = {
    "referral": Step(D(2014, 10, 31), D(2014, 10, 31), "College referral form (October 2014)"),
    "panel": Step(D(2014, 11, 18), D(2014, 11, 19), "Channel minutes 18/11/2014"),
    "commission": Step(
        D(2014, 12, 31), D(2014, 12, 31), "Provider's account to the review (December 2014)"
    ),
    "session": Step(
        D(2015, 1, 17), D(2015, 1, 19), "Provider's session note 17/01/2015", by="Pat Mentor"
    ),
    "panel_account": Step(D(2015, 3, 12), D(2015, 3, 13), "Channel minutes 12/03/2015"),
    "police_account": Step(
        D(2015, 4, 9),
        D(2015, 4, 9),
        "Email from the police Prevent officer 09/04/2015",
        by="Dana Constable",
    ),
    "exit": Step(D(2015, 4, 30), D(2015, 4, 30), "Channel minutes (late April 2015)"),
    "review": Step(D(2016, 10, 31), D(2016, 12, 4), "Review form, logged 04/12/2016"),
}


@pytest.fixture
def cast(make_user, settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    agencies = {
        key: Agency.objects.create(name=name, kind=kind)
        for key, (name, kind) in {
            "council": ("Northshire County Council", Agency.Kind.LOCAL_AUTHORITY),
            "police": ("Northshire Police", Agency.Kind.POLICE),
            "panel": ("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL),
            "health": ("Northshire NHS Trust", Agency.Kind.HEALTH),
            "schools": ("Northshire Schools", Agency.Kind.EDUCATION),
            "provider": ("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER),
        }.items()
    }
    users = {
        "caseworker": make_user(
            "caseworker",
            role=User.Role.CASEWORKER,
            agency=agencies["council"],
            first_name="Casey",
            last_name="Worker",
        ),
        "provider": make_user(
            "provider",
            role=User.Role.PROVIDER,
            agency=agencies["provider"],
            first_name="Pat",
            last_name="Mentor",
        ),
        "police": make_user(
            "police",
            role=User.Role.CASEWORKER,
            agency=agencies["police"],
            first_name="Dana",
            last_name="Constable",
        ),
    }
    return users


# ---------------------------------------------------------------- typing


def fill_date(page: Page, name: str, value: dt.date | None, *, month_only: bool = False) -> None:
    """A GOV.UK date input by its field name (boxes <name>_0, _1, _2: day, month, year)."""
    day = "" if value is None or month_only else str(value.day)
    page.locator(f'[name="{name}_0"]').fill(day)
    page.locator(f'[name="{name}_1"]').fill("" if value is None else str(value.month))
    page.locator(f'[name="{name}_2"]').fill("" if value is None else str(value.year))


def fill(page: Page, name: str, text: str) -> None:
    page.locator(f'[name="{name}"]').fill(text)


def choose(page: Page, group: str, label: str) -> None:
    page.get_by_role("group", name=group).get_by_label(label, exact=True).check()


def field_of(href: str) -> str:
    """The field an error summary link goes to: #id_source, #id_logged_0, #id_status_1."""
    name = href.removeprefix("#id_")
    return re.sub(r"_\d+$", "", name)


class Typist:
    """Types one story into the forms: with or without the logged-on dates of the sources."""

    def __init__(self, page: Page, axe, with_dates: bool, today: dt.date):
        self.page, self.axe = page, axe
        self.with_dates, self.today = with_dates, today

    def logged(self, step: Step) -> None:
        """The "Date it was logged": the source's date, or left at its default (today)."""
        if self.with_dates:
            fill_date(self.page, "logged", step.logged)
        else:
            group = self.page.get_by_role("group", name="Date it was logged")
            expect(group.get_by_label("Day")).to_have_value(str(self.today.day))
            expect(group.get_by_label("Month")).to_have_value(str(self.today.month))
            expect(group.get_by_label("Year")).to_have_value(str(self.today.year))

    def save(
        self, step: Step, button: str, success: str, *, late_reason: str = NO_DATES_REASON, **more
    ) -> None:
        """Submit; answer each question the form comes back with, once; then it is saved.

        What each run must be asked: the source document (with dates: a backfill) or the reason
        for logging late (without: logged today, years after it happened); and anything in
        `more` (field name: answer) the form may ask for too.
        """
        page = self.page
        logged = step.logged if self.with_dates else self.today
        answers = dict(more)
        if self.with_dates:
            answers["source"] = step.source  # the source is typed only when asked for
        if (logged - step.happened).days > 7:
            answers["late_reason"] = late_reason
        for attempt in range(4):
            page.get_by_role("button", name=button, exact=True).click()
            summary = page.locator(".govuk-error-summary")
            banner = page.locator(".govuk-notification-banner--success")
            # The account form's warning when the record says otherwise: not saved until
            # "Save this account as the agency stated it" is ticked, which the error summary
            # lists (after any other problem) as "Tick the box …", linking to the box.
            confirm = page.get_by_label("Save this account as the agency stated it")
            expect(summary.or_(banner).first).to_be_visible()
            if banner.count():
                break
            expect(page).to_have_title(re.compile(r"^Error: "))
            if attempt == 0:
                self.axe(page)  # the form with its error summary: every part of the page
            for link in summary.locator("a").all():
                message = link.inner_text()
                if link.get_attribute("href") == "#confirm-gap":
                    assert "confirm_gap" in answers, f"{button}: unexpected warning: {message}"
                    assert "confirm_gap" not in step.asked, f"{button}: warned twice"
                    assert message.startswith("Tick the box to save this account"), message
                    step.asked.add("confirm_gap")
                    confirm.check()
                    continue
                name = field_of(link.get_attribute("href"))
                assert name in answers, f"{button}: unexpected question {name!r}: {message}"
                assert name not in step.asked, f"{button}: asked twice for {name}: {message}"
                step.asked.add(name)
                if name == "source":
                    assert BACKFILL_ASK in message, message
                if name == "late_reason":
                    assert LATE_ASK in message, message
                fill(page, name, answers[name])
        else:
            pytest.fail(f"{button}: still not saved after four tries")
        expect_success(page, success)
        expected = set(answers)
        assert step.asked == expected, f"{button}: asked for {step.asked}, expected {expected}"


# ---------------------------------------------------------------- reading back


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def fetch_pdf(page: Page, live_server, case: Case) -> tuple[bytes, str]:
    """The case page's "Download chronology (PDF)", as the browser's requests would fetch it:
    follow the waiting page's refreshes until the response is the PDF. The queue's worker
    (`manage.py db_worker`) is not running under the tests: when the waiting page shows, run
    it once in batch mode, as the worker would. Returns the bytes and how they were got."""
    url = f"{live_server.url}/cases/{case.reference}/chronology.pdf"
    response = page.request.get(url)
    ran_worker = False
    for _ in range(8):
        if response.headers.get("content-type", "").startswith("application/pdf"):
            how = "download after the waiting page" if ran_worker else "download"
            return response.body(), how
        body = response.text()
        refresh = re.search(r'http-equiv="refresh" content="\d+; url=([^"]+)"', body)
        assert refresh, f"{response.status} {response.url}: neither a PDF nor a waiting page"
        if "being prepared" in body and not ran_worker:
            call_command("db_worker", "--batch", "--no-startup-delay", "--interval=0")
            ran_worker = True
        response = page.request.get(live_server.url + html.unescape(refresh.group(1)))
    # The download is not ready (the queue is being built): the same document, laid out here.
    return pdf.render_chronology_pdf(case, as_of=timezone.localdate()), "reviews.pdf rendering"


# The story's month-only dates with a day made up for them: the first or the last of the month
# (31 October 2014 and 30 April 2015 are logged-on dates of the story, so they may be shown).
INVENTED = re.compile(
    r"(?<!\d)(?:1 October 2014|1 December 2014|1 April 2015|1 October 2016|31 October 2016)\b"
)


def invented_days(text: str, *, numbered_lines: bool = False) -> list[str]:
    """Each invented day in `text`, with a little of what is around it. `numbered_lines`: the
    PDF's text, whose chronology lines start with the entry's number ("1 October 2014 …" is
    entry 1 of October 2014), so a match at the start of a line is not one."""
    found = []
    for line in text.splitlines() if numbered_lines else [" ".join(text.split())]:
        for match in INVENTED.finditer(line):
            if not (numbered_lines and match.start() == 0):
                found.append(line[max(match.start() - 50, 0) : match.end() + 20])
    return found


def findings_of_page(page: Page) -> list[tuple[str, str]]:
    """(code, the finding's line) of every finding listed on the timeline page."""
    items = page.locator(".app-finding-list li[id^='finding-']")
    found = []
    for index in range(items.count()):
        item = items.nth(index)
        text = " ".join(item.text_content().split())
        assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", text), f"a code on the page: {text}"
        found.append((item.get_attribute("data-code"), text))
    return found


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("with_dates", [True, False], ids=["logged-dates", "logged-today"])
def test_the_published_story_typed_by_hand(live_server, page, axe, cast, with_dates):
    today = timezone.localdate()
    steps = {key: Step(s.happened, s.logged, s.source, s.by) for key, s in STEPS.items()}
    typist = Typist(page, axe, with_dates, today)
    # Gaps in what the timeline, case page and PDF show: reported together at the end, once
    # everything else (the findings above all) is checked.
    problems: list[str] = []

    # -- The caseworker: the referral (the day not known: its box left blank).
    sign_in(page, live_server, cast["caseworker"])
    page.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    fill(page, "person_name", PERSON)
    fill_date(page, "date_of_birth", D(1997, 6, 3))
    page.get_by_label("Referring agency").select_option(label="Northshire Schools")
    fill(page, "referrer_name", "Designated safeguarding lead, Northshire College")
    fill_date(page, "received", D(2014, 10, 1), month_only=True)
    typist.logged(steps["referral"])
    fill(
        page,
        "concerns",
        "College raised concerns about statements in class and extremist material shared online.",
    )
    typist.save(steps["referral"], "Save referral", "Referral saved")
    expect(page.get_by_role("heading", level=1)).to_have_text(PERSON)
    case = Case.objects.get(person__display_name=PERSON)
    expect(page).to_have_url(f"{live_server.url}/cases/{case.reference}/")

    # -- The panel meeting of 18 November 2014 adopts the case.
    open_case_link(page, "Record a panel meeting")
    fill_date(page, "occurred", D(2014, 11, 18))
    typist.logged(steps["panel"])
    page.get_by_label("Panel", exact=True).select_option(label="Northshire Channel Panel")
    present = page.get_by_role("group", name="Agencies present")
    for name in (
        "Northshire County Council",
        "Northshire Police",
        "Northshire NHS Trust",
        "Northshire Schools",
    ):
        present.get_by_label(name, exact=True).check()
    choose(page, "Risk level", "Medium")
    fill(
        page, "summary", "Panel discussed the referral and adopted the case for mentoring support."
    )
    page.get_by_label("Decision (optional)").select_option(label="Adopt for Channel support")
    fill(page, "rationale", "Vulnerable to radicalisation; consents to support.")
    typist.save(steps["panel"], "Save panel meeting", "Panel meeting saved")

    # -- Brightpath asked by phone in December 2014; sessions planned not known. At 375 px once.
    open_case_link(page, "Commission an intervention provider")
    if with_dates:
        page.set_viewport_size({"width": 375, "height": 812})
    page.get_by_label("Intervention provider").select_option(label="Brightpath Mentoring")
    fill_date(page, "occurred", D(2014, 12, 1), month_only=True)
    typist.logged(steps["commission"])
    choose(page, "How was the provider asked?", "By phone")
    expect(page.locator('[name="sessions_planned"]')).to_have_value("")
    page.get_by_label("Named provider (optional)").select_option(label="Pat Mentor")
    fill(
        page,
        "summary",
        "Brightpath Mentoring asked by phone to mentor; number of sessions not agreed.",
    )
    if with_dates:
        page.screenshot(path=SHOTS.format("commission-375"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the commissioning form is {width} px wide at 375 px"
    typist.save(steps["commission"], "Save", "Intervention provider commissioned")
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(case_row(page, "Intervention provider")).to_have_text(
        "Brightpath Mentoring (Pat Mentor), commissioned December 2014 (by phone)"
    )
    expect(case_row(page, "Sessions")).to_contain_text("number planned not known")
    expect(case_row(page, "Written briefing")).to_have_text("None issued")

    # -- The panel's minutes of 12 March 2015: "still ongoing", a "final visit".
    open_case_link(page, "Record what an agency said or believed")
    page.get_by_label("Agency whose account this is").select_option(
        label="Northshire Channel Panel"
    )
    fill_date(page, "occurred", D(2015, 3, 12))
    typist.logged(steps["panel_account"])
    choose(page, "Where it was said", "Meeting minutes")
    choose(page, "What the agency believed of the intervention (optional)", "Ongoing")
    fill(page, "summary", "Minutes: 'still ongoing with his IP'; a 'final visit' is mentioned.")
    typist.save(steps["panel_account"], "Save account", "Agency account saved", confirm_gap=True)

    # -- The provider records the one session, 17 January 2015 (logged on the 19th).
    switch_user(page, live_server, cast["provider"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cases")
    page.get_by_role("link", name=f"Record a session for {case.reference}").click()
    fill_date(page, "occurred", D(2015, 1, 17))
    choose(page, "What happened", "Held")
    typist.logged(steps["session"])
    fill(page, "summary", "First and only mentoring session held.")
    typist.save(steps["session"], "Save session", "Session saved")

    # -- The police record their own email of 9 April 2015 (present at the panel: on the case).
    switch_user(page, live_server, cast["police"])
    page.get_by_role("link", name="All cases I can see").click()
    page.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PERSON)
    open_case_link(page, "Record what an agency said or believed")
    page.get_by_label("Agency whose account this is").select_option(label="Northshire Police")
    fill_date(page, "occurred", D(2015, 4, 9))
    typist.logged(steps["police_account"])
    choose(page, "Where it was said", "Email")
    choose(page, "What the agency believed of the intervention (optional)", "Ongoing")
    fill(page, "summary", "Police email asks the provider how many sessions remain.")
    typist.save(steps["police_account"], "Save account", "Agency account saved", confirm_gap=True)

    # -- The caseworker exits the case in April 2015 (asked for a reason to exit anyway).
    switch_user(page, live_server, cast["caseworker"])
    page.get_by_role("link", name=case.reference, exact=True).click()
    open_case_link(page, "Exit the case from Channel")
    fill_date(page, "occurred", D(2015, 4, 1), month_only=True)
    typist.logged(steps["exit"])
    page.get_by_label("Exiting panel").select_option(label="Northshire Channel Panel")
    choose(page, "Risk at exit", "Very low")
    fill(page, "summary", "Case exited from Channel as very low risk.")
    fill(page, "rationale", "Panel satisfied that risk had reduced.")
    typist.save(
        steps["exit"],
        "Exit case",
        "Case exited",
        gate_override_reason="Exited on the panel's judgement; no provider report requested.",
    )

    # -- No 6-month review. The 12-month review: October 2016, logged 4 December 2016.
    page.get_by_role("link", name="Record the 12-month review").click()
    fill_date(page, "conducted", D(2016, 10, 1), month_only=True)
    typist.logged(steps["review"])
    fill(page, "summary", "12-month review: no further concerns reported.")
    # Late "due to an IT issue" in both runs: the story's own reason for this one.
    typist.save(steps["review"], "Save review", "Review recorded", late_reason="IT issue")

    # -- The case list: the month, never an invented day.
    page.get_by_role("link", name="Back to my cases").click()
    page.get_by_role("link", name="All cases I can see").click()
    row = page.get_by_role("row").filter(has_text=case.reference)
    expect(row).to_contain_text("October 2014")
    assert "1 October 2014" not in row.inner_text()

    # -- The referral's change form: the day box stays empty.
    row.get_by_role("link", name=case.reference).click()
    record = page.locator(".app-record").filter(has_text="Referral – October 2014")
    expect(record).to_have_count(1)
    record.get_by_role("link", name=re.compile(r"^Change")).click()
    expect(page.locator('[name="occurred_on_0"]')).to_have_value("")
    expect(page.locator('[name="occurred_on_1"]')).to_have_value("10")
    expect(page.locator('[name="occurred_on_2"]')).to_have_value("2014")
    axe(page)
    page.get_by_role("link", name="Cancel").click()

    # -- The case page: each backfilled entry says when, by whom and from what it was typed in.
    records = page.locator(".app-record")
    if with_dates:
        expect(records).to_have_count(len(ENTRY_TYPES))  # the adoption is an entry of its own
        seen = 0
        for step in steps.values():
            for record in records.filter(has_text=step.source).all():
                expect(record).to_contain_text(
                    f"Logged {uk(step.logged)}. Entered into casereview on {uk(today)} "
                    f"by {step.by}, from {step.source}"
                )
                seen += 1
        assert seen == len(ENTRY_TYPES)
    else:
        expect(page.get_by_text("Entered into casereview")).to_have_count(0)

    if invented := invented_days(page.locator("main").inner_text()):
        problems.append(f"The case page gives month-only dates a day: {invented}")

    # -- The timeline: exactly the story's findings.
    page.get_by_role("link", name=re.compile(r"^Timeline")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    timeline_url = page.url  # axe runs on it last, after everything else is checked
    for details in page.locator(".app-finding-list details").all():
        details.locator("summary").click()  # open the grouped findings for the screenshot
    page.screenshot(
        path=SHOTS.format("timeline-" + ("logged-dates" if with_dates else "logged-today")),
        full_page=True,
    )
    expected = STORY_FINDINGS + (
        [LOGGED_LATE_IT_ISSUE]
        if with_dates
        else [("LOGGED_LATE", today.isoformat(), None)] * len(ENTRY_TYPES)
    )
    codes = Counter(code for code, _, _ in expected)
    if invented := invented_days(page.locator("main").inner_text()):
        problems.append(f"The timeline gives month-only dates a day: {invented}")
    on_page = findings_of_page(page)
    assert Counter(code for code, _ in on_page) == codes, on_page
    expect(page.get_by_role("heading", name=f"Findings ({len(expected)})")).to_be_visible()
    lines = [line for _, line in on_page]
    assert any("12 March 2015, Northshire Channel Panel" in line for line in lines), lines
    assert any("9 April 2015, Northshire Police" in line for line in lines), lines
    assert any("Logged late" in line and "IT issue" in line for line in lines), lines
    if with_dates:
        # The entries typed in years after the agencies logged them say so here too.
        timeline_text = page.locator(".app-timeline").inner_text()
        missing = [
            step.source
            for step in steps.values()
            if f"Entered into casereview on {uk(today)} by {step.by}, from {step.source}"
            not in timeline_text
        ]
        if missing:
            problems.append(
                f"The timeline's records do not say 'Entered into casereview on {uk(today)} by …, "
                f"from …' for the entries from: {'; '.join(missing)}"
            )

    # -- timeline.json: the same findings.
    data = page.request.get(f"{live_server.url}/cases/{case.reference}/timeline.json").json()
    assert [e["entry_type"] for e in data["entries"]] == ENTRY_TYPES
    found = [(f["code"], f["date"], f["agency"]) for f in data["findings"]]
    if with_dates:
        assert found == expected
        assert all(e["logged_on"] != today.isoformat() for e in data["entries"])
    else:
        assert [f for f in found if f[0] != "LOGGED_LATE"] == STORY_FINDINGS
        assert [f[:2] for f in found if f[0] == "LOGGED_LATE"] == [
            ("LOGGED_LATE", today.isoformat())
        ] * len(ENTRY_TYPES)
        # One LOGGED_LATE on each entry.
        for entry in data["entries"]:
            assert entry["findings"].count("LOGGED_LATE") == 1, entry
    late = [f for f in data["findings"] if f["code"] == "LOGGED_LATE"]
    assert any("IT issue" in f["message"] for f in late), late

    # -- The PDF: the same findings.
    content, how = fetch_pdf(page, live_server, case)
    print(f"PDF fetched by: {how}")
    with open(f"/tmp/story-{'logged-dates' if with_dates else 'logged-today'}.pdf", "wb") as out:
        out.write(content)
    text = pdf_text(content)
    section = text[text.index("2. Findings") : text.index("3. ")]
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", section), "codes are for files, not the PDF"
    by_label = {label: code for code, label in FindingCode.choices}
    rows = [
        by_label[label]
        for line in section.splitlines()
        for label in by_label
        if re.match(rf"\d+ {re.escape(label)} ", line)
    ]
    assert Counter(rows) == codes, section
    assert "IT issue" in section or "IT\nissue" in section
    flat = " ".join(text.split())
    if with_dates:
        missing = [
            step.source
            for step in steps.values()
            if f"Entered into casereview on {uk(today)} by {step.by}, from {step.source}"
            not in flat
        ]
        if missing:
            problems.append(
                f"The PDF does not say 'Entered into casereview on {uk(today)} by …, from …' "
                f"for the entries from: {'; '.join(missing)}"
            )
    invented = invented_days(text, numbered_lines=True)
    if invented:
        problems.append(f"The PDF gives month-only dates a day: {invented}")

    # -- Last, axe on the timeline page (the forms were checked as they were filled).
    page.goto(timeline_url)
    try:
        axe(page)
    except pytest.fail.Exception as failure:
        problems.append(str(failure))
    assert not problems, "\n".join(problems)


def case_row(page: Page, key: str):
    return (
        page.locator(".govuk-summary-list__row")
        .filter(has=page.locator(".govuk-summary-list__key", has_text=re.compile(f"^{key}$")))
        .locator(".govuk-summary-list__value")
    )


def switch_user(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user)
