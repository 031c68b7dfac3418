"""The file cache under `settings.PDF_CACHE_DIR`: laid-out PDFs and the fingerprint index.

A PDF is kept per (data hash, as-of date, code digest) and laid out under a per-document
fcntl lock; `fingerprint-<sha256>.json` maps a fingerprint to the PDF it was served as.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .data import ChronologyTooLarge, check_size, chronology_hash
from .fingerprint import _code_digest
from .render import _layout, render_html


def index_path(fingerprint: str) -> Path:
    return Path(settings.PDF_CACHE_DIR) / f"fingerprint-{fingerprint}.json"


def cached_by_fingerprint(fingerprint: str) -> bytes | None:
    """The PDF an earlier download stored for this fingerprint, or None.

    Raises ChronologyTooLarge as building the data would, if the limit is now lower.
    """
    try:
        index = json.loads(index_path(fingerprint).read_text())
        name = index["pdf"]
        if name != Path(name).name:  # only a file of the cache itself
            return None
        entries = int(index["entries"])
        content = (Path(settings.PDF_CACHE_DIR) / name).read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no index yet, or its PDF was removed: build the data
    if entries > settings.PDF_MAX_ENTRIES:
        raise ChronologyTooLarge(entries, settings.PDF_MAX_ENTRIES)
    return content


def remember(fingerprint: str, data: dict) -> None:
    """Point the fingerprint at the cached PDF of `data` (written once that PDF exists)."""
    path = index_path(fingerprint)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    index = {
        "pdf": cache_path(chronology_hash(data), data["as_of"]).name,
        "entries": len(data["entries"]),
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(index, file)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def cache_path(digest: str, as_of: str) -> Path:
    """The cached PDF of (data hash, as-of), as laid out by this code and template."""
    return Path(settings.PDF_CACHE_DIR) / f"{digest}-{as_of}-{_code_digest()[:16]}.pdf"


def cached_pdf(data: dict) -> bytes:
    """The PDF for `data`, laid out at most once per (hash, as-of); later calls read the file."""
    check_size(data)
    digest = chronology_hash(data)
    path = cache_path(digest, data["as_of"])
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be laying out the same document
        try:
            with contextlib.suppress(FileNotFoundError):
                return path.read_bytes()
            html = render_html(data, digest=digest, generated_at=timezone.now())
            content = _layout(html)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:  # mkstemp's file is 0600
                    file.write(content)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                raise
            return content
        finally:
            # Safe once the PDF exists or the layout failed: every waiter re-reads the cache first.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)
