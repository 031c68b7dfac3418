"""The timeline drawn on a time axis: the geometry of one SVG, for the page and the PDF.

`build_drawing(timeline, rules=...)` turns the `Timeline` that the page, the JSON and the
PDF already share into plain geometry: marks with an x, a y, a width, a shape, a title, a
link and a CSS class; axis ticks; review bands; the step line of sessions recorded as held
against what each agency account believed. `reviews/chronology/svg.py`
writes it out as SVG, autoescaped, on the timeline page and on the PDF's first page (which
reads it back from `Drawing.as_json()`, part of the hashed chronology data). Nothing here
reads the database or writes markup.

Readings chosen (issue 16):

* x is proportional to the date: `Scale.x(day)` is where `day` begins. When the as-of day is
  far beyond everything else (a case closed years ago, seen today), the years in between are
  squeezed into a short break (`BREAK_W` pixels) drawn as such, so the case is not a dot at
  the left of a long empty axis; every mark is still on the proportional part.
* A month-only entry is a span from its month's first day to the next month's first day.
* Exits and follow-up reviews have their own row (the schedule they start is drawn there);
  sessions (planned, held, cancelled) have the first lane; each agency its own lane after,
  the intervention provider first.
* Review bands follow `casereview.timerules` and the findings: a review belongs to the latest
  exit dated strictly before it; a later exit restarts the schedule; only the latest exit's
  reviews can be missed, the missed band running from due + grace to the as-of day.
* The record against belief: the step line counts `session_held` entries dated on or before
  each day (as `Comparison.held_by_then` does); an account with a number sits at that
  number, an account with only a status ("ongoing") at the recorded count of its day.
* A lane with more than `merge_above` marks merges the marks of each week into one counted
  mark, and of each month when that is still too many (month-only spans never merge). By
  default a lane holds as many marks as fit MIN_MARK_GAP pixels apart and no more than its
  share of MAX_MARKS, which keeps a 1,000-entry case's SVG near 120 KB.
* Each finding's number (its place in `Timeline.findings`, as in the findings list and the
  PDF's section 2) sits by the mark of the first entry it is about; a missed review's on its
  missed band, a belief's by its speech mark.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from casereview.timerules import REVIEW_MONTHS, ReviewState, TimeRules, review_due_on
from casereview.ukdates import MONTHS, uk_date

from .entries import ENTRY_TYPE_LABELS, Entry, EntryType, month_end
from .findings import FindingCode
from .loops import confirmed_session_keys
from .timeline import FINDING_LABELS, GROUP_FROM, SESSION_TYPES, SESSIONS_LANE, Row, Timeline

DAY = dt.timedelta(days=1)

# Layout, in SVG user units (CSS pixels on the page).
WIDTH = 960  # the GOV.UK page's content width: the whole case at a glance on a desktop
PAD_L = 30  # room for the panel's counts
PAD_R = 28
MIN_PX_PER_DAY = 0.5  # a longer case makes a wider drawing (it scrolls sideways)
BREAK_W = 44  # the squeezed years between the case and a far-off as-of day
AXIS_H = 44
LANE_H = 50
LANE_LABEL_DY = 13  # the lane's name sits on its top edge, its marks below
LANE_MARK_DY = 30
DODGE_DY = 11  # a mark that would cover the one before it moves down this much
REVIEW_LABEL_H = 16
REVIEW_SUB_H = 28  # a row: its band, and the band's words above it
PANEL_LABEL_H = 36
PANEL_PLOT_H = 90
PANEL_BOTTOM = 18
LEGEND_ROW_H = 20
LEGEND_COL_W = 228
MAX_LANES = 12
OTHER_AGENCIES = "Other agencies"
MIN_MARK_GAP = 12  # the default merge threshold: a lane's plot width over this,
MAX_MARKS = 320  # or this shared among the lanes, whichever is less (the page's weight)
MAX_BADGES = 3  # finding numbers side by side on one mark; the last counts any more
LABEL_CHAR_W = 6.0  # rough width of one character of an 11 px label
LABEL_GAP = 4

# Entry type -> the shape it is drawn as (a symbol of the template). Shape first, colour second.
SHAPES = {
    EntryType.REFERRAL: "referral",
    EntryType.PANEL_MEETING: "panel",
    EntryType.CASE_ADOPTED: "adopted",
    EntryType.IP_ASSIGNED: "commissioned",
    EntryType.BRIEFING_ISSUED: "briefing",
    EntryType.SESSION_PLANNED: "planned",
    EntryType.SESSION_HELD: "held",
    EntryType.SESSION_CANCELLED: "cancelled",
    EntryType.AGENCY_ACCOUNT: "account",
    EntryType.CASE_EXITED: "exit",
    EntryType.REVIEW_CONDUCTED: "review",
    EntryType.CONTACT: "contact",
    EntryType.NOTE: "note",
    # Closing the loops (issue 17).
    EntryType.SESSION_CONFIRMED: "confirmation",
    EntryType.QUESTION_ASKED: "question",
    EntryType.QUESTION_ANSWERED: "answer",
    EntryType.REFERRAL_OUTCOME: "told",
}
# A held session confirmed from outside the provider (reviews.chronology.loops) is drawn as
# "held-confirmed"; one only the provider's record vouches for stays "held".
CONFIRMED_HELD = "held-confirmed"
# The legend's words for each shape, in the order the legend lists them.
LEGEND = {
    "referral": "Referral",
    "panel": "Panel meeting",
    "adopted": "Case adopted",
    "commissioned": "Provider commissioned (how asked)",
    "briefing": "Written briefing",
    "held": "Session held (provider’s record only)",
    CONFIRMED_HELD: "Session held, confirmed by another agency",
    "planned": "Session planned",
    "cancelled": "Session cancelled or not attended",
    "account": "Agency account (what it believed)",
    "contact": "Contact",
    "note": "Note",
    "confirmation": "Session confirmed (by whom: its lane)",
    "question": "Question to the provider",
    "answer": "Provider’s answer",
    "told": "Referrer told the outcome",
    "exit": "Case exited",
    "review": "Follow-up review held",
    "window": "Review due, with its grace period",
    "missed": "Review missed: due + grace to as of",
    "late-arrow": "Review held late: due to held",
    "span": "Known only to the month",
    "count": "Entries of one week or month",
    "late": "Logged late: happened to logged",
    "backfilled": "Backfilled (entered from documents)",
    "step": "Sessions recorded as held",
    "gap": "Believed, not in the record",
    "finding": "Finding, numbered as in the list",
}
ALL_BACKFILLED = "All entered later, from documents"
COMMISSIONED_BY = {
    "written": "in writing",
    "email": "by email",
    "phone": "by phone",
    "meeting": "at a meeting",
}
EXIT_AND_REVIEWS = (EntryType.CASE_EXITED, EntryType.REVIEW_CONDUCTED)


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


# A coordinate to a tenth of a pixel (called thousands of times on a large case: no Python frame).
_r = functools.partial(round, ndigits=1)


# ---------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Scale:
    """Where each day begins on the x axis.

    Days from `start` to `end` are proportional (`px_per_day`); when `break_to` is set, the
    days after `end` up to `break_to` (the as-of day) are squeezed into BREAK_W pixels.
    """

    start: dt.date
    end: dt.date
    x0: float
    px_per_day: float
    break_to: dt.date | None = None

    def x(self, day: dt.date) -> float:
        if self.break_to is None or day <= self.end:
            return self.x0 + (day - self.start).days * self.px_per_day
        share = min((day - self.end).days / max((self.break_to - self.end).days, 1), 1.0)
        return self.x_end + BREAK_W * share

    @property
    def x_end(self) -> float:
        """The right end of the proportional part."""
        return self.x0 + (self.end - self.start).days * self.px_per_day


@dataclass
class Mark:
    """One entry, or the entries of one lane in one week or month (`count` > 1)."""

    x: float  # a point's centre; a span's left end
    y: float
    width: float  # 0 for a point; a span's width; a counted mark's drawn width
    shape: str  # a symbol of the template, "span" or "count"
    kind: str  # the symbol of its entry type (a span's too)
    title: str
    href: str
    css: str
    date: dt.date
    numbers: list[int]
    label: str = ""
    label_x: float = 0.0
    count: int = 1
    backfilled: bool = False
    record_keys: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list, repr=False)

    @property
    def end_x(self) -> float:
        return _r(self.x + self.width)

    @property
    def cx(self) -> float:
        return _r(self.x + self.width / 2)

    @property
    def top(self) -> float:
        return _r(self.y - 7)

    @property
    def text_y(self) -> float:
        return _r(self.y + 4)


@dataclass
class Lane:
    name: str
    y: float  # top edge
    label_y: float
    mark_y: float
    marks: list[Mark] = field(default_factory=list)
    merged_by: str = ""  # "", "week" or "month"


@dataclass
class Tick:
    x: float
    label: str
    date: dt.date
    major: bool  # a year


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str
    title: str = ""


@dataclass
class Band:
    """A stretch of time in the reviews row: a due window, a missed stretch or a late arrow."""

    kind: str  # "window", "missed" or "late-arrow"
    review_kind: str
    due: dt.date
    x: float
    width: float
    y: float
    height: float
    start: dt.date
    end: dt.date
    title: str
    href: str
    label: str = ""
    label_x: float = 0.0
    end_x: float = field(init=False)
    text_y: float = field(init=False)
    arrow: str = field(init=False)  # the arrowhead of a late review, as polygon points

    def __post_init__(self) -> None:
        self.end_x = _r(self.x + self.width)
        self.text_y = _r(self.y + self.height / 2 - 8)  # above the band
        tip = self.end_x - 6
        self.arrow = (
            f"{_r(tip)},{self.y} {_r(tip - 6)},{_r(self.y - 4)} {_r(tip - 6)},{_r(self.y + 4)}"
        )


@dataclass
class Belief:
    """One agency account in the record-against-belief panel."""

    x: float
    y: float
    width: float  # a month-only account spans its month
    count: int | None
    held: int
    label: str
    title: str
    href: str
    date: dt.date
    gap_top: float = 0.0
    gap_bottom: float = 0.0
    gap_label: str = ""
    mismatch: bool = False
    # Where the template draws it (set by `place`).
    left: float = 0.0
    label_x: float = 0.0
    label_y: float = 0.0
    gap_x: float = 0.0
    gap_height: float = 0.0
    gap_label_y: float = 0.0

    @property
    def spans(self) -> bool:
        return self.width > 0

    @property
    def has_gap(self) -> bool:
        return self.gap_height > 0

    def place(self) -> None:
        self.left = _r(self.x - self.width / 2)
        self.label_x = _r(self.x + 20)
        self.label_y = _r(self.y - 7)
        self.gap_x = _r(self.x - 3)
        self.gap_height = _r(self.gap_bottom - self.gap_top)
        self.gap_label_y = _r((self.gap_top + self.gap_bottom) / 2 + 4)


@dataclass
class Badge:
    x: float
    y: float
    number: str  # the finding's number ("+3": three more on the same mark)
    title: str
    r: float = 7
    font_size: float = 9
    text_y: float = field(init=False)

    def __post_init__(self) -> None:
        self.text_y = _r(self.y + self.font_size * 0.36)


@dataclass
class LegendItem:
    x: float
    y: float
    shape: str
    text: str
    text_x: float = field(init=False)
    text_y: float = field(init=False)

    def __post_init__(self) -> None:
        self.text_x = _r(self.x + 14)
        self.text_y = _r(self.y + 4)


@dataclass
class Level:
    """A labelled height: a panel count, or a row of the reviews."""

    y: float
    label: str
    text_y: float = field(init=False)

    def __post_init__(self) -> None:
        self.text_y = _r(self.y + 4)


@dataclass
class Drawing:
    width: float
    height: float
    title: str
    description: str
    scale: Scale
    as_of: dt.date
    as_of_x: float
    as_of_label: str
    as_of_label_x: float
    as_of_anchor: str
    ticks: list[Tick]
    lanes: list[Lane]
    late_lines: list[Line]
    reviews_y: float
    review_rows: list[Level]  # the 6- and 12-month rows
    review_marks: list[Mark]
    exit_lines: list[Line]
    bands: list[Band]
    panel_y: float
    panel_label: str
    panel_ticks: list[Level]  # counts of sessions, bottom up
    step_points: list[tuple[float, float]]
    beliefs: list[Belief]
    badges: list[Badge]
    legend: list[LegendItem]
    grid: list[Tick]
    break_x: float | None = None
    break_label: str = ""
    empty: bool = False
    all_backfilled: bool = False  # then no mark has a ring: the legend says it once
    plot_bottom: float = 0.0

    @property
    def marks(self) -> list[Mark]:
        """Every entry mark: the lanes' and the reviews row's."""
        return [mark for lane in self.lanes for mark in lane.marks] + self.review_marks

    @property
    def step_points_text(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.step_points)

    # Many short lines, each one path: a few hundred elements fewer for the page to send and
    # the template to write (numbers only: nothing a user typed).
    @property
    def tick_path(self) -> str:
        return " ".join(f"M{t.x},31 v{9 if t.major else 5}" for t in self.ticks)

    @property
    def grid_path(self) -> str:
        return " ".join(f"M{t.x},31 V{self.plot_bottom}" for t in self.grid)

    @property
    def late_path(self) -> str:
        """Each late entry: a line from when it happened to when it was logged, and a tick."""
        return " ".join(f"M{line.x1},{line.y1} H{line.x2} m0,-3 v6" for line in self.late_lines)

    @property
    def tick_labels(self) -> list[Tick]:
        return [t for t in self.ticks if t.label]

    def as_json(self) -> dict:
        """What `reviews.chronology.svg.render_svg` writes out, as JSON values: the PDF's data
        is hashed JSON, and the page renders from this too. Numbers stay numbers (the writer
        formats them as `str` would, the same before and after a JSON round trip)."""

        def plain(item) -> dict:
            return {key: value for key, value in vars(item).items() if key not in _SKIP}

        def mark(m: Mark) -> dict:
            found = plain(m)
            found["end_x"], found["cx"], found["top"], found["text_y"] = (
                m.end_x,
                m.cx,
                m.top,
                m.text_y,
            )
            return found

        def belief(b: Belief) -> dict:
            return {**plain(b), "spans": b.spans, "has_gap": b.has_gap}

        return {
            "width": self.width,
            "height": self.height,
            "title": self.title,
            "description": self.description,
            "as_of_x": self.as_of_x,
            "as_of_label": self.as_of_label,
            "as_of_label_x": self.as_of_label_x,
            "as_of_anchor": self.as_of_anchor,
            "plot_bottom": self.plot_bottom,
            "tick_path": self.tick_path,
            "grid_path": self.grid_path,
            "late_path": self.late_path,
            "tick_labels": [plain(t) for t in self.tick_labels],
            "lanes": [
                {**plain(lane), "marks": [mark(m) for m in lane.marks]} for lane in self.lanes
            ],
            "reviews_y": self.reviews_y,
            "review_rows": [plain(row) for row in self.review_rows],
            "review_marks": [mark(m) for m in self.review_marks],
            "exit_lines": [plain(line) for line in self.exit_lines],
            "bands": [plain(b) for b in self.bands],
            "panel_y": self.panel_y,
            "panel_label": self.panel_label,
            "panel_ticks": [plain(t) for t in self.panel_ticks],
            "step_points_text": self.step_points_text,
            "beliefs": [belief(b) for b in self.beliefs],
            "badges": [plain(b) for b in self.badges],
            "legend": [plain(item) for item in self.legend],
            "break_x": self.break_x,
            "break_label": self.break_label,
            "empty": self.empty,
        }


# Geometry the SVG writer does not draw from (dates, the entries behind a mark).
_SKIP = frozenset({"date", "start", "end", "due", "numbers", "record_keys", "entries"})


class _Judged:
    """The time rules, with each entry's lateness and backfill worked out once: a large case
    asks about each of its entries several times."""

    def __init__(self, rules: TimeRules, rows: list[Row]):
        self.review_grace_days = rules.review_grace_days
        self.logging_lag = rules.logging_lag
        self.review_state = rules.review_state
        self.held_late = rules.held_late
        self._late = {id(r.entry) for r in rows if r.entry.logged_late(rules)}
        self._backfilled = {id(r.entry) for r in rows if r.entry.backfilled(rules)}
        # As known on the as-of day: the rows are the entries logged by then.
        self._confirmed = confirmed_session_keys(r.entry for r in rows)

    def late(self, entry: Entry) -> bool:
        return id(entry) in self._late

    @property
    def any_late(self) -> bool:
        return bool(self._late)

    @property
    def late_count(self) -> int:
        return len(self._late)

    def backfilled(self, entry: Entry) -> bool:
        return id(entry) in self._backfilled

    def confirmed(self, entry: Entry) -> bool:
        return entry.record_key in self._confirmed


def _default_href(row: Row) -> str:
    return f"#{row.anchor}"


# ---------------------------------------------------------------- the function


def build_drawing(
    timeline: Timeline,
    *,
    rules: TimeRules,
    case_ref: str = "",
    href: Callable[[Row], str] | None = None,
    merge_above: int | None = None,
    width: int = WIDTH,
) -> Drawing:
    """The drawing of `timeline` (every row it holds, as known on its as-of day).

    `href(row)` is where a mark links to (default `#entry-N`); `merge_above` is how many
    marks a lane may hold before its marks merge by week, then by month (default: as many
    as fit at MIN_MARK_GAP pixels apart); `width` is the narrowest the drawing is (the PDF's
    is wider than the page's, for a landscape page).
    """
    link = href or _default_href
    as_of = timeline.as_of
    rows = list(timeline.rows)
    rules = _Judged(rules, rows)
    lane_rows = [r for r in rows if r.entry.entry_type not in EXIT_AND_REVIEWS]
    exits = sorted(
        (r for r in rows if r.entry.entry_type == EntryType.CASE_EXITED),
        key=lambda r: (r.entry.date, r.number),
    )
    reviews = [r for r in rows if r.entry.entry_type == EntryType.REVIEW_CONDUCTED]
    schedules = _schedules(exits, reviews, as_of, rules)

    scale = _scale(rows, schedules, as_of, rules, width)
    right = scale.x_end + BREAK_W if scale.break_to else max(scale.x(as_of), scale.x_end)
    width = max(_r(right + PAD_R), width)

    # ---- lanes
    lane_names = _lane_names(lane_rows)
    y = AXIS_H
    lanes: list[Lane] = []
    for name in lane_names:
        lanes.append(Lane(name, y, y + LANE_LABEL_DY, y + LANE_MARK_DY))
        y += LANE_H
    index = {name: i for i, name in enumerate(lane_names)}
    threshold = merge_above
    if threshold is None:
        threshold = int(min(scale.x_end / MIN_MARK_GAP, MAX_MARKS / max(len(lanes), 1)))
    by_lane: dict[int, list[Row]] = {}
    for row in lane_rows:
        by_lane.setdefault(index[_lane_of(row.entry, index)], []).append(row)
    for i, lane in enumerate(lanes):
        lane.marks, lane.merged_by = _lane_marks(
            by_lane.get(i, []), lane, scale, rules, link, threshold
        )
        _dodge(lane.marks)
        _place_labels(lane.marks)

    # ---- exits and follow-up reviews
    reviews_y = y + 6
    sub_a = reviews_y + REVIEW_LABEL_H + 16
    sub_b = sub_a + REVIEW_SUB_H
    review_rows = [Level(_r(sub_a), "6-month"), Level(_r(sub_b), "12-month")]
    sub_y = {"6_month": sub_a, "12_month": sub_b}
    review_marks: list[Mark] = []
    exit_lines: list[Line] = []
    exit_y = (sub_a + sub_b) / 2
    for row in exits:
        if row.entry.month_only:
            mark = _span(row, scale, exit_y, rules, link)
            x = mark.cx
        else:
            x = scale.x(row.entry.date)
            mark = _point(row, x, exit_y, rules, link)
        exit_lines.append(Line(_r(x), _r(sub_a - 9), _r(x), _r(sub_b + 9), "tl-exit-line"))
        review_marks.append(mark)
    for row in reviews:
        x = scale.x(row.entry.date)
        mark = _point(row, x, sub_y.get(row.entry.review_kind, sub_a), rules, link)
        if row.entry.month_only:
            mark = _span(row, scale, mark.y, rules, link)
        review_marks.append(mark)
    late_lines = []
    if rules.any_late:
        late_lines = [
            _late_line(entry, scale, mark.y, rules)
            for mark in [m for lane in lanes for m in lane.marks] + review_marks
            for entry in mark.entries
            if rules.late(entry)
        ]
    bands = _bands(schedules, scale, sub_y, rules, link, as_of)
    if exits or reviews:
        y = sub_b + 16
    else:  # nothing to draw in the row: leave it out
        review_rows = []

    # ---- record against belief
    panel_y = y
    held_dates = sorted(r.entry.date for r in rows if r.entry.entry_type == EntryType.SESSION_HELD)
    believed = [c.row.entry.sessions_believed or 0 for c in timeline.comparisons]
    top = _nice_top(max([len(held_dates), *believed, 1]))
    base = panel_y + PANEL_LABEL_H + PANEL_PLOT_H
    unit = PANEL_PLOT_H / top

    def count_y(count: float) -> float:
        return _r(base - count * unit)

    panel_ticks = [Level(count_y(c), str(c)) for c in _count_ticks(top)]
    step_points = _step(held_dates, scale, count_y, max(as_of, scale.start))
    beliefs = [_belief(c, scale, count_y, link) for c in timeline.comparisons]
    _place_belief_labels(beliefs)
    for belief in beliefs:
        belief.place()
    if beliefs or any(r.entry.entry_type in SESSION_TYPES for r in rows):
        plot_bottom = base
        y = base + PANEL_BOTTOM
    else:  # no session and no account: nothing to compare
        panel_ticks, step_points = [], []
        plot_bottom = y - 6

    # ---- as of, axis, findings, legend
    as_of_x = _r(scale.x(as_of))
    ticks, grid = _ticks(scale)
    drawing = Drawing(
        width=width,
        height=0,
        title="",
        description="",
        scale=scale,
        as_of=as_of,
        as_of_x=as_of_x,
        as_of_label=f"As of {uk_date(as_of)}",
        as_of_label_x=as_of_x,
        as_of_anchor="end" if as_of_x > width / 2 else "start",
        ticks=ticks,
        lanes=lanes,
        late_lines=late_lines,
        reviews_y=_r(reviews_y),
        review_rows=review_rows,
        review_marks=review_marks,
        exit_lines=exit_lines,
        bands=bands,
        panel_y=_r(panel_y),
        panel_label="Sessions recorded as held (line) and what agencies believed (speech marks)",
        panel_ticks=panel_ticks,
        step_points=step_points,
        beliefs=beliefs,
        badges=[],
        legend=[],
        grid=grid,
        empty=not rows,
        plot_bottom=_r(plot_bottom),
    )
    if drawing.as_of_anchor == "start":
        drawing.as_of_label_x = _r(as_of_x + 4)
    else:
        drawing.as_of_label_x = _r(as_of_x - 4)
    if scale.break_to is not None:
        drawing.break_x = _r(scale.x_end)
        drawing.break_label = _years_between(scale.end, scale.break_to)
        drawing.as_of_label = f"≈ {drawing.break_label} · {drawing.as_of_label}"
    marks = drawing.marks
    if marks and all(mark.backfilled for mark in marks):
        # A case typed in from documents after the event: a ring on every mark would say
        # nothing a single line of the legend does not.
        drawing.all_backfilled = True
        for mark in marks:
            mark.backfilled = False
    drawing.badges = _badges(timeline, drawing)
    drawing.legend, legend_h = _legend(drawing, y, width)
    drawing.height = _r(y + legend_h + 4)
    drawing.title = _title(case_ref, rows, as_of)
    drawing.description = describe(timeline, schedules, rules)
    return drawing


# ---------------------------------------------------------------- lanes


def _lane_of(entry: Entry, index: dict[str, int]) -> str:
    if entry.entry_type in SESSION_TYPES:
        return SESSIONS_LANE
    if entry.agency in index:
        return entry.agency
    return OTHER_AGENCIES  # past MAX_LANES: the last lane


def _lane_names(rows: list[Row]) -> list[str]:
    """Sessions first, then the providers (agencies with sessions or commissioned), then each
    agency in the order it first appears; past MAX_LANES the rest share "Other agencies"."""
    providers: list[str] = []
    others: list[str] = []
    has_sessions = False
    for row in rows:
        entry = row.entry
        if entry.entry_type in SESSION_TYPES:
            has_sessions = True
            if entry.agency not in providers:
                providers.append(entry.agency)
        elif entry.entry_type == EntryType.IP_ASSIGNED and entry.agency not in providers:
            providers.append(entry.agency)
    present = {row.entry.agency for row in rows if row.entry.entry_type not in SESSION_TYPES}
    for row in rows:
        agency = row.entry.agency
        if agency in present and agency not in providers and agency not in others:
            others.append(agency)
    agencies = [a for a in providers if a in present] + others
    names = ([SESSIONS_LANE] if has_sessions else []) + agencies
    if len(names) > MAX_LANES:
        names = [*names[: MAX_LANES - 1], OTHER_AGENCIES]
    return names


def _title_for(row: Row, rules: _Judged) -> str:
    """What the mark is, in words (its record, one click away, says what happened: a summary
    here would repeat up to 20,000 characters of it in a tooltip, and weigh the page)."""
    entry = row.entry
    when = uk_date(entry.occurred_on, month_only=entry.month_only)
    title = f"Entry {row.number}: {entry.label}, {when}, {entry.agency}."
    if entry.entry_type == EntryType.AGENCY_ACCOUNT:
        title += f" Believed: {_believed_text(entry)}."
    if entry.entry_type == EntryType.IP_ASSIGNED and entry.commissioned_by:
        how = COMMISSIONED_BY.get(entry.commissioned_by, entry.commissioned_by)
        title += f" Provider asked {how}."
    if rules.late(entry):
        lag = rules.logging_lag(entry.date, entry.logged_on)
        title += f" Logged late: {uk_date(entry.logged_on)}, {_n(lag, 'day')} later"
        title += f" ({entry.late_reason})." if entry.late_reason else "."
    if rules.backfilled(entry) and entry.entered_on is not None:
        title += f" Backfilled: entered on {uk_date(entry.entered_on)}."
    return title


def _believed_text(entry: Entry) -> str:
    parts = []
    if entry.sessions_believed is not None:
        parts.append(_n(entry.sessions_believed, "session"))
    if entry.believed_status:
        parts.append(entry.believed_status.replace("_", " "))
    return "; ".join(parts) or "nothing specific"


def _label_for(entry: Entry) -> str:
    if entry.entry_type == EntryType.AGENCY_ACCOUNT:
        if entry.sessions_believed is not None:
            return _n(entry.sessions_believed, "session")
        return entry.believed_status.replace("_", " ")
    if entry.entry_type == EntryType.IP_ASSIGNED and entry.commissioned_by:
        return COMMISSIONED_BY.get(entry.commissioned_by, entry.commissioned_by)
    return ""


def _shape(entry: Entry, rules: _Judged) -> str:
    if entry.entry_type == EntryType.SESSION_HELD and rules.confirmed(entry):
        return CONFIRMED_HELD
    return SHAPES[entry.entry_type]


def _css(entry: Entry, rules: _Judged) -> str:
    css = f"tl-mark tl-{_shape(entry, rules)}"
    if rules.late(entry):
        css += " tl-is-late"
    return css


def _point(row: Row, x: float, y: float, rules: _Judged, link) -> Mark:
    entry = row.entry
    return Mark(
        x=_r(x),
        y=_r(y),
        width=0,
        shape=_shape(entry, rules),
        kind=_shape(entry, rules),
        title=_title_for(row, rules),
        href=link(row),
        css=_css(entry, rules),
        date=entry.date,
        numbers=[row.number],
        label=_label_for(entry),
        backfilled=rules.backfilled(entry),
        record_keys=[entry.record_key],
        entries=[entry],
    )


def _span(row: Row, scale: Scale, y: float, rules: _Judged, link) -> Mark:
    """A month-only entry: from the month's first day to the next month's first day."""
    entry = row.entry
    first = entry.occurred_on.replace(day=1)
    x1, x2 = scale.x(first), scale.x(month_end(first) + DAY)
    return Mark(
        x=_r(x1),
        y=_r(y),
        width=_r(x2 - x1),
        shape="span",
        kind=_shape(entry, rules),
        title=_title_for(row, rules),
        href=link(row),
        css=_css(entry, rules) + " tl-span",
        date=first,
        numbers=[row.number],
        label=_label_for(entry),
        backfilled=rules.backfilled(entry),
        record_keys=[entry.record_key],
        entries=[entry],
    )


def _lane_marks(rows, lane: Lane, scale, rules, link, threshold) -> tuple[list[Mark], str]:
    """The lane's marks: one per entry, or merged by week and then month above `threshold`."""
    spans = [r for r in rows if r.entry.month_only]
    points = [r for r in rows if not r.entry.month_only]
    marks = [_span(r, scale, lane.mark_y, rules, link) for r in spans]
    if len(rows) <= threshold:
        marks += [_point(r, scale.x(r.entry.date), lane.mark_y, rules, link) for r in points]
        marks.sort(key=_drawing_order)
        return marks, ""
    merged_by, period = "week", _week
    groups = _group(points, _WEEK_KEY)
    if len(groups) + len(spans) > threshold:
        merged_by, period = "month", _month
        groups = _group(points, _MONTH_KEY)
    for members in groups:
        row = members[0]
        if len(members) == 1:
            marks.append(_point(row, scale.x(row.entry.date), lane.mark_y, rules, link))
        else:
            bounds = period(row.entry.date)
            marks.append(_counted(bounds, merged_by, members, lane, scale, rules, link))
    marks.sort(key=_drawing_order)
    return marks, merged_by


def _drawing_order(mark: Mark) -> tuple:
    """Left to right; on one spot what happened before what was only planned (which then
    moves down a row, `_dodge`)."""
    return (mark.x, mark.shape == "planned")


def _week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day.toordinal() - (day.toordinal() + 6) % 7  # date(1, 1, 1) was a Monday
    return dt.date.fromordinal(monday), dt.date.fromordinal(monday + 7)


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=31)).replace(day=1)


def _group(rows: list[Row], key) -> list[list[Row]]:
    """Rows by the week or month (`key` of their date), in date order."""
    groups: dict[int, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row.entry.date), []).append(row)
    return [members for _, members in sorted(groups.items())]


def _WEEK_KEY(day: dt.date) -> int:  # noqa: N802
    return (day.toordinal() + 6) // 7


def _MONTH_KEY(day: dt.date) -> int:  # noqa: N802
    return day.year * 12 + day.month


def _counted(period, merged_by, members: list[Row], lane, scale, rules, link) -> Mark:
    """The entries of one lane in one week or month, as one mark with their count."""
    start, end = period
    x1, x2 = scale.x(start), scale.x(end)
    count = len(members)
    width = max(x2 - x1 - 1, 4 + 5 * len(str(count)))  # a month holds two digits
    centre = (x1 + x2) / 2
    kinds = Counter(r.entry.entry_type for r in members)
    what = ", ".join(f"{n} {ENTRY_TYPE_LABELS[t].lower()}" for t, n in kinds.most_common())
    if merged_by == "week":
        when = f"the week of {uk_date(start)}"
    else:
        when = f"{MONTHS[start.month]} {start.year}"
    first, last = members[0].number, members[-1].number
    late = sum(1 for r in members if rules.late(r.entry))
    title = f"{count} entries of {lane.name} in {when} ({what}): entries {first} to {last}"
    title += f", {late} logged late." if late else "."
    return Mark(
        x=_r(centre - width / 2),
        y=lane.mark_y,
        width=_r(width),
        shape="count",
        kind="count",
        title=title,
        href=link(members[0]),
        css="tl-mark tl-count" + (" tl-is-late" if late else ""),
        date=start,
        numbers=[r.number for r in members],
        count=count,
        backfilled=any(rules.backfilled(r.entry) for r in members),
        record_keys=[r.entry.record_key for r in members],
        entries=[r.entry for r in members],
    )


def _dodge(marks: list[Mark]) -> None:
    """A mark that would cover the previous one (a panel meeting and its adoption on one day)
    moves down a row, its x unchanged; a third on the same spot stays on the first row."""
    last_end = [-1e9, -1e9]
    for mark in marks:
        left = mark.x - (0 if mark.width else 7)
        right = mark.end_x if mark.width else mark.x + 7
        row = 0 if left >= last_end[0] + 0.5 or left < last_end[1] + 0.5 else 1
        if row:
            mark.y = _r(mark.y + DODGE_DY)
        last_end[row] = right


def _place_labels(marks: list[Mark]) -> None:
    """A label stands right of its mark where it overlaps neither the next mark nor the last
    label; otherwise the mark's title alone carries it."""
    last_end = -1e9
    for i, mark in enumerate(marks):
        if not mark.label:
            continue
        start = (mark.end_x if mark.width else mark.x) + 10
        end = start + LABEL_CHAR_W * len(mark.label)
        following = marks[i + 1].x - 7 if i + 1 < len(marks) else 1e9
        if start >= last_end + LABEL_GAP and end <= following:
            mark.label_x = _r(start)
            last_end = end
        else:
            mark.label = ""


def _late_line(entry: Entry, scale: Scale, y: float, rules: _Judged) -> Line:
    lag = rules.logging_lag(entry.date, entry.logged_on)
    return Line(
        _r(scale.x(entry.date)),
        _r(y),
        _r(scale.x(entry.logged_on)),
        _r(y),
        "tl-late-line",
        f"{entry.label}, {uk_date(entry.occurred_on, month_only=entry.month_only)}: "
        f"logged {uk_date(entry.logged_on)}, {_n(lag, 'day')} later",
    )


# ---------------------------------------------------------------- reviews


@dataclass
class _Schedule:
    exit: Row
    kind: str
    due: dt.date
    grace_end: dt.date
    held: Row | None
    state: ReviewState
    latest: bool


def _schedules(exits: list[Row], reviews: list[Row], as_of, rules) -> list[_Schedule]:
    """Each exit's 6- and 12-month reviews, judged on `as_of` (casereview.timerules)."""
    out: list[_Schedule] = []
    for i, exit_row in enumerate(exits):
        latest = i == len(exits) - 1
        following = exits[i + 1].entry.date if not latest else None
        for kind in REVIEW_MONTHS:
            due = review_due_on(exit_row.entry.date, kind)
            held = [
                r for r in reviews if r.entry.review_kind == kind and _exit_of(r, exits) is exit_row
            ]
            if not held and following is not None and due >= following:
                continue  # the later exit restarted the schedule
            first = min(held, key=lambda r: r.entry.date) if held else None
            if first is not None:
                state = rules.review_state(due_on=due, on=as_of, held_on=first.entry.date)
            elif latest:
                state = rules.review_state(due_on=due, on=as_of)
            else:
                state = ReviewState.SCHEDULED  # superseded before it could be missed
            out.append(
                _Schedule(
                    exit_row,
                    kind,
                    due,
                    due + dt.timedelta(days=rules.review_grace_days),
                    first,
                    state,
                    latest,
                )
            )
    return out


def _on(entry: Entry) -> str:
    """ "on 12 March 2015", or "in April 2015" when only the month is known."""
    when = uk_date(entry.occurred_on, month_only=entry.month_only)
    return f"{'in' if entry.month_only else 'on'} {when}"


def _late_by(held: Entry, due: dt.date) -> str:
    """ "184 days", or "about 6 months" for a review known only to its month (its day is not
    known, so neither is the count of days)."""
    if not held.month_only:
        return _n((held.date - due).days, "day")
    months = (held.date.year - due.year) * 12 + held.date.month - due.month
    return f"about {_n(months, 'month')}"


def _exit_of(review: Row, exits: list[Row]) -> Row | None:
    """The latest exit dated strictly before the review (as the findings read it)."""
    earlier = [e for e in exits if e.entry.date < review.entry.date]
    return earlier[-1] if earlier else None


def _bands(schedules, scale, sub_y, rules, link, as_of) -> list[Band]:
    bands: list[Band] = []
    for s in schedules:
        y = sub_y[s.kind]
        months = REVIEW_MONTHS[s.kind]
        exited = uk_date(s.exit.entry.date, month_only=s.exit.entry.month_only)
        about = (
            f"The {months}-month review was due on {uk_date(s.due)} (the case was exited on "
            f"{exited}), {rules.review_grace_days} days' grace to {uk_date(s.grace_end)}"
        )
        x_due, x_grace = scale.x(s.due), scale.x(s.grace_end)
        if s.held is not None:
            state = f"held {_on(s.held.entry)}"
        else:
            state = f"{s.state.label.lower()} as of {uk_date(as_of)}"
        bands.append(
            Band(
                "window",
                s.kind,
                s.due,
                _r(x_due),
                _r(x_grace - x_due),
                _r(y - 5),
                10,
                s.due,
                s.grace_end,
                f"{about}: {state}.",
                link(s.exit),
            )
        )
        if s.state == ReviewState.HELD_LATE and s.held is not None:
            held_on = s.held.entry.date
            late = _late_by(s.held.entry, s.due)
            x_held = scale.x(held_on)
            bands.append(
                Band(
                    "late-arrow",
                    s.kind,
                    s.due,
                    _r(x_due),
                    _r(x_held - x_due),
                    _r(y),
                    0,
                    s.due,
                    held_on,
                    f"{about}: held {late} after it was due, {_on(s.held.entry)}.",
                    link(s.held),
                    label=f"{months}-month review held {late} late",
                    label_x=_r(x_due + 6),
                )
            )
        elif s.state == ReviewState.MISSED:
            x_end = scale.x(as_of)
            bands.append(
                Band(
                    "missed",
                    s.kind,
                    s.due,
                    _r(x_grace),
                    _r(x_end - x_grace),
                    _r(y - 5),
                    10,
                    s.grace_end,
                    as_of,
                    f"{about}: missed, none recorded by {uk_date(as_of)}.",
                    link(s.exit),
                    label=f"{months}-month review missed",
                    label_x=_r(x_grace + 20),  # after its finding number
                )
            )
    return bands


# ---------------------------------------------------------------- record against belief


def _nice_top(value: int) -> int:
    if value <= 4:
        return 4
    if value <= 10:
        return value + (value % 2)
    step = 10 ** (len(str(value)) - 1)
    for nice in (1, 2, 2.5, 5, 10):
        if value <= nice * step:
            return int(nice * step)
    return value


def _count_ticks(top: int) -> list[int]:
    if top <= 6:
        return list(range(0, top + 1, 2 if top > 4 else 1))
    return [0, top // 2, top]


def _step(held_dates: list[dt.date], scale: Scale, count_y, until: dt.date) -> list:
    points = [(_r(scale.x(scale.start)), count_y(0))]
    count = 0
    for day, n in sorted(Counter(held_dates).items()):
        x = _r(scale.x(day))
        points.append((x, count_y(count)))
        count += n
        points.append((x, count_y(count)))
    end = max(until, held_dates[-1]) if held_dates else until
    points.append((_r(scale.x(end)), count_y(count)))
    return points


def _belief(comparison, scale: Scale, count_y, link) -> Belief:
    row = comparison.row
    entry = row.entry
    held = comparison.held_by_then
    count = entry.sessions_believed
    height = count if count is not None else held
    if entry.month_only:
        first = entry.occurred_on.replace(day=1)
        x1, x2 = scale.x(first), scale.x(month_end(first) + DAY)
        x, width = (x1 + x2) / 2, x2 - x1
    else:
        x, width = scale.x(entry.date), 0
    when = uk_date(entry.occurred_on, month_only=entry.month_only)
    source = f" ({entry.source})" if entry.source else ""
    title = (
        f"Entry {row.number}: {entry.agency} believed {_believed_text(entry)} "
        f"{'in' if entry.month_only else 'on'} {when}{source}; "
        f"{_n(held, 'session')} recorded as held by then."
    )
    belief = Belief(
        x=_r(x),
        y=count_y(height),
        width=_r(width),
        count=count,
        held=held,
        label=_label_for(entry) or "nothing specific",
        title=title,
        href=link(row),
        date=entry.date,
        mismatch=comparison.mismatch,
    )
    if count is not None and count > held:
        belief.gap_top = count_y(count)
        belief.gap_bottom = count_y(held)
        belief.gap_label = f"{count - held} not in the record"
    return belief


def _place_belief_labels(beliefs: list[Belief]) -> None:
    """Each label (right of its speech mark; a gap's left of the gap) where it covers no speech
    mark and no label already placed; otherwise the mark's title alone carries it."""
    taken = [(b.x - 3, b.y - 17, b.x + 17, b.y) for b in beliefs]  # the speech marks

    def free(box) -> bool:
        x1, y1, x2, y2 = box
        return not any(
            x1 < bx2 and bx1 < x2 and y1 < by2 and by1 < y2 for bx1, by1, bx2, by2 in taken
        )

    for belief in sorted(beliefs, key=lambda b: b.x):
        if belief.label:
            box = (
                belief.x + 19,
                belief.y - 17,
                belief.x + 21 + LABEL_CHAR_W * len(belief.label),
                belief.y - 4,
            )
            if free(box):
                taken.append(box)
            else:
                belief.label = ""
        if belief.gap_label:
            mid = (belief.gap_top + belief.gap_bottom) / 2
            width = LABEL_CHAR_W * len(belief.gap_label)
            box = (belief.x - 8 - width, mid - 5, belief.x - 6, mid + 6)
            if belief.gap_bottom - belief.gap_top >= 12 and free(box):
                taken.append(box)
            else:
                belief.gap_label = ""


# ---------------------------------------------------------------- axis and scale


def _scale(rows: list[Row], schedules: list[_Schedule], as_of: dt.date, rules, width) -> Scale:
    days: list[dt.date] = []
    for row in rows:
        entry = row.entry
        days.append(entry.occurred_on)
        days.append(month_end(entry.occurred_on) + DAY if entry.month_only else entry.date)
        if rules.late(entry):
            days.append(entry.logged_on)
    for s in schedules:
        days.append(s.grace_end)
        if s.held is not None:
            days.append(s.held.entry.date)
    if not days:
        days = [as_of - dt.timedelta(days=90)]
    first, last = min(days), max(days)
    start = first.replace(day=1)
    span = max((last - start).days, 60)
    end = last + dt.timedelta(days=max(14, span // 40))
    content = (end - start).days
    break_to = None
    if as_of > end and (as_of - end).days > max(183, content // 2):
        break_to = as_of
    elif as_of > end:
        end = as_of + dt.timedelta(days=max(14, content // 40))
    content = (end - start).days
    room = width - PAD_L - PAD_R - (BREAK_W if break_to else 0)
    px = max(room / content, MIN_PX_PER_DAY)
    return Scale(start=start, end=end, x0=PAD_L, px_per_day=px, break_to=break_to)


def _ticks(scale: Scale) -> tuple[list[Tick], list[Tick]]:
    """A tick each month, labelled where its label fits ("Mar", or "M" when months are
    narrow); each year's tick carries the year, the first tick its month and year; year lines
    for the grid."""
    month_px = scale.px_per_day * 30.4
    if month_px >= 26:
        name = lambda day: MONTHS[day.month][:3]  # noqa: E731
    elif month_px >= 9:
        name = lambda day: MONTHS[day.month][0]  # noqa: E731
    else:
        name = lambda day: ""  # noqa: E731
    ticks: list[Tick] = []
    grid: list[Tick] = []
    day = scale.start.replace(day=1)
    free_from = -1e9  # where the last label ends
    while day <= scale.end:
        x = _r(scale.x(day))
        if not ticks and day.month != 1:
            label, major = f"{MONTHS[day.month][:3]} {day.year}", True
        elif day.month == 1:
            label, major = str(day.year), True
            grid.append(Tick(x, label, day, True))
        else:
            label, major = name(day), False
        if label and x + 2 < free_from:
            label = ""  # it would run into the year before it
        if label:
            free_from = x + 4 + LABEL_CHAR_W * len(label)
        ticks.append(Tick(x, label, day, major))
        day = month_end(day) + DAY
    return ticks, grid


def _years_between(a: dt.date, b: dt.date) -> str:
    years = (b - a).days / 365.25
    if years >= 1.5:
        return f"{round(years)} years not drawn to scale"
    return f"{round((b - a).days / 30.44)} months not drawn to scale"


# ---------------------------------------------------------------- findings, legend, words


def _badges(timeline: Timeline, drawing: Drawing) -> list[Badge]:
    """Each finding's number, beside the mark of the entry it is about (a missed review on its
    missed band), once per mark and number."""
    where: dict[str, tuple[float, float]] = {}
    for mark in drawing.marks:
        for key in mark.record_keys:
            where[key] = (mark.end_x if mark.width else mark.x, mark.y)
    account_at = {}
    for belief, comparison in zip(drawing.beliefs, timeline.comparisons, strict=True):
        account_at[comparison.row.entry.record_key] = (belief.x, belief.y)
    missed = {b.due: b for b in drawing.bands if b.kind == "missed"}
    counts = Counter(finding.code for finding, _ in timeline.findings)
    badges: list[Badge] = []
    on_spot: dict[tuple[float, float], list[Badge]] = {}
    for number, (finding, about) in enumerate(timeline.findings, 1):
        label = FINDING_LABELS.get(finding.code, finding.code)
        spot = None
        if finding.code == FindingCode.REVIEW_MISSED:
            band = missed.get(finding.date)
            if band is not None:
                spot = (band.x, band.y + 5)
        elif finding.code == FindingCode.BELIEF_EXCEEDS_RECORD and about:
            at = account_at.get(about[0].entry.record_key)
            spot = (at[0] - 20, at[1] + 11) if at else None  # left of the speech mark
        if spot is None and about:
            spot = where.get(about[0].entry.record_key)
        if spot is None:
            continue
        here = on_spot.setdefault(spot, [])
        if len(here) < MAX_BADGES:  # side by side
            small = counts[finding.code] >= GROUP_FROM  # one of many of its kind: less ink
            badge = Badge(
                _r(spot[0] + 9 + 15 * len(here)),
                _r(spot[1] - 9),
                str(number),
                f"Finding {number}: {label}",
                r=5.5 if small else 7,
                font_size=7.5 if small else 9,
            )
            here.append(badge)
            badges.append(badge)
        else:  # the last one there counts the rest
            last = here[-1]
            more = int(last.number.lstrip("+")) + 1 if last.number.startswith("+") else 2
            last.number = f"+{more}"
            last.title += f"; finding {number}: {label}"
    return badges


def _legend(drawing: Drawing, y: float, width: float) -> tuple[list[LegendItem], float]:
    present: set[str] = set()
    for mark in drawing.marks:
        present.add(mark.shape)
        present.add(mark.kind)  # a span's kind too
        if mark.backfilled or drawing.all_backfilled:
            present.add("backfilled")
    for band in drawing.bands:
        present.add(band.kind)
    if drawing.late_lines:
        present.add("late")
    if drawing.beliefs:
        present.add("account")
    if any(b.gap_label or b.gap_top != b.gap_bottom for b in drawing.beliefs):
        present.add("gap")
    if drawing.badges:
        present.add("finding")
    present.add("step")
    shown = [shape for shape in LEGEND if shape in present]
    per_row = max(int((width - PAD_L) // LEGEND_COL_W), 1)
    items = []
    for i, shape in enumerate(shown):
        row, col = divmod(i, per_row)
        items.append(
            LegendItem(
                _r(PAD_L + col * LEGEND_COL_W + 8),
                _r(y + 10 + row * LEGEND_ROW_H),
                shape,
                ALL_BACKFILLED
                if shape == "backfilled" and drawing.all_backfilled
                else LEGEND[shape],
            )
        )
    rows = -(-len(shown) // per_row)
    return items, rows * LEGEND_ROW_H + 6


def _title(case_ref: str, rows: list[Row], as_of: dt.date) -> str:
    of = f" of {case_ref}" if case_ref else ""
    # Not "as of …": the page's as-of field is labelled so, and a label should name one thing.
    return f"Timeline{of} on a time axis, as known on {uk_date(as_of)}"


def describe(timeline: Timeline, schedules: list[_Schedule], rules: _Judged) -> str:
    """One paragraph from the data, in the order of the story: what the drawing shows, for
    people who cannot see it ("1 session recorded as held; Police believed 4 on …")."""
    rows = timeline.rows
    if not rows:
        return f"No records had been logged by {uk_date(timeline.as_of)}."
    parts = [
        f"{_n(len(rows), 'entry', 'entries')} from {timeline_when(rows[0])} "
        f"to {uk_date(timeline.as_of)}"
    ]
    held = sorted(r.entry.date for r in rows if r.entry.entry_type == EntryType.SESSION_HELD)
    confirmed = sum(
        1 for r in rows if r.entry.entry_type == EntryType.SESSION_HELD and rules.confirmed(r.entry)
    )
    of_them = f", {confirmed} of them confirmed by another agency" if held else ""
    if not held:
        parts.append("no session recorded as held")
    elif len(held) == 1:
        parts.append(f"1 session recorded as held ({uk_date(held[0])}{of_them})")
    else:
        parts.append(
            f"{len(held)} sessions recorded as held ({uk_date(held[0])} to {uk_date(held[-1])}"
            f"{of_them})"
        )
    shown = timeline.comparisons[:6]
    for c in shown:
        entry = c.row.entry
        if entry.sessions_believed is not None:
            believed = str(entry.sessions_believed)
        else:
            believed = entry.believed_status.replace("_", " ") or "nothing specific"
        on = "in" if entry.month_only else "on"
        parts.append(
            f"{entry.agency} believed {believed} {on} "
            f"{uk_date(entry.occurred_on, month_only=entry.month_only)}"
            f" ({c.held_by_then} recorded by then)"
        )
    if len(timeline.comparisons) > len(shown):
        parts.append(f"{len(timeline.comparisons) - len(shown)} more agency accounts")
    exits = [r for r in rows if r.entry.entry_type == EntryType.CASE_EXITED]
    if exits:
        parts.append("case exited " + ", ".join(timeline_when(r) for r in exits))
    for s in schedules:
        months = REVIEW_MONTHS[s.kind]
        if s.held is not None:
            when = f"held {_on(s.held.entry)}"
            if s.state == ReviewState.HELD_LATE:
                when += f", {_late_by(s.held.entry, s.due)} late"
            parts.append(f"{months}-month review due {uk_date(s.due)} {when}")
        elif s.latest:
            parts.append(f"{months}-month review due {uk_date(s.due)} {s.state.label.lower()}")
    late = rules.late_count
    if late:
        parts.append(f"{_n(late, 'entry', 'entries')} logged late")
    findings = len(timeline.findings)
    parts.append(_n(findings, "finding") if findings else "no findings")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def timeline_when(row: Row) -> str:
    return uk_date(row.entry.occurred_on, month_only=row.entry.month_only)
