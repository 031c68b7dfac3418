"""Laid-out PDFs in the storage `settings.STORAGES["chronology_pdfs"]`, keyed by fingerprint.

Every app server and worker reads and writes the same storage (a shared folder by default,
any Django storage backend by setting), so a PDF laid out by one worker is served by any app
server. Files are never served by URL: only the download view reads them, after its access
check. Each attempt writes its own name (`chronology/<fingerprint>-<attempt>.pdf`), so a
re-render never overwrites a file being read; the job row says which one is current.
"""

from __future__ import annotations

import contextlib

from django.core.files.base import ContentFile
from django.core.files.storage import storages

STORAGE = "chronology_pdfs"


def storage():
    return storages[STORAGE]


def file_name(fingerprint: str, attempt: int) -> str:
    return f"chronology/{fingerprint}-{attempt}.pdf"


def save(fingerprint: str, attempt: int, content: bytes) -> str:
    """Store the PDF and return the name it was stored under."""
    return storage().save(file_name(fingerprint, attempt), ContentFile(content))


def read(name: str) -> bytes | None:
    """The stored PDF, or None when there is none (never stored, pruned, or removed)."""
    if not name:
        return None
    try:
        with storage().open(name, "rb") as file:
            return file.read()
    except (FileNotFoundError, OSError):
        return None


def exists(name: str) -> bool:
    return bool(name) and storage().exists(name)


def remove(name: str) -> None:
    if name:
        with contextlib.suppress(FileNotFoundError):
            storage().delete(name)  # history-safe: a stored file, not a database row
