"""The fingerprint: a cheap key for a download, one query of history ids and counts.

See the package docstring ("Cache") for how the fingerprint index serves a repeat download.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import connection

from casereview.timerules import TimeRules
from referrals.access import sees_all_restricted
from referrals.models import Agency, Case, Person, User

from ..chronology.query import RECORD_TYPES
from .data import app_version

# The files whose change changes what the same data lays out as (see `_code_digest`).
FINGERPRINT_FILES = (
    "reviews/pdf/data.py",
    "reviews/pdf/render.py",
    "reviews/chronology/timeline.py",
    "reviews/chronology/findings.py",
    "reviews/chronology/query.py",
    "reviews/chronology/kinds.py",  # the query's tables, columns and row mapping
    "reviews/chronology/entries.py",
    "reviews/chronology/drawing.py",  # the first page's drawing
    "casereview/timerules.py",
    "casereview/ukdates.py",
    "templates/reviews/chronology_pdf.html",
    "reviews/chronology/svg.py",  # writes the drawing out as SVG
    "static/css/chronology-pdf.css",
)


@functools.cache
def _code_digest() -> str:
    """SHA-256 of the code and template that turn records into the document, once per process:
    a deployment that changes them without a version bump still gets new documents."""
    parts = []
    for name in FINGERPRINT_FILES:
        try:
            content = (Path(settings.BASE_DIR) / name).read_bytes()
        except OSError:
            content = b""
        parts.append(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return hashlib.sha256(b"".join(parts)).hexdigest()


@functools.cache
def _fingerprint_sql(vendor: str) -> str:
    """One UNION ALL of (max history_id, count) per history table, for one case.

    Parameters: the case id once per record type, then the case id and the person id.
    `vendor` only keys the cache to the database kind.
    """
    q = connection.ops.quote_name
    parts = []
    for slug, model in RECORD_TYPES.items():
        history = model.history.model
        parts.append(
            f"SELECT '{slug}', MAX(h.{q('history_id')}), COUNT(*) "
            f"FROM {q(history._meta.db_table)} h WHERE h.{q(model._meta.pk.column)} IN "
            f"(SELECT r.{q(model._meta.pk.column)} FROM {q(model._meta.db_table)} r "
            f"WHERE r.{q(model._meta.get_field('case').column)} = %s)"
        )
    for slug, model in (("case", Case), ("person", Person)):
        history = model.history.model
        parts.append(
            f"SELECT '{slug}', MAX(h.{q('history_id')}), COUNT(*) "
            f"FROM {q(history._meta.db_table)} h WHERE h.{q(model._meta.pk.column)} = %s"
        )
    # Names shown for agencies and for who logged or changed what: any rename anywhere.
    for slug, model in (("agency", Agency), ("user", User)):
        parts.append(
            f"SELECT '{slug}', MAX(h.{q('history_id')}), COUNT(*) "
            f"FROM {q(model.history.model._meta.db_table)} h"
        )
    return "\nUNION ALL\n".join(parts)


def pdf_fingerprint(case: Case, *, as_of: dt.date, viewer: User | None = None) -> str:
    """A cheap key that changes whenever anything `chronology_data(case, as_of=as_of,
    viewer=viewer)` could return changes: one query of index lookups, no entries built.

    Every change to a record of the case, to the case or its person, and to any user or
    agency is written with a history row, so it moves that table's highest history id
    or its number of rows. Compute it BEFORE building the data: the data is then at
    least as new as the fingerprint, so a fingerprint never points at older data.
    """
    params = [case.pk] * len(RECORD_TYPES) + [case.pk, case.person_id]
    with connection.cursor() as cursor:  # history-safe: reads only
        cursor.execute(_fingerprint_sql(connection.vendor), params)  # history-safe: a SELECT
        history = sorted([str(slug), latest, count] for slug, latest, count in cursor.fetchall())
    restricted = viewer is not None and not sees_all_restricted(viewer)
    key = {
        "case": case.pk,
        "as_of": as_of.isoformat(),
        "sees": f"agency:{viewer.agency_id}" if restricted else "all",
        "thresholds": dataclasses.astuple(TimeRules.current()),  # the settings the data uses
        "app_version": app_version(),
        "code": _code_digest(),
        "history": history,
    }
    canonical = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
