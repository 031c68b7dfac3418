"""From the data to PDF bytes: the HTML, long-word break opportunities, the safe fetcher,
and the layout in a child process with a time and a memory limit (`layout_limited`).

Nothing here is stored; `jobs` calls `render_html` and a layout once per job attempt.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import math
import mimetypes
import os
import re
import resource
import select
import signal
import time
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


class LayoutFailed(Exception):
    """A limited layout produced no PDF. `problem` is a `PdfJob.Problem` value; the message
    is a sentence for the person waiting for the document."""

    def __init__(self, problem: str, message: str):
        super().__init__(message)
        self.problem = problem
        self.message = message


_MIB = 1024 * 1024


def layout_limited(html: str, *, seconds: float, memory_mb: int) -> bytes:
    """`_layout(html)` in a forked child process, killed after `seconds` and refused memory
    beyond `memory_mb` MiB more address space than this process had (RLIMIT_AS).

    A runaway layout then costs one child, never the worker: the worker records the failure
    and goes on with the next task. The child also gets a CPU-time limit a little above
    `seconds`, so it dies on its own if the worker itself is killed mid-render. Raises
    LayoutFailed. Only the layout runs in the child: it reads no database (the data and the
    HTML are made by the caller), and it leaves with `os._exit`, closing nothing it inherited.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _layout_in_child(html, read_end, write_end, seconds, memory_mb)
    os.close(write_end)
    output, timed_out, reaped = bytearray(), False, False
    try:
        deadline = time.monotonic() + seconds
        poller = select.poll()
        poller.register(read_end, select.POLLIN)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(left * 1000):
                timed_out = True
                break
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            output += chunk
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        status = os.waitpid(pid, 0)[1]
        reaped = True
    finally:
        os.close(read_end)
        if not reaped:  # interrupted (the worker is stopping): take the child with it
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    limit = f"{seconds:g} second{'s' if seconds != 1 else ''}"
    if (
        timed_out
        or os.WIFSIGNALED(status)
        and os.WTERMSIG(status)
        in (
            signal.SIGXCPU,
            signal.SIGKILL,
        )
    ):
        raise LayoutFailed("time", f"Laying out the PDF took longer than its limit of {limit}.")
    if output.startswith(b"PDF:") and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return bytes(output[4:])
    if output.startswith(b"MEM:"):
        raise LayoutFailed(
            "memory", f"Laying out the PDF needed more than its memory limit of {memory_mb} MB."
        )
    if output.startswith(b"ERR:"):
        detail = output[4:].decode("utf-8", "replace")
        raise LayoutFailed("error", f"Laying out the PDF failed: {detail}")
    how = (
        f"signal {os.WTERMSIG(status)}"
        if os.WIFSIGNALED(status)
        else f"exit status {os.WEXITSTATUS(status)}"
    )
    raise LayoutFailed(
        "error",
        f"Laying out the PDF stopped unexpectedly ({how}); it may have needed more than its "
        f"memory limit of {memory_mb} MB.",
    )


def _layout_in_child(html: str, read_end: int, write_end: int, seconds: float, memory_mb: int):
    status = 70
    try:
        os.close(read_end)
        _die_with_parent()
        with open("/proc/self/statm") as statm:  # the size inherited from the worker
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = size + memory_mb * _MIB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = math.ceil(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        try:
            message = b"PDF:" + _layout(html)
            status = 0
        except MemoryError:
            message = b"MEM:"
        except Exception as error:  # reported to the worker, which records it on the job
            message = b"ERR:" + f"{type(error).__name__}: {error}"[:300].encode()
        view = memoryview(message)
        while view:
            view = view[os.write(write_end, view) :]
    finally:
        os._exit(status)


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL if the worker dies first (the CPU limit covers the rest)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


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
