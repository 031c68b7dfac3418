"""The drawn timeline (issue 16) of the demo failure case, in real Chromium at 1280 and 375 px.

Saves docs/screenshots/timeline-1280.png (shown at the top of the README) and
timeline-375.png. On a phone only the drawing scrolls sideways, inside its own labelled,
focusable region; the chronology below it is one column of cards.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import Case, User
from reviews.chronology.query import entries_for_case
from reviews.chronology.timeline import timeline_data
from reviews.sampledata.demo import FAILURE_REF, load_demo
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def caseworker():
    load_demo(today=timezone.localdate())
    return User.objects.get(username="caseworker")


def page_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_the_drawing_at_desktop_and_phone_width(live_server, page, axe, caseworker):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, caseworker)
    page.goto(f"{live_server.url}/cases/{FAILURE_REF}/timeline/")
    case = Case.objects.get(reference=FAILURE_REF)
    region = page.get_by_role("region", name="The case on a time axis (scrolls sideways)")
    expect(region).to_have_attribute("tabindex", "0")
    drawing = region.locator("svg[role=graphics-document]")
    expect(drawing).to_have_accessible_name(
        re.compile(rf"^Timeline of {FAILURE_REF} on a time axis, as known on \d+ \w+ \d{{4}}$")
    )
    description = drawing.get_attribute("aria-describedby")
    assert "session recorded as held" in page.locator(f"#{description}").text_content()
    # The story at a glance: what each agency believed, against the record; the missed review.
    for comparison in timeline_data(entries_for_case(case), as_of=timezone.localdate()).comparisons:
        expect(
            drawing.locator(f'a[href="#entry-{comparison.row.number}"].tl-belief')
        ).to_be_visible()
    expect(drawing.locator("text", has_text="ongoing").first).to_be_visible()
    expect(drawing.locator("text", has_text="6-month review missed")).to_be_visible()
    # A mark is a link to its entry in the chronology below.
    drawing.locator("a.tl-held").first.click()
    expect(page).to_have_url(f"{live_server.url}/cases/{FAILURE_REF}/timeline/#entry-5")
    assert page_overflow(page) <= 0
    axe(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/cases/{FAILURE_REF}/timeline/")
    page.screenshot(path=str(SHOTS / "timeline-1280.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page_overflow(page) <= 0, "the page scrolls sideways on a phone"
    scrolls = region.evaluate("r => r.scrollWidth - r.clientWidth")
    assert scrolls > 0  # the drawing keeps its size and scrolls in its region
    # The chronology is single-column cards: each card as wide as the page, none side by side.
    cards = page.locator(".app-timeline__row:not(.app-timeline__row--head)")
    assert cards.count() >= 9
    lefts = {round(box["x"]) for box in (c.bounding_box() for c in cards.all())}
    assert len(lefts) == 1
    expect(page.locator(".app-timeline__row--head")).to_be_hidden()
    widths = [c.bounding_box()["width"] for c in page.locator(".app-timeline__card").all()]
    assert min(widths) > 300  # not a sliver of a lane, where words broke every few letters
    axe(page)
    page.screenshot(path=str(SHOTS / "timeline-375.png"), full_page=True)
    region.focus()  # a keyboard reaches the region and scrolls it
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    for _ in range(40):  # arrow keys scroll smoothly: give it up to 2 s
        if region.evaluate("r => r.scrollLeft") > 0:
            break
        page.wait_for_timeout(50)
    assert region.evaluate("r => r.scrollLeft") > 0
