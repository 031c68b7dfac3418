"""The timeline drawn on a time axis (issue 16), read back out of the SVG as XML.

Positions are checked against the drawing's own axis: the x of two year ticks gives the
pixels per day, the panel's count labels give the height of one session. So the tests say
what a reader of the picture would see, not what the geometry code meant.
"""

import datetime as dt
import re
import time
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from casereview.timerules import TimeRules
from referrals.models import Case
from reviews.chronology.csv_format import import_chronology
from reviews.chronology.drawing import build_drawing
from reviews.chronology.entries import Entry, sort_key
from reviews.chronology.query import entries_for_case
from reviews.chronology.svg import render_svg
from reviews.chronology.timeline import finding_groups, timeline_data
from tests import factories
from tests.reviews.test_chronology_csv import FAILURE, HEADER

D = dt.date
SVG = "{http://www.w3.org/2000/svg}"
AS_OF = D(2026, 1, 1)
RULES = TimeRules()  # the defaults: 14 days' grace, late after 7 days


# ---------------------------------------------------------------- reading the picture


def render(drawing) -> str:
    """The SVG as the page and the PDF write it (from `as_json`)."""
    return render_svg(drawing.as_json())


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def group(root: ET.Element, name: str) -> ET.Element:
    return next(g for g in root.iter(f"{SVG}g") if g.get("class") == name)


def links(node: ET.Element, css: str = "tl-mark") -> dict[int, ET.Element]:
    """Each mark (of class `css`) that links to an entry, by entry number."""
    found = {}
    for a in node.iter(f"{SVG}a"):
        match = re.fullmatch(r"#entry-(\d+)", a.get("href", ""))
        if match and css in a.get("class", "").split():
            found.setdefault(int(match.group(1)), a)
    return found


class Axis:
    """Dates to x, from the labels of the drawing's ticks: a reader's ruler."""

    MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    def __init__(self, root: ET.Element):
        known: list[tuple[dt.date, float]] = []
        year = None
        for t in group(root, "tl-axis").iter(f"{SVG}text"):
            label, x = t.text or "", float(t.get("x"))
            if match := re.fullmatch(r"(?:(\w{3}) )?(\d{4})", label):
                year = int(match.group(2))
                month = self.MONTHS.index(match.group(1)) + 1 if match.group(1) else 1
            elif label in self.MONTHS and year is not None:
                month = self.MONTHS.index(label) + 1
                if known and month < known[-1][0].month:
                    year += 1
            else:
                continue  # an initial ("J") says too little
            known.append((D(year, month, 1), x))
        (d1, x1), (d2, x2) = known[0], known[-1]
        self.origin, self.x0 = d1, x1
        self.per_day = (x2 - x1) / (d2 - d1).days

    def x(self, day: dt.date) -> float:
        return self.x0 + (day - self.origin).days * self.per_day


def late_lines(root: ET.Element) -> list[tuple[float, float]]:
    """(from x, to x) of each thin line of a late entry."""
    path = group(root, "tl-late-lines").find(f"{SVG}path")
    if path is None:
        return []
    return [
        (float(a), float(b)) for a, b in re.findall(r"M([\d.]+),[\d.]+ H([\d.]+)", path.get("d"))
    ]


class Counts:
    """Numbers of sessions to y, from the panel's labelled heights."""

    def __init__(self, root: ET.Element):
        ticks = {
            int(t.text): float(t.get("y")) - 4
            for t in group(root, "tl-record").iter(f"{SVG}text")
            if t.text and t.text.isdigit()
        }
        (c1, y1), (c2, y2) = min(ticks.items()), max(ticks.items())
        self.y0, self.per_session = y1, (y2 - y1) / (c2 - c1)

    def y(self, count: float) -> float:
        return self.y0 + count * self.per_session

    def count(self, y: float) -> float:
        return (y - self.y0) / self.per_session


def point_x(a: ET.Element) -> float:
    return float(a.find(f"{SVG}use").get("x"))


def rect(a: ET.Element) -> tuple[float, float]:
    """(x, width) of a mark's rectangle."""
    r = a.find(f"{SVG}rect")
    return float(r.get("x")), float(r.get("width"))


# ---------------------------------------------------------------- cases


def drawing_of(entries: list[Entry], as_of: dt.date, **kwargs):
    timeline = timeline_data(sorted(entries, key=sort_key), as_of=as_of)
    return timeline, build_drawing(timeline, rules=RULES, **kwargs)


def entry(agency, entry_type, occurred, logged=None, key="", **kwargs) -> Entry:
    return Entry(
        case_ref="CR-D-1",
        agency=agency,
        entry_type=entry_type,
        occurred_on=occurred,
        logged_on=logged or occurred,
        summary=kwargs.pop("summary", f"{entry_type} on {occurred}"),
        record_key=key or f"{entry_type}:{occurred}:{agency}",
        **kwargs,
    )


@pytest.fixture
def failure(db):
    """The published failure pattern (tests/reviews/test_chronology_csv.py), imported."""
    owner = factories.user("caseworker", agency_=factories.agency("Local authority"))
    import_chronology([("failure.csv", FAILURE.encode())], user=owner, owner=owner, trusted=True)
    case = Case.objects.get(reference="CR-T-1")
    return case, entries_for_case(case)


def failure_drawing(failure, as_of=AS_OF):
    case, entries = failure
    timeline = timeline_data(entries, as_of=as_of)
    drawing = build_drawing(timeline, rules=RULES, case_ref=case.reference)
    return timeline, parse(render(drawing))


# ---------------------------------------------------------------- the tests


def test_each_mark_sits_at_its_date_in_proportion(failure):
    timeline, root = failure_drawing(failure)
    axis = Axis(root)
    rows = {row.number: row for row in timeline.rows}
    marks = {**links(group(root, "tl-lanes")), **links(group(root, "tl-reviews"))}
    points = {n: a for n, a in marks.items() if not rows[n].entry.month_only}
    assert len(points) == 9  # every entry but the month-only account is a point
    for number, a in points.items():
        day = rows[number].entry.date
        assert abs(point_x(a) - axis.x(day)) <= 1, (number, day, point_x(a), axis.x(day))
    by_date = sorted(points, key=lambda n: rows[n].entry.date)
    xs = [point_x(points[n]) for n in by_date]
    assert xs == sorted(xs)
    # The late-logged review: a thin line from when it happened to when it was logged.
    ((x1, x2),) = late_lines(root)
    assert abs(x1 - axis.x(D(2017, 1, 10))) <= 1 and abs(x2 - axis.x(D(2017, 3, 20))) <= 1


def test_month_only_entry_is_a_span_over_its_month(failure):
    timeline, root = failure_drawing(failure)
    axis = Axis(root)
    (number,) = [r.number for r in timeline.rows if r.entry.month_only]
    a = links(group(root, "tl-lanes"))[number]
    x, width = rect(a)
    assert abs(x - axis.x(D(2015, 5, 1))) <= 1
    assert abs(x + width - axis.x(D(2015, 6, 1))) <= 1  # to the next month's first day
    assert "May 2015" in a.find(f"{SVG}title").text
    # In the panel too it spans the month, its speech mark in the middle, not on a day.
    belief = links(group(root, "tl-record"), "tl-belief")[number]
    bar = belief.find(f"{SVG}path").get("d")
    left, span = (float(v) for v in re.match(r"M([\d.]+),[\d.]+ h([\d.]+)", bar).groups())
    assert abs(left - axis.x(D(2015, 5, 1))) <= 1 and abs(span - 31 * axis.per_day) <= 1


def test_step_line_heights_are_the_sessions_recorded_as_held(db):
    held = [D(2016, 3, 1), D(2016, 3, 15), D(2016, 3, 15), D(2016, 5, 2)]
    entries = [entry("Police", "referral", D(2016, 1, 4))]
    entries += [entry("Provider", "session_held", day, key=f"s:{i}") for i, day in enumerate(held)]
    entries.append(entry("Provider", "session_cancelled", D(2016, 4, 1), key="c"))
    entries.append(entry("Police", "agency_account", D(2016, 6, 1), sessions_believed=7))
    _, drawing = drawing_of(entries, D(2016, 9, 1))
    root = parse(render(drawing))
    axis, counts = Axis(root), Counts(root)
    points = [
        tuple(float(v) for v in p.split(","))
        for p in group(root, "tl-record").find(f"{SVG}polyline").get("points").split()
    ]

    def height_at(day: dt.date) -> float:
        x = axis.x(day)
        return counts.count([y for px, y in points if px <= x + 0.05][-1])

    for day, expected in [
        (D(2016, 2, 1), 0),
        (D(2016, 3, 1), 1),
        (D(2016, 3, 14), 1),
        (D(2016, 3, 15), 3),
        (D(2016, 4, 1), 3),  # a cancelled session is not held
        (D(2016, 5, 2), 4),
        (D(2016, 8, 31), 4),
    ]:
        assert abs(height_at(day) - expected) < 0.05, (day, height_at(day))
    assert abs(points[-1][0] - axis.x(D(2016, 9, 1))) <= 1  # drawn up to the as-of day


def test_every_believed_count_is_at_its_date_and_height(failure):
    timeline, root = failure_drawing(failure)
    axis, counts = Axis(root), Counts(root)
    beliefs = links(group(root, "tl-record"), "tl-belief")
    assert set(beliefs) == {c.row.number for c in timeline.comparisons}
    for comparison in timeline.comparisons:
        entry_ = comparison.row.entry
        a = beliefs[comparison.row.number]
        speech = a.find(f"{SVG}use")
        x, y = float(speech.get("x")), float(speech.get("y"))
        believed = entry_.sessions_believed
        height = believed if believed is not None else comparison.held_by_then
        assert abs(counts.count(y) - height) < 0.05
        if entry_.month_only:
            assert axis.x(D(2015, 5, 1)) < x < axis.x(D(2015, 6, 1))
        else:
            assert abs(x - axis.x(entry_.date)) <= 1
        label = "".join(t.text for t in a.iter(f"{SVG}text"))
        assert (f"{believed} sessions" if believed is not None else "ongoing") in label
    # Police believed 4 with 1 recorded: the gap between them is shaded and says so.
    police = beliefs[
        next(c.row.number for c in timeline.comparisons if c.row.entry.agency == "Police")
    ]
    gap = next(r for r in police.iter(f"{SVG}rect") if r.get("class") == "tl-gap")
    top, bottom = float(gap.get("y")), float(gap.get("y")) + float(gap.get("height"))
    assert abs(counts.count(top) - 4) < 0.05 and abs(counts.count(bottom) - 1) < 0.05
    assert "3 not in the record" in "".join(police.itertext())


def test_review_bands_start_and_end_where_the_rules_say(failure):
    _, root = failure_drawing(failure)
    axis = Axis(root)
    as_of_x = float(group(root, "tl-as-of").find(f"{SVG}line").get("x1"))
    bands = {}
    for a in group(root, "tl-reviews").iter(f"{SVG}a"):
        kind = a.get("class").split()[-1]
        bands.setdefault(kind, []).append(a)
    # Exited 14 July 2015: the 6-month review due 14 January 2016, 14 days' grace, missed.
    six, twelve = (rect(a) for a in bands["tl-window"])
    assert abs(six[0] - axis.x(D(2016, 1, 14))) <= 1
    assert abs(six[0] + six[1] - axis.x(D(2016, 1, 28))) <= 1
    ((missed_x, missed_w),) = [rect(a) for a in bands["tl-missed"]]
    assert abs(missed_x - axis.x(D(2016, 1, 28))) <= 1
    assert abs(missed_x + missed_w - as_of_x) <= 1  # to the as-of day
    # The 12-month review due 14 July 2016 was held 10 January 2017: an arrow from due to held.
    assert abs(twelve[0] - axis.x(D(2016, 7, 14))) <= 1
    ((arrow,),) = [list(a.iter(f"{SVG}line")) for a in bands["tl-late-arrow"]]
    assert abs(float(arrow.get("x1")) - axis.x(D(2016, 7, 14))) <= 1
    assert abs(float(arrow.get("x2")) - axis.x(D(2017, 1, 10))) <= 1


def test_a_review_on_time_has_no_arrow_and_a_re_exit_restarts_the_schedule(db):
    entries = [
        entry("Police", "referral", D(2015, 1, 5)),
        entry("Panel", "case_exited", D(2015, 3, 2), key="exit-1"),
        entry("Council", "review_conducted", D(2015, 9, 8), review_kind="6_month", key="r6"),
        entry("Panel", "case_exited", D(2015, 11, 2), key="exit-2"),
    ]
    _, drawing = drawing_of(entries, D(2016, 8, 1))
    root = parse(render(drawing))
    axis = Axis(root)
    kinds = [a.get("class").split()[-1] for a in group(root, "tl-reviews").iter(f"{SVG}a")]
    assert "tl-late-arrow" not in kinds
    windows = [
        rect(a)
        for a in group(root, "tl-reviews").iter(f"{SVG}a")
        if a.get("class").endswith("tl-window")
    ]
    # The first exit's 6-month review (held on time); its 12-month one was due after the
    # second exit, which restarted the schedule: 6 months (2 May 2016, missed by 1 August)
    # and 12 months (2 November 2016, still to come) from 2 November 2015.
    starts = sorted(round(x) for x, _ in windows)
    assert starts == sorted(
        round(axis.x(day)) for day in (D(2015, 9, 2), D(2016, 5, 2), D(2016, 11, 2))
    )
    ((missed_x, missed_w),) = [
        rect(a)
        for a in group(root, "tl-reviews").iter(f"{SVG}a")
        if a.get("class").endswith("tl-missed")
    ]
    assert abs(missed_x - axis.x(D(2016, 5, 16))) <= 1
    assert abs(missed_x + missed_w - axis.x(D(2016, 8, 1))) <= 1


def test_as_of_hides_entries_logged_after_it(failure):
    _, root = failure_drawing(failure, as_of=D(2016, 6, 1))
    axis = Axis(root)
    svg = ET.tostring(root, encoding="unicode")
    assert "Review conducted" not in svg  # the 12-month review, logged 20 March 2017
    marks = {**links(group(root, "tl-lanes")), **links(group(root, "tl-reviews"))}
    assert len(marks) == 9
    as_of_x = float(group(root, "tl-as-of").find(f"{SVG}line").get("x1"))
    assert abs(as_of_x - axis.x(D(2016, 6, 1))) <= 1
    kinds = {a.get("class").split()[-1] for a in group(root, "tl-reviews").iter(f"{SVG}a")}
    assert "tl-late-arrow" not in kinds and "tl-missed" in kinds  # the 6-month one, missed
    assert "As of 1 June 2016" in svg


def test_marks_of_a_lane_merge_by_week_then_month_above_the_threshold(db):
    start = D(2016, 2, 1)  # a Monday
    days = [start + dt.timedelta(days=i) for i in range(0, 56, 2)]  # 28 contacts, 8 weeks
    entries = [entry("Police", "referral", start)]
    entries += [entry("Police", "contact", day, key=f"c{i}") for i, day in enumerate(days)]
    as_of = D(2016, 6, 1)

    def police(drawing):
        return next(lane for lane in drawing.lanes if lane.name == "Police")

    _, every = drawing_of(entries, as_of, merge_above=100)
    assert police(every).merged_by == "" and len(police(every).marks) == 29

    _, weekly = drawing_of(entries, as_of, merge_above=20)
    lane = police(weekly)
    assert lane.merged_by == "week" and len(lane.marks) == 8
    root = parse(render(weekly))
    counted = [
        int(a.find(f"{SVG}text").text)
        for a in group(root, "tl-lanes").iter(f"{SVG}a")
        if "tl-count" in a.get("class")
    ]
    assert sum(counted) == 29 and max(counted) <= 7  # the week of the referral holds 5
    assert "(counted by week)" in ET.tostring(root, encoding="unicode")

    _, monthly = drawing_of(entries, as_of, merge_above=5)
    assert police(monthly).merged_by == "month" and len(police(monthly).marks) == 2
    february, march = police(monthly).marks
    assert february.count + march.count == 29
    assert "in February 2016" in february.title and february.href == "#entry-1"


def test_late_and_backfilled_entries_are_marked_differently(db):
    entries = [
        entry("Police", "referral", D(2016, 1, 4), entered_on=D(2016, 1, 4)),
        # Logged a month after it happened: a line from happened to logged.
        entry("Police", "contact", D(2016, 2, 1), D(2016, 3, 1), entered_on=D(2016, 3, 1)),
        # Logged on the day, typed into casereview in May from the minutes: a backfill.
        entry("Police", "note", D(2016, 2, 10), entered_on=D(2016, 5, 2)),
    ]
    _, drawing = drawing_of(entries, D(2016, 6, 1))
    root = parse(render(drawing))
    axis = Axis(root)
    lanes = links(group(root, "tl-lanes"))
    ((x1, x2),) = late_lines(root)
    assert abs(x1 - axis.x(D(2016, 2, 1))) <= 1 and abs(x2 - axis.x(D(2016, 3, 1))) <= 1

    def ringed(a):
        return any(c.get("stroke-dasharray") == "1.5 1.5" for c in a.iter(f"{SVG}circle"))

    assert [ringed(lanes[n]) for n in (1, 2, 3)] == [False, False, True]
    assert "Backfilled: entered on 2 May 2016" in lanes[3].find(f"{SVG}title").text
    assert "Logged late" in lanes[2].find(f"{SVG}title").text


def test_picture_is_described_in_words_and_user_text_stays_text(db):
    entries = [
        entry("Northshire Police", "referral", D(2015, 1, 12)),
        entry("Provider", "session_held", D(2015, 3, 5)),
        entry("Northshire Police", "agency_account", D(2015, 5, 20), sessions_believed=4),
        entry('Police <script>alert("x")</script> & Co', "contact", D(2015, 6, 1)),
    ]
    _, drawing = drawing_of(entries, D(2015, 7, 1), case_ref="CR-D-1")
    svg = render(drawing)
    root = parse(svg)  # well-formed: user text escaped
    assert root.get("role") == "graphics-document"  # not "img": its links stay reachable
    assert root.get("aria-labelledby") == "tl-title" and root.get("aria-describedby") == "tl-desc"
    assert root.find(f"{SVG}title").text == (
        "Timeline of CR-D-1 on a time axis, as known on 1 July 2015"
    )
    description = root.find(f"{SVG}desc").text
    assert "1 session recorded as held (5 March 2015, 0 of them confirmed by another agency)" in (
        description
    )
    assert "Northshire Police believed 4 on 20 May 2015 (1 recorded by then)" in description
    assert not list(root.iter(f"{SVG}script")) and "<script>" not in svg
    assert "Police &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in svg


def test_findings_are_numbered_on_the_picture_as_in_the_list(failure):
    timeline, root = failure_drawing(failure)
    badges = [
        (t.text, g.find(f"{SVG}title").text)
        for g in group(root, "tl-findings").iter(f"{SVG}g")
        if g.get("class") == "tl-badge"
        for t in g.iter(f"{SVG}text")
    ]
    labels = dict(badges)
    assert set(labels) == {"1", "2", "3", "4", "5", "6"}
    for number, (finding, _) in enumerate(timeline.findings, 1):
        assert labels[str(number)] == f"Finding {number}: {finding.label}"


def test_repeated_findings_of_one_kind_are_one_group(db):
    rows = "".join(
        f"CR-T-9,,Police,note,2016-0{month}-01,2016-0{month}-20,Note {month},file,,,,,\n"
        for month in range(1, 6)
    )
    owner = factories.user("caseworker", agency_=factories.agency("Police"))
    data = HEADER + "CR-T-9,Sam Mossop,Police,referral,2015-12-01,,Referred,form,,,,,\n" + rows
    import_chronology([("late.csv", data.encode())], user=owner, owner=owner, trusted=True)
    timeline = timeline_data(entries_for_case(Case.objects.get(reference="CR-T-9")), as_of=AS_OF)
    (group_,) = finding_groups(timeline.findings)
    assert group_.grouped and group_.summary == "5 entries logged late"
    assert group_.numbers == "1 to 5" and group_.when == "20 January 2016 to 20 May 2016"


def test_the_timeline_page_shows_the_drawing_and_groups_findings(client, failure):
    case, _ = failure
    owner = case.owner
    rows = "".join(
        f"CR-T-1,,Police,note,2015-0{month}-02,2015-0{month}-25,Late note {month},file,,,,,\n"
        for month in range(3, 7)
    )
    import_chronology(
        [("late.csv", (HEADER + rows).encode())], user=owner, owner=owner, trusted=True
    )
    client.force_login(owner)
    html = client.get(
        reverse("reviews:timeline", args=[case.reference]), {"as_of": "2026-01-01"}
    ).content.decode()
    region = re.search(r'<div class="app-drawing-scroll" role="region" ([^>]*)>', html)
    assert region and 'tabindex="0"' in region.group(1) and "aria-label=" in region.group(1)
    root = parse(re.search(r"<svg .*?</svg>", html, re.S).group(0))
    assert len(links(group(root, "tl-lanes"))) == 12  # 14 entries: the exit and review below
    # Five entries logged late: one group, opened with <details>, each still its own item.
    assert "5 entries logged late" in html
    details = re.search(r"<details.*?</details>", html, re.S).group(0)
    assert details.count('<li id="finding-') == 5


def test_a_large_case_stays_small_and_quick():
    """About the bench's large case: 1,067 entries over nine years in eight lanes."""
    entries = large_case()
    assert len(entries) == 1067
    timeline = timeline_data(entries, as_of=D(2026, 11, 30))
    started = time.perf_counter()
    drawing = build_drawing(timeline, rules=RULES, case_ref="CR-BIG")
    took = time.perf_counter() - started
    svg = render(drawing)
    parse(svg)
    assert len(svg.encode()) < 200_000, len(svg)
    assert took < 0.5  # the bench's target is 15 ms median; this only guards against blowups
    counted = sum(mark.count for lane in drawing.lanes for mark in lane.marks)
    assert counted == sum(
        1
        for row in timeline.rows
        if row.entry.entry_type not in ("case_exited", "review_conducted")
    )


def large_case() -> list[Entry]:
    """1,067 entries like the seeded large case: years of sessions, accounts, contacts."""
    start = D(2017, 3, 1)
    agencies = ["Police", "Council", "Panel", "Health", "Schools", "Probation", "Housing"]
    made = [entry("Police", "referral", start), entry("Provider", "ip_assigned", start)]
    made.append(entry("Provider", "briefing_issued", start + dt.timedelta(days=3)))
    for i in range(170):
        day = start + dt.timedelta(days=10 + i * 17)
        made.append(entry("Provider", "session_held", day, key=f"h{i}"))
        if i % 5 == 0:
            made.append(
                entry("Provider", "session_cancelled", day + dt.timedelta(days=3), key=f"x{i}")
            )
    for i in range(25):
        day = start + dt.timedelta(days=40 + i * 110)
        made.append(
            entry(agencies[i % 3], "agency_account", day, key=f"a{i}", sessions_believed=i * 6)
        )
    made.append(entry("Panel", "case_exited", start + dt.timedelta(days=3000), key="exit"))
    i = 0
    while len(made) < 1067:
        day = start + dt.timedelta(days=(i * 37) % 3100)
        late = day + dt.timedelta(days=30) if i % 25 == 0 else day
        kind = "contact" if i % 3 else "note"
        made.append(entry(agencies[i % len(agencies)], kind, day, late, key=f"n{i}"))
        i += 1
    return sorted(made, key=sort_key)


def test_confirmed_and_unconfirmed_sessions_are_drawn_differently(db):
    """Issue 17: a held session confirmed from outside the provider carries a tick; one only
    the provider's record vouches for does not; the loops' own entries have shapes of their
    own, and the description counts the confirmed sessions."""
    s1, s2 = D(2015, 1, 17), D(2015, 2, 14)
    entries = [
        entry("Council", "referral", D(2014, 12, 1)),
        entry("Provider", "ip_assigned", D(2014, 12, 10)),
        entry("Provider", "session_held", s1, key="interventionsession:1"),
        entry("Provider", "session_held", s2, key="interventionsession:2"),
        entry("Police", "session_confirmed", s1, D(2015, 1, 20), about="interventionsession:1"),
        entry("Police", "question_asked", D(2015, 3, 1), key="providerquestion:1"),
        entry("Provider", "question_answered", D(2015, 3, 3), about="providerquestion:1"),
        entry("Council", "referral_outcome", D(2015, 1, 5)),
    ]
    timeline, drawing = drawing_of(sorted(entries, key=sort_key), D(2015, 6, 1))
    root = parse(render(drawing))
    classes = {
        a.get("href"): a.get("class").split() for a in group(root, "tl-lanes").iter(f"{SVG}a")
    }
    by_type = {row.entry.record_key: f"#{row.anchor}" for row in timeline.rows}
    assert "tl-held-confirmed" in classes[by_type["interventionsession:1"]]
    assert "tl-held" in classes[by_type["interventionsession:2"]]
    shapes = {use.get("href") for use in group(root, "tl-lanes").iter(f"{SVG}use")}
    assert {"#tl-s-confirmation", "#tl-s-question", "#tl-s-answer", "#tl-s-told"} <= shapes
    assert "2 sessions recorded as held" in drawing.description
    assert "1 of them confirmed by another agency" in drawing.description
    # As known before the confirmation was logged, neither session is confirmed.
    _, before = drawing_of(sorted(entries, key=sort_key), D(2015, 1, 18))
    assert "0 of them confirmed" in before.description


# ---------------------------------------------------------------- the page keeps its drawing


def _page_svg(client, case, **params) -> str:
    html = client.get(reverse("reviews:timeline", args=[case.reference]), params).content.decode()
    return re.search(r"<svg .*?</svg>", html, re.S).group(0)


def _hrefs(svg: str) -> dict[int, str]:
    """Each entry mark's link, by entry number."""
    return {
        int(number): href
        for href, number in re.findall(
            r'<a href="([^"]*#entry-(\d+))" tabindex="-1" class="tl-mark', svg
        )
    }


def test_the_kept_drawing_links_to_each_page_and_follows_every_change(client, failure, settings):
    """reviews.drawing_cache: a repeat view is the same drawing; marks of the page shown
    scroll to their row, the others open the page that lists them; a new record, or a
    viewer who may not see a restricted one, never gets an old or someone else's drawing."""
    settings.TIMELINE_PAGE_ROWS = 5
    case, entries = failure
    owner = case.owner
    client.force_login(owner)
    first = _page_svg(client, case)
    assert _page_svg(client, case) == first  # served again, the same
    links = _hrefs(first)
    assert links[1] == "#entry-1" and links[5] == "#entry-5"
    assert links[6] == "?page=2#entry-6"
    second = _hrefs(_page_svg(client, case, page="2"))
    assert second[1] == "?page=1#entry-1" and second[6] == "#entry-6"
    past = _hrefs(_page_svg(client, case, as_of="2015-06-01", page="2"))
    assert past[1] == "?as_of=2015-06-01&amp;page=1#entry-1" and past[6] == "#entry-6"
    # A restricted note of another agency: drawn for that agency, never for the owner.
    police = factories.user("officer", agency_=factories.agency("Police"))
    from referrals import services as intake

    intake.add_note(
        case=case,
        user=police,
        agency=police.agency,
        occurred_on=D(2015, 2, 2),
        logged_on=D(2015, 2, 2),
        summary="Police only",
        restricted=True,
    )
    client.force_login(police)
    theirs = _page_svg(client, case)
    assert len(_hrefs(theirs)) == len(links) + 1
    client.force_login(owner)
    again = _page_svg(client, case)
    assert "Police only" not in again and len(_hrefs(again)) == len(links)
    # A change to any record of the case is drawn at once.
    intake.add_note(
        case=case,
        user=owner,
        agency=owner.agency,
        occurred_on=D(2015, 2, 3),
        logged_on=D(2015, 2, 3),
        summary="Seen at school",
    )
    assert len(_hrefs(_page_svg(client, case))) == len(links) + 1
