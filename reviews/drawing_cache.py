"""The timeline page's drawing, kept between views of a case that has not changed.

Drawing a case of 2,000 entries costs 25–40 ms (placing every mark, then writing 170 KB of
SVG) against about 125 ms for the rest of its timeline page; issue 16 allows the drawing a
tenth of the page. Most views of a case are repeat views of unchanged data (a reviewer
paging through the chronology, a supervisor coming back to it), so the written SVG is kept
in the cache under the case's data fingerprint (`reviews.pdf.fingerprint.pdf_fingerprint`:
one query of history ids that moves with every change to the case's records, the case, its
person, any agency or user name, the time thresholds, the as-of day, what the viewer may see
of restricted records, and the code that draws). A changed case gets a new key; old entries
expire (`DRAWING_CACHE_SECONDS`).

Links. Each mark links to its entry on the page of the chronology that lists it,
`?page=K#entry-N` (with `as_of=` for a past day), the same for every page of the list; the
page being shown turns the links to its own rows into `#entry-N` (one `str.replace` on the
written SVG), so selecting a mark of this page scrolls rather than reloads. A filtered list
(agency or type) numbers its pages differently: its drawing is drawn for each view, not kept.
"""

from __future__ import annotations

import html
import math

from django.conf import settings
from django.core.cache import caches
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from casereview.timerules import TimeRules
from referrals.models import Case, User

from .chronology.drawing import build_drawing
from .chronology.svg import render_svg
from .chronology.timeline import Row, Timeline
from .pdf.fingerprint import pdf_fingerprint

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


def _drawn(timeline: Timeline, *, case_ref: str, href) -> tuple[str, bool]:
    drawing = build_drawing(timeline, rules=TimeRules.current(), case_ref=case_ref, href=href)
    data = drawing.as_json()
    return ("" if data["empty"] else render_svg(data)), bool(data["empty"])


def page_drawing(
    case: Case,
    timeline: Timeline,
    *,
    viewer: User,
    page: int,
    per_page: int,
    as_of_param: str,
) -> tuple[SafeString, bool]:
    """The SVG drawing of the whole, unfiltered `timeline` of `case` as the timeline page at
    `page` shows it (`per_page` rows a page), and whether it is empty (nothing to draw).

    `as_of_param` is the as-of day of a past view ("" for today's). Served from the cache
    when the case's fingerprint has not moved since it was drawn.
    """
    links = PageLinks(timeline, per_page=per_page, as_of_param=as_of_param)
    cache = caches[CACHE_ALIAS]
    fingerprint = pdf_fingerprint(case, as_of=timeline.as_of, viewer=viewer)
    key = f"{KEY_PREFIX}{fingerprint}:{per_page}:{as_of_param}"
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
