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

Jobs. Layout costs seconds (a 2,158-entry case about 25 s), so no web request lays out a
PDF: the download view asks `request_pdf`, which finds or starts a `PdfJob` for the
download's *fingerprint* (`pdf_fingerprint`: one query of the highest history id and the
number of history rows of each kind of the case's records, of the case, its person, and of
users and agencies, whose names the document shows; plus the as-of date, what the viewer may
see, the thresholds, the app version and a digest of the code and template that make the
document). Any change to what the document could show adds a history row, so it changes the
fingerprint. A task (`render_job`, on django-tasks' database queue, run by `manage.py
db_worker`) builds the data, lays it out in a child process with a time and a memory limit
and stores the file in the storage "chronology_pdfs" (`cache`), where every app server reads
it; the view serves it after its own access check, to anyone whose download has the same
fingerprint, for `PDF_KEEP_HOURS`. Every download of the same data gets the same bytes, so
the cover names no one: it says when the copy was laid out, and that the case's access log
records who downloaded it. Each download is access-logged with the actual user, by the
caller (the view or the command). See `jobs` for concurrency, retries, expiry and workers
that die mid-render. The command (`render_chronology_pdf`) lays out in its own process.

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
`ChronologyTooLarge` (in the worker, which records it on the job); each text a user types is
at most 20,000 characters (`referrals.models.TEXT_MAX_LENGTH`). In the worker a layout runs
in a forked child (`layout_limited`) killed after `settings.PDF_RENDER_SECONDS` and refused
address space beyond `settings.PDF_RENDER_MEMORY_MB` more than the worker's; a failure is
recorded on the job with a sentence for the waiting page and tried once more.

Modules. `data`: `chronology_data` and everything it is built from, `chronology_hash`,
the size check. `fingerprint`: `pdf_fingerprint`, `FINGERPRINT_FILES` and the code digest.
`render`: `render_html`, `breakable`, `StaticOnlyFetcher`, `_layout` and `layout_limited`.
`cache`: the files in the storage "chronology_pdfs". `jobs`: the download (`request_pdf`),
the task (`render_job`), expiry (`prune`) and the command's `render_chronology_pdf`. They
import one another in that order, never back.
"""

# The names callers use, re-exported. They are bindings: replacing one here changes no
# caller, so patch a function in the module that looks it up (`jobs._layout`,
# `jobs.layout_limited`, `jobs.chronology_data`).
from . import cache
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
    Download,
    prune,
    render_chronology_pdf,
    render_job,
    request_pdf,
    run_job,
    seconds_to_wait,
)
from .render import (
    BREAK_EVERY,
    LONG_RUN,
    STATIC_BASE,
    STYLESHEET,
    TEMPLATE,
    ZERO_WIDTH_SPACE,
    FetchRefused,
    LayoutFailed,
    StaticOnlyFetcher,
    _layout,
    breakable,
    layout_limited,
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
    "Download",
    "FetchRefused",
    "LayoutFailed",
    "StaticOnlyFetcher",
    "_entry_row",
    "_layout",
    "app_version",
    "breakable",
    "cache",
    "check_size",
    "chronology_data",
    "chronology_hash",
    "entry_when",
    "layout_limited",
    "pdf_fingerprint",
    "prune",
    "render_chronology_pdf",
    "render_html",
    "render_job",
    "request_pdf",
    "run_job",
    "seconds_to_wait",
]
