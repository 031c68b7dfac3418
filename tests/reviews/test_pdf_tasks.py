"""PDF chronologies (and reminders) as tasks on the database queue, worked off by db_worker.

Every test here runs on SQLite and on PostgreSQL. Where the point is what happens at the same
moment in two processes (identical requests, two workers, two reminder runs), PostgreSQL
runs them in threads with their own connections (SKIP LOCKED, row locks); SQLite, which
writes one transaction at a time, runs them one after the other. A killed worker is a real
`manage.py db_worker` process killed with SIGKILL on PostgreSQL (the subprocess needs the
test database on a server); on SQLite its state is reproduced exactly (task and job claimed,
nothing more written).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pdfplumber
import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from referrals.models import AccessGrant, AccessLog, Agency, Case, User
from reviews import pdf
from reviews.chronology.csv_format import import_chronology
from reviews.models import PdfJob, ReminderSent
from reviews.pdf import jobs
from tests import factories
from tests.reviews.test_chronology_csv import FAILURE

pytestmark = pytest.mark.django_db
D = dt.date
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- helpers other tests use


def run_worker(worker_id: str = "worker-1", *, max_tasks: int | None = None) -> None:
    """django-tasks-db's own worker loop, in this thread, until the queue is empty.

    Inside a test's transaction the loop must not close the connection (it does so between
    tasks to drop broken ones, as Django does between requests): that would end the test's
    transaction. Transactional tests and other threads run it as it is.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    if not connection.in_atomic_block:
        worker.run()
        return
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()


def is_waiting(response) -> bool:
    return response.status_code == 200 and b"Your chronology is being prepared" in (
        response.content if not response.streaming else b""
    )


def download(client, url: str):
    """GET `url` as a browser on the waiting page would: while the chronology is being
    prepared, let a worker work off the queue, then ask again."""
    response = client.get(url)
    for _ in range(3):
        if not is_waiting(response):
            return response
        run_worker()
        response = client.get(url)
    return response


class WorkerThread:
    """A db_worker loop in a thread beside live_server: `start()`, then `stop()`.

    On PostgreSQL it is the worker's own loop. SQLite's test database is shared memory, whose
    table locks wait for nobody (no busy timeout, unlike the WAL file `make run` uses), so
    there the worker takes one task at a time while holding a lock that the live server's
    requests take too: never both at once.
    """

    def __init__(self, worker_id: str = "browser-worker"):
        self.worker_id = worker_id
        self.serialized = connection.vendor == "sqlite"
        self.running = True
        self.worker = Worker(
            queue_names=["*"],
            interval=0.1,
            batch=self.serialized,
            backend_name="default",
            startup_delay=False,
            max_tasks=1 if self.serialized else None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.patch = mock.patch.object(
            WSGIHandler, "__call__", _one_at_a_time(WSGIHandler.__call__)
        )

    def _run(self):
        try:
            if not self.serialized:
                self.worker.run()
                return
            while self.running:
                with _SERVER_LOCK:
                    self.worker._run_tasks = 0
                    self.worker.run()
                time.sleep(0.1)
        finally:
            connection.close()

    def start(self) -> WorkerThread:
        if self.serialized:
            self.patch.start()
        self.thread.start()
        return self

    def wait_for(self, check, timeout: float = 60) -> None:
        """Until `check()` (which may read the database) is true, checked between tasks."""
        deadline = time.monotonic() + timeout
        while True:
            with _SERVER_LOCK:
                if check():
                    return
            assert time.monotonic() < deadline, "the worker did not get there in time"
            time.sleep(0.1)

    def stop(self) -> None:
        self.running = self.worker.running = False
        self.thread.join(timeout=60)
        if self.serialized:
            self.patch.stop()
        assert not self.thread.is_alive()


_SERVER_LOCK = threading.RLock()


def _one_at_a_time(call):
    def locked(self, environ, start_response):
        with _SERVER_LOCK:
            return call(self, environ, start_response)

    return locked


def in_parallel(*calls) -> None:
    """Run the calls at the same moment in threads (PostgreSQL), or one after the other."""
    if connection.vendor != "postgresql":
        for call in calls:
            call()
        return
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def pdf_storage(settings, tmp_path):
    """A storage folder of this test's own (the storage is looked up per call)."""
    location = tmp_path / "chronology-pdfs"
    configured = settings.STORAGES["chronology_pdfs"]
    settings.STORAGES = {
        **settings.STORAGES,
        "chronology_pdfs": {
            **configured,
            "OPTIONS": {**configured["OPTIONS"], "location": location},
        },
    }
    return location


@pytest.fixture
def cast():
    importer = factories.user("importer", role=User.Role.ADMIN)
    import_chronology(
        [("failure.csv", FAILURE.encode())], user=importer, owner=importer, trusted=True
    )
    case = Case.objects.select_related("person").get(reference="CR-T-1")
    police = Agency.objects.get(name="Police")
    inquiry = factories.user(
        "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
    )
    AccessGrant.objects.create(
        case=case,
        user=inquiry,
        reason="Inquiry",
        ends_on=D(2099, 1, 1),
        granted_by=importer,
        starts_on=D(2000, 1, 1),
    )
    return {
        "case": case,
        "caseworker": factories.user("caseworker", agency_=police),
        "colleague": factories.user("colleague", agency_=police),
        "inquiry": inquiry,
        "outsider": factories.user("outsider", agency_=factories.agency("Elsewhere")),
    }


@pytest.fixture
def renders(monkeypatch):
    """Each layout a worker runs, by as-of date and thread (the child process does the work)."""
    calls = []
    lock = threading.Lock()
    real = jobs._render

    def counting(data, *, limited):
        with lock:
            calls.append((data["as_of"], threading.current_thread().name))
        return real(data, limited=limited)

    monkeypatch.setattr(jobs, "_render", counting)
    return calls


def pdf_url(case, **query):
    url = reverse("reviews:chronology-pdf", args=[case.reference])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cover(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(content)) as document:
        return document.pages[0].extract_text() or ""


def stored_files(location: Path) -> list[Path]:
    return sorted(location.rglob("*.pdf"))


# ---------------------------------------------------------------- the waiting page


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_requests_enqueue_one_task(cast, renders):
    case = cast["case"]
    url = pdf_url(case, as_of="2025-12-31")
    clients = []
    for user in (cast["caseworker"], cast["colleague"]) * 2:  # one scope: the police's
        client = Client()
        client.force_login(user)
        clients.append(client)
    responses = []
    in_parallel(*[lambda c=c: responses.append(c.get(url)) for c in clients])

    assert len(responses) == 4 and all(is_waiting(r) for r in responses)
    job = PdfJob.objects.get()
    assert (job.state, job.attempt, job.case, job.restricted_to.name) == (
        PdfJob.State.QUEUED,
        1,
        case,
        "Police",
    )
    task = DBTaskResult.objects.get()
    assert (task.status, task.args_kwargs["args"]) == (TaskResultStatus.READY, [job.pk, 1])
    assert str(task.id) == job.task_id
    page = responses[0].content.decode()
    assert '<meta http-equiv="refresh" content="2; url=' in page
    assert "?as_of=2025-12-31&amp;waiting=1" in page
    assert "CR-T-1" in page and re.search(r"about \d+ entries", page)
    assert "Less than 10 seconds" in page and "Waiting for a worker" in page

    run_worker()
    assert len(renders) == 1
    contents = {download(client, url).content for client in clients}
    assert len(contents) == 1 and "As of 31 December 2025" in cover(contents.pop())
    assert len(renders) == 1 and DBTaskResult.objects.count() == 1


def test_the_waiting_page_turns_into_a_ready_page_then_the_download(client, cast, renders):
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    waiting = client.get(url)
    assert is_waiting(waiting) and renders == []  # the web request laid nothing out
    assert client.get(url).status_code == 200 and DBTaskResult.objects.count() == 1
    job = PdfJob.objects.get()
    assert job.entries_counted is False and job.entries > 0  # the request's estimate

    run_worker()
    job.refresh_from_db()
    assert (job.state, job.entries, job.entries_counted) == (PdfJob.State.DONE, 10, True)
    ready = client.get(url + "&waiting=1")  # the waiting page's own refresh
    body = ready.content.decode()
    assert ready.status_code == 200 and "Your chronology is ready" in body
    assert f'<meta http-equiv="refresh" content="0; url={url}">' in body
    assert not AccessLog.objects.filter(action="export-pdf").exists()
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('filename="CR-T-1-chronology-2025-12-31.pdf"')
    assert AccessLog.objects.filter(action="export-pdf").count() == 1
    assert len(renders) == 1


# ---------------------------------------------------------------- workers


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_render_the_same_job_twice(cast, renders):
    case, viewer = cast["case"], cast["caseworker"]
    days = [D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31)]
    for day in days:
        job = pdf.request_pdf(case, as_of=day, viewer=viewer).job
        jobs.render_job.enqueue(job.pk, job.attempt)  # the same attempt queued twice
    assert DBTaskResult.objects.count() == 6

    if connection.vendor == "postgresql":
        in_parallel(lambda: run_worker("worker-a"), lambda: run_worker("worker-b"))
    else:
        run_worker("worker-a", max_tasks=3)
        run_worker("worker-b")

    assert sorted(as_of for as_of, _ in renders) == [day.isoformat() for day in days]
    assert set(PdfJob.objects.values_list("state", flat=True)) == {PdfJob.State.DONE}
    results = sorted(DBTaskResult.objects.values_list("status", "return_value"))
    assert (
        results
        == [(TaskResultStatus.SUCCESSFUL, "done")] * 3
        + [(TaskResultStatus.SUCCESSFUL, "skipped")] * 3
    )
    workers = {w for task in DBTaskResult.objects.all() for w in task.worker_ids}
    assert workers == {"worker-a", "worker-b"}
    if connection.vendor == "postgresql":
        assert len({thread for _, thread in renders}) == 2  # both laid out, at the same time


def _kill_a_real_worker_mid_render(job: PdfJob) -> None:
    """PostgreSQL: a `manage.py db_worker` process on the test database, SIGKILLed once it
    has claimed the job (it is then laying out)."""
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casereview.test_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "PDF_STORAGE_DIR": str(django_settings.STORAGES["chronology_pdfs"]["OPTIONS"]["location"]),
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while PdfJob.objects.get(pk=job.pk).state != PdfJob.State.RUNNING:
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)


def _reproduce_a_worker_killed_mid_render(job: PdfJob) -> None:
    """SQLite: what a killed worker leaves behind, written as the worker writes it: the task
    claimed by worker-a and the job claimed by its task, then nothing more."""
    with exclusive_transaction():
        task = DBTaskResult.objects.ready().get_locked()
        task.claim("worker-a")
    assert jobs._claim(*task.args_kwargs["args"], "worker-a") is not None


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_is_retried_by_another(cast, settings):
    client = Client()
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    assert is_waiting(client.get(url))
    job = PdfJob.objects.get()
    if connection.vendor == "postgresql":
        _kill_a_real_worker_mid_render(job)
    else:
        _reproduce_a_worker_killed_mid_render(job)
    job.refresh_from_db()
    assert job.state == PdfJob.State.RUNNING and job.attempt == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING  # left as it was

    # Within its time limit the job may still be laid out: asking again starts nothing.
    assert is_waiting(client.get(url)) and DBTaskResult.objects.count() == 1
    # Past it (and the grace for building the data), the next request starts it again.
    job.started_at = timezone.now() - dt.timedelta(
        seconds=settings.PDF_RENDER_SECONDS + jobs.STALE_GRACE_SECONDS + 1
    )
    job.save()
    waiting = client.get(url)
    assert is_waiting(waiting)
    assert "The worker laying out the PDF stopped before it finished." in waiting.content.decode()
    job.refresh_from_db()
    assert (job.state, job.attempt, job.failures) == (PdfJob.State.QUEUED, 2, 1)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

    run_worker("worker-b")
    job.refresh_from_db()
    assert (job.state, job.worker_id, job.message) == (PdfJob.State.DONE, "worker-b", "")
    assert "As of 31 December 2025" in cover(client.get(url).content)


def test_a_task_that_ended_without_finishing_its_job_is_started_again(client, cast, monkeypatch):
    """The task failed outside the job's own error handling (say the database went away):
    the job is not left waiting for ever."""
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    client.get(url)

    def broken(*args, **kwargs):
        raise RuntimeError("connection lost")  # outside run_job's own handling

    monkeypatch.setattr(jobs, "_claim", broken)
    run_worker()
    monkeypatch.undo()
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert PdfJob.objects.get().state == PdfJob.State.QUEUED
    assert is_waiting(client.get(url))  # sees the task's end; a second attempt is queued
    assert PdfJob.objects.get().attempt == 2
    assert download(client, url)["Content-Type"] == "application/pdf"


# ---------------------------------------------------------------- limits and failures


def _never_finishes(html):
    time.sleep(60)


def test_a_render_over_its_time_limit_fails_cleanly_and_is_retried_once(
    client, cast, settings, monkeypatch
):
    settings.PDF_RENDER_SECONDS = 0.5
    monkeypatch.setattr(pdf.render, "_layout", _never_finishes)  # in the forked child
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    client.get(url)

    started = time.monotonic()
    run_worker(max_tasks=1)
    assert time.monotonic() - started < 15  # the child was killed, not waited for
    waiting = client.get(url)
    assert is_waiting(waiting)
    assert (
        "Laying out the PDF took longer than its limit of 0.5 seconds. It is being tried once more."
    ) in waiting.content.decode()

    run_worker()
    job = PdfJob.objects.get()
    assert (job.state, job.problem, job.failures, job.attempt) == (
        PdfJob.State.FAILED,
        PdfJob.Problem.TIME,
        2,
        2,
    )
    failed = client.get(url)
    body = failed.content.decode()
    assert failed.status_code == 500
    assert "Sorry, the chronology could not be created" in body
    assert "was tried twice and failed both times" in body
    assert "Laying out the PDF took longer than its limit of 0.5 seconds." in body
    assert "export_chronology CR-T-1 --pdf" in body
    assert DBTaskResult.objects.count() == 2  # the first try and one more, no third
    assert not AccessLog.objects.filter(action="export-pdf").exists()
    # The worker is not harmed: the next task is laid out as usual.
    monkeypatch.undo()
    settings.PDF_RENDER_SECONDS = 300
    assert download(client, pdf_url(cast["case"], as_of="2025-12-30")).status_code == 200


def _greedy(html):
    return b"x" * (512 * 1024 * 1024)


def test_a_layout_over_its_memory_limit_fails_with_a_sentence(monkeypatch):
    monkeypatch.setattr(pdf.render, "_layout", _greedy)
    with pytest.raises(pdf.LayoutFailed) as failed:
        pdf.layout_limited("<p>x</p>", seconds=30, memory_mb=64)
    assert failed.value.problem == PdfJob.Problem.MEMORY
    assert failed.value.message == "Laying out the PDF needed more than its memory limit of 64 MB."
    monkeypatch.undo()  # the real layout of a small document fits in less
    assert pdf.layout_limited("<p>x</p>", seconds=30, memory_mb=256).startswith(b"%PDF-")


def test_a_case_over_the_limit_gets_the_too_large_page_and_is_not_retried(client, cast, settings):
    settings.PDF_MAX_ENTRIES = 5
    client.force_login(cast["caseworker"])
    response = download(client, pdf_url(cast["case"]))
    assert response.status_code == 422
    assert "has 10 entries" in response.content.decode()
    assert DBTaskResult.objects.count() == 1
    settings.PDF_MAX_ENTRIES = 5000  # raised: the next request lays it out
    assert download(client, pdf_url(cast["case"]))["Content-Type"] == "application/pdf"


# ---------------------------------------------------------------- the stored file


def test_a_user_without_access_gets_not_found_for_the_stored_pdf(client, cast, pdf_storage):
    case = cast["case"]
    client.force_login(cast["inquiry"])
    url = pdf_url(case, as_of="2025-12-31")
    assert download(client, url)["Content-Type"] == "application/pdf"
    [stored] = stored_files(pdf_storage)
    job = PdfJob.objects.get()
    assert stored.name == f"{job.fingerprint}-1.pdf" and job.restricted_to is None

    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(url + "&waiting=1").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    # The file has no address of its own.
    for address in (f"/media/{job.file_name}", f"/{job.file_name}", f"/static/{job.file_name}"):
        assert client.get(address).status_code == 404
    assert [log.user for log in AccessLog.objects.filter(action="export-pdf")] == [cast["inquiry"]]
    assert (
        AccessLog.objects.filter(user=cast["outsider"], outcome=AccessLog.Outcome.REFUSED).count()
        == 2
    )
    assert stat_mode(stored) == 0o600


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_grant_that_ended_stops_the_stored_pdf_too(client, cast):
    client.force_login(cast["inquiry"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    assert download(client, url).status_code == 200
    grant = AccessGrant.objects.get(user=cast["inquiry"])
    grant.ends_on = timezone.localdate() - dt.timedelta(days=1)
    grant.save()
    assert client.get(url).status_code == 404


def test_an_expired_file_is_laid_out_again_and_the_old_one_removed(
    client, cast, settings, renders, pdf_storage
):
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    first = download(client, url)
    [old_file] = stored_files(pdf_storage)
    job = PdfJob.objects.get()
    # Still fresh just before PDF_KEEP_HOURS: served from the store.
    job.finished_at = timezone.now() - dt.timedelta(hours=settings.PDF_KEEP_HOURS, seconds=-30)
    job.save()
    assert client.get(url).content == first.content and len(renders) == 1
    job.finished_at = timezone.now() - dt.timedelta(hours=settings.PDF_KEEP_HOURS, seconds=1)
    job.save()
    assert is_waiting(client.get(url))  # expired: not served, laid out again
    run_worker()
    again = client.get(url)
    assert again["Content-Type"] == "application/pdf"
    assert len(renders) == 2
    assert not old_file.exists() and len(stored_files(pdf_storage)) == 1


def test_a_removed_file_is_laid_out_again(client, cast, renders, pdf_storage):
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    download(client, url)
    for file in stored_files(pdf_storage):
        file.unlink()
    assert download(client, url)["Content-Type"] == "application/pdf"
    assert len(renders) == 2


def test_prune_deletes_expired_files_and_their_jobs(client, cast, settings, pdf_storage):
    client.force_login(cast["caseworker"])
    for day in ("2025-12-30", "2025-12-31"):
        download(client, pdf_url(cast["case"], as_of=day))
    old, fresh = PdfJob.objects.order_by("as_of")
    old.finished_at = timezone.now() - dt.timedelta(hours=settings.PDF_KEEP_HOURS + 1)
    old.save()
    assert pdf.prune() == 1
    assert list(PdfJob.objects.all()) == [fresh]
    assert [f.name for f in stored_files(pdf_storage)] == [Path(fresh.file_name).name]


# ---------------------------------------------------------------- the command


def test_the_export_command_lays_out_without_a_worker_and_shares_the_result(
    client, cast, tmp_path, renders
):
    out = tmp_path / "out.pdf"
    call_command("export_chronology", "CR-T-1", "--pdf", str(out), "--as-of", "2025-12-31")
    assert "As of 31 December 2025" in cover(out.read_bytes())
    assert not DBTaskResult.objects.exists() and renders == [("2025-12-31", "MainThread")]
    # A download of the same data and scope (everything: an inquiry reviewer) is served at once.
    client.force_login(cast["inquiry"])
    response = client.get(pdf_url(cast["case"], as_of="2025-12-31"))
    assert response.content == out.read_bytes() and len(renders) == 1


# ---------------------------------------------------------------- reminders


@pytest.mark.django_db(transaction=True)
def test_reminders_run_as_tasks_and_two_runs_at_once_send_each_email_once(mailoutbox):
    from tests.reviews.test_reminders import DUE, member, review

    council = factories.agency("Northshire County Council")
    owner = member("caseworker", council)
    member("supervisor", council, User.Role.SUPERVISOR)
    review(owner, due=DUE)
    review(owner, due=DUE - dt.timedelta(days=40))  # missed: escalated to the supervisor
    out = io.StringIO()
    for _ in range(2):  # two cron lines, or one run twice
        call_command("send_review_reminders", "--today", DUE.isoformat(), "--enqueue", stdout=out)
    assert out.getvalue().count(f"Reminders for {DUE.isoformat()} queued as task") == 2
    assert not mailoutbox

    in_parallel(lambda: run_worker("worker-a", max_tasks=1), lambda: run_worker("worker-b"))

    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert len(sent) == len(set(sent)) == ReminderSent.objects.count() == 2
    assert {to for to, _ in sent} == {"caseworker@example.com", "supervisor@example.com"}
    results = sorted(r["sent"] for r in DBTaskResult.objects.values_list("return_value", flat=True))
    assert sum(results) == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
