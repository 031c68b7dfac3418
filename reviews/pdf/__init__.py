"""The PDF case chronology for inquiries, laid out by WeasyPrint.

One data function. `chronology_data(case, as_of=...)` reads the case once through
`entries_for_case` and `compute_findings`, by way of `timeline_data` (so the
entry numbers, the findings and the account-against-record comparison are the
timeline page's; nothing here re-implements a finding), and returns plain JSON
values. The template renders only that dict, and `chronology_hash` is
the SHA-256 of its canonical JSON, so the hash on the cover covers everything the
document says except when it was laid out. It includes the app version and
the change history shown in the appendix: a copy from another version, or made
after a record was edited, has another hash.

As of. Entries logged after the as-of date are left out (as in `case_findings
--as-of`), and so are the follow-up reviews and change history of records that
were not yet logged then. A review held but logged after the as-of date shows as
scheduled or missed. Reviews closed as "not possible" or "cancelled" carry no
date, so they show that state whatever the as-of date.

Cache. Layout costs seconds (docs/performance-notes.md), so a document is laid
out once per (data hash, as-of date) and its bytes are kept under
`settings.PDF_CACHE_DIR` (a per-document file lock stops two processes laying out
the same one). Building the data to learn its hash costs a few hundred
milliseconds on a large case, so a download first computes a cheap
*fingerprint* (`pdf_fingerprint`: one query of the highest history id and the
number of history rows of each kind of the case's records, of the case, its
person, and of users and agencies, whose names the document shows; plus the as-of
date, what the viewer may see, the thresholds, the app version and a digest of the
code and template that make the document). Any change to what the document could
show adds a history row, so it changes the fingerprint. An index file in
`PDF_CACHE_DIR` (`fingerprint-<sha256>.json`) maps a fingerprint to the cached PDF; only when there is
none is the data built and the document looked up by its hash, or laid out, as
before. Every later download of that (hash, as-of) gets the same bytes, so the
cover names no one: it says when the copy was laid out, and that the case's access
log records who downloaded it (re-laying out each download to name its requester is
what the cache exists to avoid). Each download is access-logged with the actual
user, by the caller (the view or the command). A cached file's name carries the
digest of the code and template too (`cache_path`), so a copy laid out by an
earlier version is never served again. Nothing prunes the cache yet.

Safety. User text reaches WeasyPrint only through the autoescaped Django template.
WeasyPrint lays out an unbroken word in time that grows with the square of its
length (a 20,000-character word: 12 s; a 60,000-character one: minutes), so
`render_html` puts a zero-width space every `BREAK_EVERY` characters into any run of
more than `LONG_RUN` characters without a space, in the copy it renders: the data,
and so the hash, keep the text as stored.
WeasyPrint fetches through `StaticOnlyFetcher`: `data:` URLs and the app's own
static files (`casereview-static:/css/...`, found by the staticfiles finders) are
allowed and anything else (`file:`, `http:`, relative paths) is refused.

Limits. A case with more than `settings.PDF_MAX_ENTRIES` entries raises
`ChronologyTooLarge`; each text a user types is at most 20,000 characters
(`referrals.models.TEXT_MAX_LENGTH`). Web requests render through `render_bounded`,
which lays out on one shared worker thread and waits at most
`settings.PDF_TIMEOUT_SECONDS`. If that time runs out it raises `StillRendering`, and
the layout finishes into the cache for the next try (it is not stopped: the wait is
bounded, the layout is bounded only by those limits).

Modules. `data`: `chronology_data` and everything it is built from, `chronology_hash`,
the size check. `fingerprint`: `pdf_fingerprint`, `FINGERPRINT_FILES` and the code digest.
`render`: `render_html`, `breakable`, `StaticOnlyFetcher` and `_layout`. `cache`: the
files under `PDF_CACHE_DIR`, their locks, the fingerprint index. `jobs`: a download
(`render_chronology_pdf`, `chronology_pdf_bounded`), the shared worker thread and
`render_bounded`. They import one another in that order, never back.
"""

# The names callers use, re-exported. They are bindings: replacing one here changes no
# caller, so patch a function in the module that looks it up (`cache._layout`,
# `jobs.chronology_data`).
from .cache import cache_path, cached_by_fingerprint, cached_pdf, index_path, remember
from .data import (
    CHANGE_TYPES,
    COMMAND_LINE,
    LONDON,
    ChronologyTooLarge,
    _entry_row,
    app_version,
    check_size,
    chronology_data,
    chronology_hash,
    entry_when,
)
from .fingerprint import FINGERPRINT_FILES, pdf_fingerprint
from .jobs import (
    StillRendering,
    chronology_pdf_bounded,
    render_bounded,
    render_chronology_pdf,
    wait_for_renders,
)
from .render import (
    BREAK_EVERY,
    LONG_RUN,
    STATIC_BASE,
    STYLESHEET,
    TEMPLATE,
    ZERO_WIDTH_SPACE,
    FetchRefused,
    StaticOnlyFetcher,
    _layout,
    breakable,
    render_html,
)

__all__ = [
    "BREAK_EVERY",
    "CHANGE_TYPES",
    "COMMAND_LINE",
    "FINGERPRINT_FILES",
    "LONDON",
    "LONG_RUN",
    "STATIC_BASE",
    "STYLESHEET",
    "TEMPLATE",
    "ZERO_WIDTH_SPACE",
    "ChronologyTooLarge",
    "FetchRefused",
    "StaticOnlyFetcher",
    "StillRendering",
    "_entry_row",
    "_layout",
    "app_version",
    "breakable",
    "cache_path",
    "cached_by_fingerprint",
    "cached_pdf",
    "check_size",
    "chronology_data",
    "chronology_hash",
    "chronology_pdf_bounded",
    "entry_when",
    "index_path",
    "pdf_fingerprint",
    "remember",
    "render_bounded",
    "render_chronology_pdf",
    "render_html",
    "wait_for_renders",
]
