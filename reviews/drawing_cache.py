"""The timeline page's drawing, kept between views of a case that has not changed.

Drawing a case of 2,000 entries costs 15–40 ms (placing every mark, then writing 170 KB of
SVG) against about 125 ms for the rest of its timeline page; issue 16 allows the drawing a
tenth of the page. Most views of a case are repeat views of unchanged data (a reviewer
paging through the chronology, a supervisor coming back to it), so the written SVG is kept
in the cache under a key made of what the drawing is drawn from: the timeline the page has
already built (every row's number and entry, all of its fields, when it was entered and
whether it is void — so a restricted record another viewer may not see makes another key),
its as-of day, the time thresholds, and the page size. Hashing the rows costs about half a
millisecond for 2,000 entries and no query (the case's data fingerprint,
`reviews.pdf.fingerprint`, is one query whose planning alone takes tens of milliseconds on
PostgreSQL: right for a PDF, too dear for a page). The cache is each app process's memory
(`CACHES`: the hash is Python's, which differs between processes) and a restart empties it,
so a deployment that changes how a case is drawn never serves an old drawing; entries expire
after `DRAWING_CACHE_SECONDS`.

Links. Each mark links to its entry on the page of the chronology that lists it,
`?page=K#entry-N` (with `as_of=` for a past day), the same for every page of the list; the
page being shown turns the links to its own rows into `#entry-N` (one `str.replace` on the
written SVG), so selecting a mark of this page scrolls rather than reloads. A filtered list
(agency or type) numbers its pages differently: its drawing is drawn for each view, not kept.
"""

from __future__ import annotations

import dataclasses
import html
import math

from django.conf import settings
from django.core.cache import caches
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from casereview.timerules import TimeRules
from referrals.models import Case

from .chronology.drawing import build_drawing
from .chronology.svg import render_svg
from .chronology.timeline import Row, Timeline

CACHE_ALIAS = "default"
KEY_PREFIX = "timeline-drawing:v1:"


class PageLinks:
    """`?page=K#entry-N` for the page of the whole chronology that lists each row."""

    def __init__(self, timeline: Timeline, *, per_page: int, as_of_param: str):
        self.page_of = {row.number: i // per_page + 1 for i, row in enumerate(timeline.rows)}
        self.as_of_param = as_of_param
        self._prefixes: dict[int, str] = {}

    def prefix(self, page: int) -> str:
        prefix = self._prefixes.get(page)
        if prefix is None:
            query = QueryDict(mutable=True)
            if self.as_of_param:
                query["as_of"] = self.as_of_param
            query["page"] = str(page)
            prefix = self._prefixes[page] = f"?{query.urlencode()}"
        return prefix

    def __call__(self, row: Row) -> str:
        return f"{self.prefix(self.page_of[row.number])}#{row.anchor}"


def drawn_from(timeline: Timeline) -> str:
    """What the drawing of `timeline` depends on, as a hash: its rows (number, entry with all
    its fields, entered on, void), as-of day and the time thresholds. Python's hash: the same
    within one process, which is where the drawing is kept."""
    rows = tuple((r.number, r.entry, r.entry.entered_on, r.entry.voided) for r in timeline.rows)
    rules = dataclasses.astuple(TimeRules.current())
    return f"{timeline.as_of.isoformat()}:{hash((rows, rules)) & 0xFFFFFFFFFFFFFFFF:016x}"


def _drawn(timeline: Timeline, *, case_ref: str, href) -> tuple[str, bool]:
    drawing = build_drawing(timeline, rules=TimeRules.current(), case_ref=case_ref, href=href)
    data = drawing.as_json()
    return ("" if data["empty"] else render_svg(data)), bool(data["empty"])


def page_drawing(
    case: Case,
    timeline: Timeline,
    *,
    page: int,
    per_page: int,
    as_of_param: str,
) -> tuple[SafeString, bool]:
    """The SVG drawing of the whole, unfiltered `timeline` of `case` as the timeline page at
    `page` shows it (`per_page` rows a page), and whether it is empty (nothing to draw).

    `as_of_param` is the as-of day of a past view ("" for today's). Served from the cache
    when the same timeline was drawn before (`drawn_from`).
    """
    links = PageLinks(timeline, per_page=per_page, as_of_param=as_of_param)
    cache = caches[CACHE_ALIAS]
    key = f"{KEY_PREFIX}{case.pk}:{per_page}:{as_of_param}:{drawn_from(timeline)}"
    kept = cache.get(key)
    if kept is None:
        kept = _drawn(timeline, case_ref=case.reference, href=links)
        cache.set(key, kept, settings.DRAWING_CACHE_SECONDS)
    svg, empty = kept
    pages = max(math.ceil(len(timeline.rows) / per_page), 1)
    if 1 <= page <= pages:
        # This page's own rows: scroll to them (the attribute as render_svg escapes it).
        here = html.escape(f"{links.prefix(page)}#", quote=True)
        svg = svg.replace(f'href="{here}', 'href="#')
    # render_svg escapes every value it writes (reviews/chronology/svg.py); the replacement
    # above puts back only a fixed attribute start.
    return mark_safe(svg), empty  # noqa: S308
