"""From the data to PDF bytes: the HTML, long-word break opportunities, the safe fetcher.

Nothing here is cached; `cache.cached_pdf` calls `render_html` and `_layout` at most once
per document.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import unicodedata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import weasyprint
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.urls import URLFetcher, URLFetcherResponse

from referrals.models import uk_date

from .data import LONDON

STATIC_BASE = "casereview-static:/"
STYLESHEET = STATIC_BASE + "css/chronology-pdf.css"
TEMPLATE = "reviews/chronology_pdf.html"


class FetchRefused(ValueError):
    pass


# ---------------------------------------------------------------- long words

# A run of this many characters with no space gets break opportunities...
LONG_RUN = 60
# ...a zero-width space after every this many characters.
BREAK_EVERY = 40
ZERO_WIDTH_SPACE = "\u200b"
# Only ASCII white space counts as a gap: a no-break space is no break opportunity.
_LONG_RUN = re.compile(rf"[^\t\n\x0b\x0c\r ]{{{LONG_RUN + 1},}}")


def _break_run(match: re.Match) -> str:
    run, pieces, start = match.group(0), [], 0
    while len(run) - start > BREAK_EVERY:
        end = start + BREAK_EVERY
        # Never between a letter and its accent, nor inside a joined emoji.
        while end < len(run) and (
            unicodedata.category(run[end]).startswith("M") or "\u200d" in run[end - 1 : end + 1]
        ):
            end += 1
        pieces.append(run[start:end])
        start = end
    pieces.append(run[start:])
    return ZERO_WIDTH_SPACE.join(pieces)


def breakable(value):
    """`value` (a string, or the JSON values of `chronology_data`) with a zero-width space
    every BREAK_EVERY characters in each run of more than LONG_RUN characters without a
    space: where a long word may wrap, in linear layout time instead of quadratic."""
    if isinstance(value, str):
        return _LONG_RUN.sub(_break_run, value) if len(value) > LONG_RUN else value
    if isinstance(value, dict):
        return {key: breakable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [breakable(item) for item in value]
    return value


# ---------------------------------------------------------------- layout


class StaticOnlyFetcher(URLFetcher):
    """Lets WeasyPrint read `data:` URLs and casereview's own static files, nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.split(":", 1)[0].lower() == "data":
            return super().fetch(url, headers)
        if url.startswith(STATIC_BASE):
            return self._static(url, url[len(STATIC_BASE) :])
        raise FetchRefused(f"Refused to fetch {url[:200]!r}: only data: URLs and static files.")

    def _static(self, url: str, name: str) -> URLFetcherResponse:
        name = unquote(name.split("?", 1)[0].split("#", 1)[0])
        parts = PurePosixPath(name).parts
        if not name or name.startswith("/") or "\\" in name or any(p in ("..", ".") for p in parts):
            raise FetchRefused(f"Refused to fetch {url[:200]!r}: not a static file name.")
        try:
            found = finders.find(name)
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise FetchRefused(f"Refused to fetch {url[:200]!r}: no such static file.")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})


def _layout(html: str) -> bytes:
    """HTML to PDF bytes: the expensive step that the cache exists to run once."""
    document = weasyprint.HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def render_html(data: dict, *, digest: str, generated_at: dt.datetime) -> str:
    """The document's HTML. It names no requester: the bytes are shared by every download."""
    at = timezone.localtime(generated_at, LONDON)
    return render_to_string(
        TEMPLATE,
        {
            **breakable(data),
            "digest": digest,
            "generated_at": f"{uk_date(at.date())}, {at:%H:%M} {at:%Z}",
            "stylesheet": STYLESHEET,
        },
    )
