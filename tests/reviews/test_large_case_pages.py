"""A large case's pages do bounded work: the case page and the timeline's chronology are paged.

Issue 13: a 100,000-entry case made an 81 MB case page. The case page shows a page of its
records, newest first, and says how many there are; the timeline's chronology is paged
with the GOV.UK pagination component, keeping the as-of, agency and type filters, while the
findings are still computed over every entry and link to the page that holds each entry.
The exports (JSON, CSV) stay complete. Page sizes are set small here instead of making
tens of thousands of entries.
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Case
from reviews.chronology.csv_format import import_chronology
from reviews.chronology.findings import compute_findings
from reviews.chronology.query import entries_for_case
from reviews.views.timeline import ABOUT_LINKS
from tests import factories
from tests.reviews.test_chronology_csv import FAILURE, HEADER

pytestmark = pytest.mark.django_db

EXTRA = 2000  # entries after the failure pattern's ten
LATE_EVERY = 200  # one in this many is logged a month late (a LOGGED_LATE finding each)


def _rows() -> str:
    start = dt.date(2015, 8, 1)
    lines = []
    for i in range(EXTRA):
        day = start + dt.timedelta(days=i)  # one a day: newest first is by record number
        logged = day + dt.timedelta(days=30) if i % LATE_EVERY == 0 else day
        agency = ("Police", "Local authority", "Channel panel")[i % 3]
        kind = "contact" if i % 2 else "note"
        lines.append(
            f"CR-T-1,,{agency},{kind},{day},{logged},Record {i + 1:04d} of the long case,"
            f"file {i + 1},,,,,{'Backlog' if logged != day else ''}\n"
        )
    return "".join(lines)


@pytest.fixture
def caseworker():
    return factories.user("caseworker", agency_=factories.agency("Local authority"))


@pytest.fixture
def case(caseworker):
    data = (FAILURE + _rows()).encode()
    import_chronology([("long.csv", data)], user=caseworker, owner=caseworker, trusted=True)
    return Case.objects.get(reference="CR-T-1")


def _timeline(client, case, **params):
    return client.get(reverse("reviews:timeline", args=[case.reference]), params)


def _entry_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="app-timeline__row" id="entry-(\d+)"', html)]


def _pagination_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="govuk-pagination".*?</nav>', html, re.S)
    assert nav, "no pagination on the page"
    return re.findall(r'href="([^"]+)"', nav.group(0))


def test_case_page_shows_one_page_of_records_newest_first(client, caseworker, case, settings):
    settings.CASE_PAGE_ROWS = 25
    client.force_login(caseworker)
    total = len(entries_for_case(case, include_void=True, viewer=caseworker))
    assert total == EXTRA + 10

    first = client.get(reverse("reviews:case", args=[case.reference]))
    html = first.content.decode()
    assert html.count('<div class="app-record') == 25
    assert "Record 2000 of the long case" in html  # the newest
    assert "Record 1975 of the long case" not in html  # the 26th newest is on page 2
    assert f"Showing records 1 to 25 of {total:,}, newest first" in html
    assert f'href="{reverse("reviews:timeline", args=[case.reference])}"' in html
    assert any("page=2" in link for link in _pagination_links(html))
    # The findings count on the case page is still over every entry.
    findings = compute_findings(entries_for_case(case), as_of=timezone.localdate())
    assert f"{len(findings)} findings on this case" in html

    second = client.get(reverse("reviews:case", args=[case.reference]), {"page": 2})
    html = second.content.decode()
    assert html.count('<div class="app-record') == 25
    assert "Record 1975 of the long case" in html and "Record 2000 of" not in html
    assert f"Showing records 26 to 50 of {total:,}, newest first" in html

    last = client.get(reverse("reviews:case", args=[case.reference]), {"page": 999})
    html = last.content.decode()  # past the end: the last page, as the case list does
    assert html.count('<div class="app-record') == (total % 25 or 25)
    assert "Referred by police" in html  # the oldest entry


def test_case_page_bounds_its_other_lists_too(client, caseworker, settings):
    """Sessions arranged, follow-up reviews and panel actions show at most a page's worth,
    the soonest sessions and the open actions first, saying how many there are."""
    from referrals.models import Agency
    from reviews import services as panel

    import_chronology(
        [("f.csv", FAILURE.encode())], user=caseworker, owner=caseworker, trusted=True
    )
    case = Case.objects.get(reference="CR-T-1")
    today = timezone.localdate()
    provider = Agency.objects.get(name="Intervention provider")
    for days in (30, 10, 20):
        panel.plan_session(
            case=case,
            user=caseworker,
            agency=provider,
            occurred_on=today + dt.timedelta(days=days),
            summary=f"Session in {days} days",
        )
    done = panel.add_panel_action(
        case=case, user=caseworker, description="Done first", owner=caseworker, due_on=today
    )
    panel.complete_action(action=done, user=caseworker, completed_on=today)
    for n in (1, 2):
        panel.add_panel_action(
            case=case, user=caseworker, description=f"Open {n}", owner=caseworker, due_on=today
        )
    settings.CASE_PAGE_ROWS = 2
    client.force_login(caseworker)
    html = client.get(reverse("reviews:case", args=[case.reference])).content.decode()
    arranged = re.search(r"Sessions arranged</h2>.*?</ul>", html, re.S).group(0)
    assert "Showing the 2 soonest of 3 sessions arranged" in arranged
    assert re.findall(r"Session in \d+ days", arranged) == [
        "Session in 10 days",
        "Session in 20 days",
    ]
    assert "3 arranged" in html  # the summary still counts every one
    actions = re.search(r"Panel actions.*?</table>", html, re.S).group(0)
    assert "Showing 2 of 3, open ones first" in actions
    assert "Open 1" in actions and "Open 2" in actions and "Done first" not in actions

    settings.CASE_PAGE_ROWS = 1
    html = client.get(reverse("reviews:case", args=[case.reference])).content.decode()
    reviews = re.search(r"Follow-up reviews.*?</table>", html, re.S).group(0)
    assert "Showing the latest 1 of 2" in reviews
    assert reviews.count('<th scope="row"') == 1


def test_timeline_pages_the_chronology_and_lists_every_finding(client, caseworker, case, settings):
    settings.TIMELINE_PAGE_ROWS = 100
    client.force_login(caseworker)
    entries = entries_for_case(case, viewer=caseworker)
    findings = compute_findings(entries, as_of=timezone.localdate())
    assert len(findings) > 10  # the failure pattern's and the late entries'

    page = _timeline(client, case)
    html = page.content.decode()
    assert _entry_ids(html) == list(range(1, 101))
    assert f"Records in date order ({len(entries):,})" in html
    assert f"Showing records 1 to 100 of {len(entries):,}" in html
    # Every finding is listed, whichever page of the chronology is shown.
    assert f"Findings ({len(findings)})" in html
    assert html.count('<li id="finding-') == len(findings)
    for finding in findings:
        assert finding.code in html

    third = _timeline(client, case, page=3).content.decode()
    assert _entry_ids(third) == list(range(201, 301))
    assert third.count('<li id="finding-') == len(findings)
    last_page = -(-len(entries) // 100)
    last = _timeline(client, case, page=last_page).content.decode()
    assert _entry_ids(last) == list(range((last_page - 1) * 100 + 1, len(entries) + 1))


def test_finding_links_go_to_the_page_holding_the_entry(client, caseworker, case, settings):
    settings.TIMELINE_PAGE_ROWS = 100
    client.force_login(caseworker)
    html = _timeline(client, case, page=2).content.decode()
    links = re.findall(r'href="([^"]*#entry-(\d+))"', html)
    assert links
    for href, number in links:
        number = int(number)
        page = (number - 1) // 100 + 1
        if page == 2:
            assert href == f"#entry-{number}", href
        else:
            query = parse_qs(urlsplit(href).query)
            assert query["page"] == [str(page)], href
    # The late entries' findings point past page 1 (the first late record is entry 11 or so,
    # the last one far down the chronology).
    assert any(int(n) > 200 for _, n in links)


def test_page_links_keep_the_filters(client, caseworker, case, settings):
    settings.TIMELINE_PAGE_ROWS = 50
    client.force_login(caseworker)
    page = _timeline(client, case, agency="Police", type="note", as_of="2030-01-01", page=2)
    html = page.content.decode()
    rows = page.context["page_obj"].object_list
    assert len(rows) == 50
    assert {(r.entry.agency, r.entry.entry_type) for r in rows} == {("Police", "note")}
    police_notes = [
        e for e in entries_for_case(case) if (e.agency, e.entry_type) == ("Police", "note")
    ]
    assert f"Records in date order ({len(police_notes):,})" in html
    links = _pagination_links(html)
    assert links
    for link in links:
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query["agency"] == ["Police"] and query["type"] == ["note"], link
        assert query["as_of"] == ["2030-01-01"], link
    numbers = {parse_qs(urlsplit(link.replace("&amp;", "&")).query)["page"][0] for link in links}
    assert {"1", "3"} <= numbers  # previous and next
    # The filter narrows the records, never the findings.
    assert page.context["timeline"].findings
    assert html.count('<li id="finding-') == len(page.context["timeline"].findings)


def test_findings_comparisons_and_links_are_bounded_too(client, caseworker, case, settings):
    """More findings than a page holds: the page lists the earliest, counts every one by kind."""
    settings.TIMELINE_PAGE_ROWS = 5
    client.force_login(caseworker)
    findings = compute_findings(entries_for_case(case), as_of=timezone.localdate())
    html = _timeline(client, case).content.decode()
    assert html.count('<li id="finding-') == 5
    assert f"Findings ({len(findings)})" in html
    assert f"Showing the first 5 of {len(findings)} findings" in html
    late = sum(1 for f in findings if f.code == "LOGGED_LATE")
    assert f"Logged late: {late}" in html
    assert len(_entry_ids(html)) == 5

    settings.TIMELINE_PAGE_ROWS = 1
    html = _timeline(client, case).content.decode()
    assert html.count('<tr class="govuk-table__row app-mismatch">') == 1
    assert "Showing the first 1 of 2 agency accounts" in html


def test_a_finding_about_many_entries_links_the_first_few(client, caseworker, settings):
    """A belief finding is about the account and every session before it: hundreds on a large
    case, so each finding links a few entries and counts the rest."""
    sessions = "".join(
        f"CR-T-2,,Intervention provider,session_held,2016-01-{day:02d},,Session {day},notes,,,,,\n"
        for day in range(1, 26)
    )
    data = (
        HEADER
        + "CR-T-2,Ellis Norbury,Police,referral,2015-12-01,,Referred,form,,,,,\n"
        + "CR-T-2,,Intervention provider,briefing_issued,2015-12-20,,Briefing,doc,,,,,\n"
        + sessions
        + "CR-T-2,,Police,agency_account,2016-02-01,,Sessions so far?,email,40,,,,\n"
    ).encode()
    import_chronology([("many.csv", data)], user=caseworker, owner=caseworker, trusted=True)
    client.force_login(caseworker)
    html = client.get(reverse("reviews:timeline", args=["CR-T-2"])).content.decode()
    finding = re.search(r'<li id="finding-1"[^>]*>.*?</li>', html, re.S).group(0)
    assert "BELIEF_EXCEEDS_RECORD" in finding
    assert len(re.findall(r"#entry-\d+", finding)) == ABOUT_LINKS
    assert f"and {26 - ABOUT_LINKS} more" in finding


def test_exports_stay_complete(client, caseworker, case, settings):
    settings.TIMELINE_PAGE_ROWS = 10
    client.force_login(caseworker)
    total = len(entries_for_case(case, viewer=caseworker))
    document = client.get(reverse("reviews:timeline-json", args=[case.reference])).json()
    assert len(document["entries"]) == total
    csv = client.get(reverse("reviews:chronology-csv", args=[case.reference])).content.decode()
    assert len(csv.splitlines()) == total + 1
