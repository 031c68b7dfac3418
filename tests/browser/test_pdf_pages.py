"""The PDF chronology download in real Chromium: the case page form and its three problem pages."""

import io
import threading

import pdfplumber
import pytest
from playwright.sync_api import expect

from referrals.models import Agency
from reviews import pdf
from reviews.chronology.csv_format import import_chronology
from tests.browser.helpers import expect_errors, sign_in
from tests.reviews.test_chronology_csv import FAILURE

pytestmark = pytest.mark.browser


@pytest.fixture
def caseworker(make_user, settings, tmp_path):
    settings.PDF_CACHE_DIR = tmp_path / "pdf-cache"
    police = Agency.objects.create(name="Police", kind=Agency.Kind.POLICE)
    user = make_user("caseworker", agency=police, first_name="Casey", last_name="Worker")
    import_chronology([("failure.csv", FAILURE.encode())], user=user, owner=user, trusted=True)
    return user


def test_download_from_the_case_page_and_the_problem_pages(
    live_server, page, axe, caseworker, settings, monkeypatch
):
    sign_in(page, live_server, caseworker)
    page.goto(f"{live_server.url}/cases/CR-T-1/")
    page.get_by_label("As of (optional)").fill("2015-06-01")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download chronology (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "CR-T-1-chronology-2015-06-01.pdf"
    with pdfplumber.open(io.BytesIO(open(download.path(), "rb").read())) as document:
        cover = document.pages[0].extract_text()
    assert "As of 1 June 2015" in cover and "Casey Worker" not in cover  # a shared copy

    page.goto(f"{live_server.url}/cases/CR-T-1/chronology.pdf?as_of=June+2015")
    expect_errors(page, "Enter the as-of date as YYYY-MM-DD")
    axe(page)

    settings.PDF_MAX_ENTRIES = 3
    page.goto(f"{live_server.url}/cases/CR-T-1/chronology.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This chronology is too large to create here"
    )
    axe(page)

    settings.PDF_MAX_ENTRIES = 5000
    settings.PDF_TIMEOUT_SECONDS = 0
    release = threading.Event()
    layout = pdf._layout
    monkeypatch.setattr(pdf.cache, "_layout", lambda html: release.wait(30) and layout(html))
    try:
        page.goto(f"{live_server.url}/cases/CR-T-1/chronology.pdf")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "The chronology is still being prepared"
        )
        axe(page)
    finally:
        release.set()
        pdf.wait_for_renders(timeout=30)
