"""The PDF chronology download in real Chromium: the case page form, the waiting page that
turns into the download, and the problem pages (bad date, too large, failed)."""

import io
import time

import pdfplumber
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from referrals.models import Agency
from reviews import pdf
from reviews.chronology.csv_format import import_chronology
from reviews.models import PdfJob
from tests.browser.helpers import expect_errors, sign_in
from tests.reviews.test_chronology_csv import FAILURE
from tests.reviews.test_pdf_tasks import WorkerThread

pytestmark = pytest.mark.browser


@pytest.fixture
def caseworker(make_user, settings, tmp_path):
    configured = settings.STORAGES["chronology_pdfs"]
    settings.STORAGES = {
        **settings.STORAGES,
        "chronology_pdfs": {
            **configured,
            "OPTIONS": {**configured["OPTIONS"], "location": tmp_path},
        },
    }
    police = Agency.objects.create(name="Police", kind=Agency.Kind.POLICE)
    user = make_user("caseworker", agency=police, first_name="Casey", last_name="Worker")
    import_chronology([("failure.csv", FAILURE.encode())], user=user, owner=user, trusted=True)
    return user


def _never_finishes(html):
    time.sleep(60)


def test_download_from_the_case_page_and_the_problem_pages(
    live_server, page, axe, caseworker, settings, monkeypatch
):
    sign_in(page, live_server, caseworker)
    page.goto(f"{live_server.url}/cases/CR-T-1/")
    page.get_by_label("As of (optional)").fill("2015-06-01")
    page.get_by_role("button", name="Download chronology (PDF)").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Your chronology is being prepared")  # no worker yet
    expect(page.locator(".govuk-summary-list")).to_contain_text("1 June 2015")
    # Every rule but one: the page refreshes itself by design (the rule allows no delay)...
    violations = Axe().run(page, options={"rules": {"meta-refresh": {"enabled": False}}})
    assert violations.response["violations"] == []
    # ...and can be told not to (WCAG 2.2.1), which passes every rule.
    page.get_by_role("link", name="Stop refreshing this page").click()
    expect(page.get_by_text("This page does not refresh itself.")).to_be_visible()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    axe(page)

    worker = WorkerThread().start()
    try:
        worker.wait_for(lambda: PdfJob.objects.get().state == PdfJob.State.DONE)
        with page.expect_download(timeout=60_000) as download_info:
            page.get_by_role("button", name="Check now").click()  # the ready page downloads
        expect(heading).to_have_text("Your chronology is ready")
        axe(page)
        download = download_info.value
        assert download.suggested_filename == "CR-T-1-chronology-2015-06-01.pdf"
        with pdfplumber.open(io.BytesIO(open(download.path(), "rb").read())) as document:
            cover = document.pages[0].extract_text()
        assert "As of 1 June 2015" in cover and "Casey Worker" not in cover  # a shared copy

        page.goto(f"{live_server.url}/cases/CR-T-1/chronology.pdf?as_of=June+2015")
        expect_errors(page, "Enter the as-of date as YYYY-MM-DD")
        axe(page)

        settings.PDF_MAX_ENTRIES = 3
        page.goto(f"{live_server.url}/cases/CR-T-1/chronology.pdf?as_of=2015-07-01")
        expect(heading).to_have_text("This chronology is too large to create here", timeout=30_000)
        axe(page)

        settings.PDF_MAX_ENTRIES = 5000
        settings.PDF_RENDER_SECONDS = 0.5
        monkeypatch.setattr(pdf.render, "_layout", _never_finishes)  # in the worker's child
        page.goto(f"{live_server.url}/cases/CR-T-1/chronology.pdf?as_of=2015-08-01")
        expect(heading).to_have_text("Sorry, the chronology could not be created", timeout=30_000)
        expect(page.locator(".govuk-inset-text").first).to_have_text(
            "Laying out the PDF took longer than its limit of 0.5 seconds."
        )
        axe(page)
    finally:
        worker.stop()
