"""Producing a download: from the cache by fingerprint, or built and laid out.

`render_chronology_pdf` (the command: no time limit) and `chronology_pdf_bounded` (the web:
one shared worker thread, a bounded wait, `StillRendering` when it runs out).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from referrals.models import Case, User

from .cache import cache_path, cached_by_fingerprint, cached_pdf, remember
from .data import check_size, chronology_data, chronology_hash
from .fingerprint import pdf_fingerprint


class StillRendering(Exception):
    """The layout did not finish in time; it goes on in the background, into the cache."""


def render_chronology_pdf(case: Case, *, as_of: dt.date, viewer: User | None = None) -> bytes:
    """The case's PDF chronology as of `as_of`, from the cache or laid out now (no time limit).

    The document names no one (the copy may be shared). Raises ChronologyTooLarge. The
    caller writes the access log.
    """
    fingerprint = pdf_fingerprint(case, as_of=as_of, viewer=viewer)
    content = cached_by_fingerprint(fingerprint)
    if content is None:
        data = chronology_data(case, as_of=as_of, viewer=viewer)
        content = cached_pdf(data)
        remember(fingerprint, data)
    return content


def chronology_pdf_bounded(
    case: Case, *, as_of: dt.date, viewer: User | None, timeout: float
) -> bytes:
    """The web download: by fingerprint from the cache when the case has not changed,
    else `chronology_data` and `render_bounded` (at most `timeout` seconds of waiting).

    The document names no one (the copy is shared by every download of the same data; the
    caller access-logs who asked). Raises ChronologyTooLarge and StillRendering as
    `render_bounded` does.
    """
    fingerprint = pdf_fingerprint(case, as_of=as_of, viewer=viewer)
    content = cached_by_fingerprint(fingerprint)
    if content is None:
        data = chronology_data(case, as_of=as_of, viewer=viewer)
        content = render_bounded(data, timeout=timeout)
        remember(fingerprint, data)
    return content


# One layout at a time per process, shared by every web request; bounded waits.
_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chronology-pdf")
_IN_FLIGHT: dict[str, Future] = {}
_IN_FLIGHT_LOCK = threading.Lock()


def render_bounded(data: dict, *, timeout: float) -> bytes:
    """`cached_pdf` on the shared worker thread, waiting at most `timeout` seconds.

    A repeat request for a document still being laid out waits on the same job
    rather than queueing another. Raises StillRendering when time runs out (the
    job carries on into the cache) and ChronologyTooLarge before any work.
    """
    check_size(data)
    path = cache_path(chronology_hash(data), data["as_of"])
    key = path.name
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    with _IN_FLIGHT_LOCK:
        future = _IN_FLIGHT.get(key)
        if future is None:
            future = _EXECUTOR.submit(cached_pdf, data)
            _IN_FLIGHT[key] = future
    future.add_done_callback(functools.partial(_forget, key))
    try:
        return future.result(timeout=timeout)
    except TimeoutError:
        raise StillRendering(key) from None


def _forget(key: str, future: Future) -> None:
    with _IN_FLIGHT_LOCK:
        if _IN_FLIGHT.get(key) is future:
            del _IN_FLIGHT[key]


def wait_for_renders(timeout: float | None = None) -> None:
    """Wait until no layout is in flight (tests, and a clean shutdown)."""
    with _IN_FLIGHT_LOCK:
        futures = list(_IN_FLIGHT.values())
    for future in futures:
        with contextlib.suppress(Exception):
            future.result(timeout=timeout)
