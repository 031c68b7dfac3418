"""The demo failure case's PDF chronology, downloaded in Chromium with JavaScript switched off:
the case page's form, the waiting page refreshing itself (a meta refresh), the ready page,
the file. A worker (django-tasks-db's own loop, in a thread) lays it out meanwhile."""

import io
import re

import pdfplumber
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import User
from reviews.models import PdfJob
from reviews.sampledata.demo import FAILURE_REF, load_demo
from tests.browser.helpers import sign_in
from tests.reviews.test_pdf_tasks import WorkerThread

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(db, settings, tmp_path):
    configured = settings.STORAGES["chronology_pdfs"]
    settings.STORAGES = {
        **settings.STORAGES,
        "chronology_pdfs": {
            **configured,
            "OPTIONS": {**configured["OPTIONS"], "location": tmp_path},
        },
    }
    load_demo(today=timezone.localdate())
    return User.objects.get(username="caseworker")


def test_the_demo_failure_case_pdf_downloads_through_the_waiting_page_without_javascript(
    live_server, browser, demo
):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    worker = WorkerThread().start()
    try:
        sign_in(page, live_server, demo)
        page.goto(f"{live_server.url}/cases/{FAILURE_REF}/")
        # GOV.UK Frontend's script marks the body when it runs: here it does not.
        expect(page.locator("body")).not_to_have_class(re.compile("govuk-frontend-supported"))
        heading = page.get_by_role("heading", level=1)
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="Download chronology (PDF)").click()
            expect(heading).to_have_text("Your chronology is being prepared")
            summary = page.locator(".govuk-summary-list")
            expect(summary).to_contain_text(FAILURE_REF)
            expect(summary).to_contain_text(re.compile(r"Size\s+(about )?\d+ entries"))
            expect(summary).to_contain_text(re.compile(r"Expected wait\s+\S"))
        expect(heading).to_have_text("Your chronology is ready")
        download = download_info.value
    finally:
        worker.stop()
    today = timezone.localdate()
    assert download.suggested_filename == f"{FAILURE_REF}-chronology-{today.isoformat()}.pdf"
    with pdfplumber.open(io.BytesIO(open(download.path(), "rb").read())) as document:
        text = "\n".join(p.extract_text() or "" for p in document.pages)
    assert f"Case reference {FAILURE_REF}" in text and "Findings" in text
    job = PdfJob.objects.get()
    assert (job.state, job.worker_id) == (PdfJob.State.DONE, "browser-worker")
    context.close()
