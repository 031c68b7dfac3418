"""PDF chronologies laid out by a task in a worker, never in a web request.

The web. `request_pdf` computes the fingerprint (one query) and finds the `PdfJob` of that
fingerprint: done and fresh, it returns the stored bytes; queued or running, the job (the
waiting page polls); none yet, or one to start again, it creates or resets the job and
enqueues `render_job` in one transaction, under the job row's lock (`get_or_create` on the
unique fingerprint), so identical requests at the same moment enqueue one task.

The worker. `render_job(job_id, attempt)` claims the job under its row lock only if it is
still queued with that attempt number (so a duplicate or superseded task does nothing, and
two workers never lay out the same attempt), builds the data, lays it out with
`layout_limited` (a child process with a time and a memory limit), stores the file and marks
the job done. A failure is recorded with a sentence for the waiting page and tried once more
as a new attempt; a second failure fails the job. A job still "running" past its time limit
(its worker was killed) is started again by the next request for it, as a failure of the
attempt it was on.

Expiry. A file is served for `settings.PDF_KEEP_HOURS` after it was laid out; after that a
request lays it out again (and so does a request whose stored file is missing). A failed
job is tried again after the same time. `prune` deletes expired files and their jobs.

The command. `render_chronology_pdf` (`export_chronology --pdf`) lays out in its own process
without a worker and without the limits, and stores the result as a job would.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, default_task_backend, task

from referrals.access import sees_all_restricted
from referrals.models import Case, User

from ..chronology.kinds import RECORD_TYPES
from ..models import PdfJob
from . import cache as store
from .data import ChronologyTooLarge, check_size, chronology_data, chronology_hash
from .fingerprint import pdf_fingerprint
from .render import LayoutFailed, _layout, layout_limited, render_html

logger = logging.getLogger(__name__)

State = PdfJob.State
Problem = PdfJob.Problem
UNFINISHED = (State.QUEUED, State.RUNNING)

# A rough wait for the waiting page: seconds per document plus per entry, measured on this
# machine (536 entries: 6–8 s; 2,158 entries: 25–30 s).
SECONDS_PER_DOCUMENT = 2.0
SECONDS_PER_ENTRY = 0.013
# Beyond PDF_RENDER_SECONDS, the time a running attempt may take to build its data and store
# its file before it counts as stopped (its worker killed).
STALE_GRACE_SECONDS = 60
# How many tries a job gets: the first and one more.
TRIES = 2


@dataclass(frozen=True)
class Download:
    """What a download request found: the job, and the PDF when it is ready to serve."""

    job: PdfJob
    content: bytes | None = None

    @property
    def too_large(self) -> bool:
        job = self.job
        if job.state == State.FAILED and job.problem == Problem.TOO_LARGE:
            return True
        return job.state == State.DONE and job.entries > settings.PDF_MAX_ENTRIES


# ---------------------------------------------------------------- the web request


def request_pdf(case: Case, *, as_of: dt.date, viewer: User) -> Download:
    """The stored PDF of (case data, viewer's scope, as-of day), or its job, started if need be.

    Never lays anything out. Reads only the job row when it is ready or under way; takes the
    row's lock only to create or restart it.
    """
    fingerprint = pdf_fingerprint(case, as_of=as_of, viewer=viewer)
    job = PdfJob.objects.filter(fingerprint=fingerprint).first()
    now = timezone.now()
    if job is not None and _restart_reason(job, now, look_at_file=False) is None:
        download = Download(job)
        if job.state != State.DONE or download.too_large:
            return download
        content = store.read(job.file_name)
        if content is not None:
            return Download(job, content)
    scope = None if sees_all_restricted(viewer) else viewer.agency_id
    estimate = _estimate_entries(case) if job is None else 0
    with transaction.atomic():
        job, created = PdfJob.objects.select_for_update().get_or_create(
            fingerprint=fingerprint,
            defaults={"case": case, "as_of": as_of, "restricted_to_id": scope, "entries": estimate},
        )
        if created:
            _enqueue(job)
        else:
            reason = _restart_reason(job, timezone.now(), look_at_file=True)
            if reason is not None:
                _start_again(job, reason)
    return Download(job)


def _restart_reason(job: PdfJob, now: dt.datetime, *, look_at_file: bool) -> str | None:
    """Why this job must be laid out (again) now, or None."""
    keep = dt.timedelta(hours=settings.PDF_KEEP_HOURS)
    if job.state == State.DONE:
        if job.finished_at is None or job.finished_at + keep <= now:
            return "expired"
        if look_at_file and not store.exists(job.file_name):
            return "missing"
        return None
    if job.state == State.FAILED:
        if job.problem == Problem.TOO_LARGE:
            return "limit raised" if job.entries <= settings.PDF_MAX_ENTRIES else None
        return "expired" if job.finished_at is None or job.finished_at + keep <= now else None
    return "stopped" if _stopped(job, now) else None


def _stopped(job: PdfJob, now: dt.datetime) -> bool:
    """An unfinished job whose attempt will never finish: its worker was killed mid-render
    (still "running" past its time limit), or its task ended without finishing it."""
    limit = dt.timedelta(seconds=settings.PDF_RENDER_SECONDS + STALE_GRACE_SECONDS)
    if job.state == State.RUNNING and job.started_at and job.started_at + limit <= now:
        return True
    if not job.task_id:
        return False
    try:
        status = default_task_backend.get_result(job.task_id).status
    except Exception:  # a backend that keeps no results, or a pruned result
        return False
    return status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def _start_again(job: PdfJob, reason: str) -> None:
    """Under the job's row lock: a new attempt. A stopped attempt counts as a failure."""
    if reason == "stopped":
        _failed(
            job,
            Problem.STOPPED,
            "The worker laying out the PDF stopped before it finished.",
        )
        return
    job.failures = 0
    job.problem = Problem.NONE
    job.message = ""
    job.attempt += 1
    _enqueue(job)


def _enqueue(job: PdfJob) -> None:
    """Queue `job.attempt` (inside the caller's transaction: the task exists if the row does)."""
    job.state = State.QUEUED
    job.queued_at = timezone.now()
    job.started_at = None
    job.worker_id = ""
    job.save()
    # An immediate backend runs the task inside enqueue, changing the row: write only the id.
    job.task_id = str(render_job.enqueue(job.pk, job.attempt).id)
    job.save(update_fields=["task_id"])


def _estimate_entries(case: Case) -> int:
    """About how many entries the document will have, in one query: the case's records of
    every kind (the worker replaces it with the exact count once it has built the data)."""
    counts = {
        slug: Coalesce(
            Subquery(
                model._base_manager.filter(case=OuterRef("pk"))
                .order_by()
                .values("case")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
        for slug, model in RECORD_TYPES.items()
    }
    row = Case.objects.filter(pk=case.pk).values(**counts).first() or {}
    return sum(row.values())


def seconds_to_wait(job: PdfJob) -> int:
    """A rough wait: the jobs queued before this one, then this one (what it has left)."""
    ahead = PdfJob.objects.filter(state__in=UNFINISHED, queued_at__lt=job.queued_at).aggregate(
        jobs=Count("pk"), entries=Sum("entries")
    )
    queue = (ahead["jobs"] or 0) * SECONDS_PER_DOCUMENT + (
        ahead["entries"] or 0
    ) * SECONDS_PER_ENTRY
    own = SECONDS_PER_DOCUMENT + job.entries * SECONDS_PER_ENTRY
    if job.state == State.RUNNING and job.started_at:
        own = max(own - (timezone.now() - job.started_at).total_seconds(), 1)
        queue = 0
    return math.ceil(queue + own)


# ---------------------------------------------------------------- the worker


@task(takes_context=True)
def render_job(context: TaskContext, job_id: int, attempt: int) -> str:
    """Lay out one attempt of a PdfJob (see the module docstring). Returns what happened."""
    worker_ids = context.task_result.worker_ids
    return run_job(job_id, attempt, worker_id=worker_ids[-1] if worker_ids else "")


def run_job(job_id: int, attempt: int, *, worker_id: str = "") -> str:
    job = _claim(job_id, attempt, worker_id)
    if job is None:
        return "skipped"  # done, superseded, or claimed by another task
    try:
        case = Case.objects.select_related("person").get(pk=job.case_id)
        viewer = (
            None
            if job.restricted_to_id is None
            # Whoever asked, the document of this scope: other agencies' restricted records out.
            else User(role=User.Role.CASEWORKER, agency_id=job.restricted_to_id)
        )
        data = chronology_data(case, as_of=job.as_of, viewer=viewer)
        job.entries, job.entries_counted = len(data["entries"]), True
        job.save(update_fields=["entries", "entries_counted"])  # the waiting page's size
        check_size(data)
        content = _render(data, limited=True)
        name = store.save(job.fingerprint, attempt, content)
    except ChronologyTooLarge as too_large:
        return _finish_failed(
            job_id,
            attempt,
            Problem.TOO_LARGE,
            f"The chronology has {too_large.count:,} entries, more than {too_large.limit:,}.",
        )
    except LayoutFailed as failure:
        return _finish_failed(job_id, attempt, failure.problem, failure.message)
    except Exception as error:
        logger.exception("PDF job %s attempt %s failed", job_id, attempt)
        return _finish_failed(
            job_id, attempt, Problem.ERROR, f"Making the PDF failed ({type(error).__name__})."
        )
    return _finish_done(job_id, attempt, name)


def _claim(job_id: int, attempt: int, worker_id: str) -> PdfJob | None:
    with transaction.atomic():
        job = PdfJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.attempt != attempt or job.state != State.QUEUED:
            return None
        job.state = State.RUNNING
        job.started_at = timezone.now()
        job.worker_id = worker_id[:64]
        job.save(update_fields=["state", "started_at", "worker_id"])
        return job


def _render(data: dict, *, limited: bool) -> bytes:
    html = render_html(data, digest=chronology_hash(data), generated_at=timezone.now())
    if not limited:
        return _layout(html)
    return layout_limited(
        html, seconds=settings.PDF_RENDER_SECONDS, memory_mb=settings.PDF_RENDER_MEMORY_MB
    )


def _finish_done(job_id: int, attempt: int, name: str) -> str:
    with transaction.atomic():
        job = PdfJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.attempt != attempt or job.state != State.RUNNING:
            superseded, previous = True, ""
        else:
            superseded, previous = False, job.file_name
            job.state = State.DONE
            job.file_name = name
            job.finished_at = timezone.now()
            job.problem = Problem.NONE
            job.message = ""
            job.failures = 0
            job.save()
    if superseded:  # another attempt owns the job now
        store.remove(name)
        return "superseded"
    if previous and previous != name:
        store.remove(previous)
    prune()
    return "done"


def _finish_failed(job_id: int, attempt: int, problem: str, message: str) -> str:
    with transaction.atomic():
        job = PdfJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.attempt != attempt or job.state != State.RUNNING:
            return "superseded"
        if problem == Problem.TOO_LARGE:
            job.state, job.problem, job.message = State.FAILED, problem, message
            job.finished_at = timezone.now()
            job.save()
            return "too large"
        _failed(job, problem, message)
        return "failed" if job.state == State.FAILED else "retrying"


def _failed(job: PdfJob, problem: str, message: str) -> None:
    """Under the job's row lock: record a failed attempt; try once more, or fail the job."""
    job.failures += 1
    job.problem = problem
    if job.failures < TRIES:
        job.message = f"{message} It is being tried once more."
        job.attempt += 1
        _enqueue(job)
        return
    job.state = State.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save()


def prune(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Delete up to `limit` expired files and their jobs (a later request starts afresh)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.PDF_KEEP_HOURS)
    expired = list(
        PdfJob.objects.filter(
            state__in=(State.DONE, State.FAILED), finished_at__lte=cutoff
        ).order_by("finished_at")[:limit]
    )
    for job in expired:
        with transaction.atomic():
            current = PdfJob.objects.select_for_update().filter(pk=job.pk).first()
            if current is None or current.state not in (State.DONE, State.FAILED):
                continue
            if current.finished_at is None or current.finished_at > cutoff:
                continue
            current.delete()  # history-safe: a work-queue row, not a record
        store.remove(current.file_name)
    return len(expired)


# ---------------------------------------------------------------- the command


def render_chronology_pdf(case: Case, *, as_of: dt.date, viewer: User | None = None) -> bytes:
    """The case's PDF chronology as of `as_of`, stored or laid out now in this process, with no
    worker and no time or memory limit (the export command). Stores what it lays out, so
    a download of the same data and scope gets it too.

    The document names no one (the copy may be shared). Raises ChronologyTooLarge. The
    caller writes the access log.
    """
    fingerprint = pdf_fingerprint(case, as_of=as_of, viewer=viewer)
    job = PdfJob.objects.filter(fingerprint=fingerprint, state=State.DONE).first()
    if job is not None and _restart_reason(job, timezone.now(), look_at_file=False) is None:
        content = store.read(job.file_name)
        if content is not None:
            if job.entries > settings.PDF_MAX_ENTRIES:
                raise ChronologyTooLarge(job.entries, settings.PDF_MAX_ENTRIES)
            return content
    data = chronology_data(case, as_of=as_of, viewer=viewer)
    check_size(data)
    content = _render(data, limited=False)
    restricted = viewer is not None and not sees_all_restricted(viewer)
    with transaction.atomic():
        job, created = PdfJob.objects.select_for_update().get_or_create(
            fingerprint=fingerprint,
            defaults={
                "case": case,
                "as_of": as_of,
                "restricted_to_id": viewer.agency_id if restricted else None,
                "state": State.RUNNING,
            },
        )
        if not created and job.state == State.RUNNING and not _stopped(job, timezone.now()):
            return content  # a worker is laying it out: leave the job to it
        if not created:
            job.attempt += 1  # supersedes any queued task of the job
        job.state, job.started_at, job.worker_id = State.RUNNING, timezone.now(), "command line"
        job.entries, job.entries_counted = len(data["entries"]), True
        job.save()
        attempt = job.attempt
    _finish_done(job.pk, attempt, store.save(fingerprint, attempt, content))
    return content
