"""The PDF case chronology, read back out of the PDF with pdfplumber."""

import datetime as dt
import io
import re

import pdfplumber
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pdfminer.pdftypes import resolve1

from referrals import services as intake
from referrals.models import AccessGrant, AccessLog, Agency, Case, CaseNote, Person, User
from reviews import pdf
from reviews.chronology.csv_format import import_chronology
from reviews.chronology.findings import FindingCode
from reviews.models import PdfJob
from tests import factories
from tests.reviews.test_chronology_csv import FAILURE, HEADER
from tests.reviews.test_pdf_tasks import download, is_waiting, run_worker

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 1, 1)

# The FAILURE chronology's findings as of AS_OF, with the numbers of the entries they are about:
# 5/6 the session planned/held, 7/8 the two accounts, 9 the exit, 10 the late 12-month review.
FAILURE_FINDINGS = [
    ("NO_WRITTEN_BRIEFING", [6]),
    ("BELIEF_EXCEEDS_RECORD", [6, 7]),
    ("BELIEF_EXCEEDS_RECORD", [6, 8]),
    ("REVIEW_MISSED", [9]),
    ("REVIEW_LATE", [9, 10]),
    ("LOGGED_LATE", [10]),
]
SSRF = (
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    "<style>body{background:url(http://127.0.0.1:9/y)}</style>",
)


@pytest.fixture(autouse=True)
def cache_dir(settings, tmp_path):
    """The stored PDFs of this test alone: the storage "chronology_pdfs" in a folder of its own."""
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
def importer():
    return factories.user("importer", role=User.Role.ADMIN)


@pytest.fixture
def failure_case(importer):
    import_chronology(
        [("failure.csv", FAILURE.encode())], user=importer, owner=importer, trusted=True
    )
    return Case.objects.select_related("person").get(reference="CR-T-1")


@pytest.fixture
def layouts(monkeypatch):
    """Counts the real layouts (the expensive step the stored PDFs avoid repeating): in a
    worker's child process (`layout_limited`) or in the command's own (`_layout`)."""
    calls = []
    real, real_limited = pdf._layout, pdf.layout_limited

    def counting(html):
        calls.append(html)
        return real(html)

    def counting_limited(html, **limits):
        calls.append(html)
        return real_limited(html, **limits)

    monkeypatch.setattr(pdf.jobs, "_layout", counting)  # where the jobs look them up
    monkeypatch.setattr(pdf.jobs, "layout_limited", counting_limited)
    return calls


def pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(content)) as document:
        return [page.extract_text() or "" for page in document.pages]


def flat(text: str) -> str:
    """Text without whitespace: table cells wrap long words anywhere."""
    return re.sub(r"\s+", "", text)


def embedded_files(content: bytes) -> list:
    """Files embedded in the PDF: the catalog's /EmbeddedFiles and any file-attachment annotation."""
    found = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        names = resolve1(document.doc.catalog.get("Names")) or {}
        if names.get("EmbeddedFiles"):
            found.append(resolve1(names["EmbeddedFiles"]))
        for page in document.pages:
            found += [
                a
                for a in page.annots
                if getattr(a["data"].get("Subtype"), "name", None) == "FileAttachment"
            ]
    return found


def column_text(content: bytes, header: str, next_header: str | None) -> str:
    """The text of one table column, from `header` to where `next_header` starts (None: the
    last column), on every page where both are in one header row."""
    texts = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        for page in document.pages:
            words = page.extract_words()
            for start in (w for w in words if w["text"] == header):
                right = (
                    page.width
                    if next_header is None
                    else next(
                        (
                            w["x0"] - 1
                            for w in words
                            if w["text"] == next_header
                            and abs(w["top"] - start["top"]) < 1
                            and w["x0"] > start["x0"]
                        ),
                        None,
                    )
                )
                if right:
                    texts.append(
                        page.crop(
                            (start["x0"] - 1, start["top"], right, page.height)
                        ).extract_text()
                    )
    return "\n".join(texts)


def render(case, as_of=AS_OF, user=None):
    return pdf.render_chronology_pdf(case, as_of=as_of)


def test_entries_are_numbered_in_order_with_month_only_dates_as_months(failure_case, importer):
    text = "\n".join(pages(render(failure_case, user=importer)))
    summaries = [
        "Referred by police",
        "Panel met",
        "Adopted",
        "Provider commissioned",
        "First session arranged",
        "First session held",
        "How many sessions remain?",
        'Minutes: "still ongoing with his IP"',
        "Exited very low risk",
        "12-month review held",
    ]
    chronology = text[text.index("1. Chronology") : text.index("2. Findings")]
    lines = [line for line in chronology.splitlines() if any(s in line for s in summaries)]
    for number, (summary, line) in enumerate(zip(summaries, lines, strict=True), 1):
        assert line.startswith(f"{number} ") and summary in line, line
    # The Channel panel's account is dated May 2015 only: shown as the month, never as a day.
    assert re.search(r"^8 May 2015 Channel panel Agency", text, re.M)
    assert "31 May 2015 Channel panel" not in text
    # Logged 69 days after the review: marked late, with its reason.
    assert re.search(r"late \(69 days\): IT\s+issue", text)
    assert "Period covered 12 January 2015 to 10 January 2017" in text


def test_findings_show_codes_messages_and_entry_numbers(failure_case):
    data = pdf.chronology_data(failure_case, as_of=AS_OF)
    assert [(f["code"], f["entries"]) for f in data["findings"]] == FAILURE_FINDINGS
    # The Channel panel's month-only account: its finding is dated by the month, not a day.
    assert [f["date"] for f in data["findings"]][1:3] == ["20 May 2015", "May 2015"]
    text = "\n".join(pages(render(failure_case)))
    findings = text[text.index("2. Findings") : text.index("3. What agencies believed")]
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", findings), "codes are for files, not the PDF"
    labels = dict(FindingCode.choices)
    rows = [line for line in findings.splitlines() if re.match(r"\d+ [A-Z][a-z]", line)]
    rows = [
        line for line in rows if any(line.split(" ", 1)[1].startswith(v) for v in labels.values())
    ]
    for number, (line, (code, entries)) in enumerate(zip(rows, FAILURE_FINDINGS, strict=True), 1):
        # Entries is the last column, so a row's first line ends with its numbers.
        assert line.startswith(f"{number} {labels[code]} ") and line.endswith(
            " " + ", ".join(map(str, entries))
        )
    assert "Police believed 4 sessions had been held by 20 May 2015, but 1 was" in findings


def test_sessions_comparison_and_reviews_as_of(failure_case):
    data = pdf.chronology_data(failure_case, as_of=AS_OF)
    assert [
        (
            s["number"],
            s["agency"],
            s["sessions_believed"],
            s["believed_status"],
            s["sessions_held"],
            s["exceeds_record"],
        )
        for s in data["sessions"]
    ] == [
        (7, "Police", 4, "", 1, True),
        (8, "Channel panel", None, "Ongoing", 1, True),
    ]
    assert [(r["kind"], r["due"], r["conducted"], r["state"]) for r in data["reviews"]] == [
        ("6-month review", "14 January 2016", "", "Missed"),
        ("12-month review", "14 July 2016", "10 January 2017", "Held late"),
    ]
    # Before the 12-month review was logged (20 March 2017) it was not yet known to be held:
    # six days past its due date it read "Overdue", as on every other surface that day.
    early = pdf.chronology_data(failure_case, as_of=D(2016, 7, 20))
    assert [(r["conducted"], r["state"]) for r in early["reviews"]] == [
        ("", "Missed"),
        ("", "Overdue"),
    ]


def test_marking_and_page_x_of_y_on_every_page_of_a_long_chronology(importer, layouts):
    rows = ["CR-LONG,Sam Long,Police,referral,2015-01-05,,Referred,form,,,,,\n"]
    for i in range(59):
        day = D(2015, 1, 6) + dt.timedelta(days=i * 3)
        agency = ("Police", "Local authority", "Channel panel")[i % 3]
        rows.append(
            f"CR-LONG,,{agency},contact,{day},,Contact {i + 1}: {'words of summary ' * 6},"
            f"note {i + 1},,,,,\n"
        )
    import_chronology(
        [("long.csv", (HEADER + "".join(rows)).encode())],
        user=importer,
        owner=importer,
        trusted=True,
    )
    case = Case.objects.select_related("person").get(reference="CR-LONG")
    texts = pages(render(case))
    assert len(texts) >= 3 and len(layouts) == 1
    for number, text in enumerate(texts, 1):
        assert text.splitlines()[0] == "OFFICIAL-SENSITIVE"
        assert f"OFFICIAL-SENSITIVE Page {number} of {len(texts)}" in text
    chronology_pages = [t for t in texts if re.search(r"^\d+ \d+ \w+ 2015 ", t, re.M)]
    assert len(chronology_pages) >= 2
    for text in chronology_pages:  # the table header repeats on every page of the table
        assert "No. Date Agency Type Summary Source Recorded by Logged on" in text
    assert re.search(
        r"^60 29 June 2015 Local authority Contact Contact 59:", "\n".join(texts), re.M
    )


def test_cover_hash_is_the_hash_of_the_data_and_not_of_who_generated_it(
    failure_case, importer, cache_dir
):
    data = pdf.chronology_data(failure_case, as_of=AS_OF)
    digest = pdf.chronology_hash(data)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == pdf.chronology_hash(pdf.chronology_data(failure_case, as_of=AS_OF))
    cover = pages(render(failure_case, user=importer))[0]
    assert f"SHA-256 of the chronology data {digest}" in cover
    # The copy is shared by every download of the same data: it names no requester.
    assert "Importer Example" not in cover and "is in the case’s access log" in cover
    assert "casereview version 0.1.0" in cover and "As of 1 January 2026" in cover
    assert "Person Ellis Norbury" in cover and "Case reference CR-T-1" in cover

    for file in cache_dir.rglob("*.pdf"):  # a fresh layout for someone else: same data, same hash
        file.unlink()
    other = factories.user("another", role=User.Role.ADMIN)
    cover = pages(render(failure_case, user=other))[0]
    assert f"SHA-256 of the chronology data {digest}" in cover and "Another Example" not in cover

    intake.add_note(
        case=failure_case,
        user=importer,
        agency=factories.agency("Police"),
        occurred_on=D(2015, 8, 1),
        logged_on=D(2015, 8, 1),
        summary="A later note",
    )
    assert pdf.chronology_hash(pdf.chronology_data(failure_case, as_of=AS_OF)) != digest


def test_markup_in_user_text_is_inert(importer, monkeypatch):
    case = factories.case(owner=importer, reference="CR-X")
    intake.add_note(
        case=case,
        user=importer,
        agency=importer.agency,
        occurred_on=D(2015, 2, 1),
        logged_on=D(2015, 2, 1),
        summary=" ".join(SSRF),
        source=SSRF[0],
    )
    fetched = []
    real_fetch = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    content = render(case)
    assert flat(" ".join(SSRF)) in flat(column_text(content, "Summary", "Source"))
    assert flat(SSRF[0]) in flat(column_text(content, "Source", "Recorded"))
    assert embedded_files(content) == []
    assert fetched == [pdf.STYLESHEET]  # the stylesheet, and nothing from the data


def test_the_fetcher_allows_only_data_urls_and_static_files():
    fetcher = pdf.StaticOnlyFetcher()
    assert b"OFFICIAL-SENSITIVE" in fetcher.fetch(pdf.STYLESHEET).read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/",
        "casereview-static:/../../../etc/passwd",
        "casereview-static:/css/%2e%2e/%2e%2e/x",
        "casereview-static://etc/passwd",
        "casereview-static:/css/missing.css",
        "x.png",
    ):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)
    # The attachment check above can see an attachment when there is one.
    attached = pdf._layout('<link rel="attachment" href="data:text/plain,hello"><p>x</p>')
    assert embedded_files(attached)


def test_case_with_no_records_is_a_valid_pdf_saying_so(importer):
    person = Person.objects.create(display_name="Robin Empty")
    case = Case.objects.create(
        reference="CR-EMPTY",
        person=person,
        owner=importer,
        lead_agency=importer.agency,
        referred_on=D(2020, 1, 1),
    )
    texts = pages(render(case))
    assert "Period covered No records" in texts[0]
    chronology = next(t for t in texts if "1. Chronology" in t)
    assert "No records as of 1 January 2026." in chronology


def test_as_of_hides_entries_logged_after_it(failure_case):
    text = "\n".join(pages(render(failure_case, as_of=D(2015, 6, 1))))
    assert "How many sessions remain?" in text and 'Minutes: "still ongoing with his IP"' in text
    for later in (
        "Exited very low risk",
        "12-month review held",
        "Case exit 14 July 2015",
        "12-month review due",
    ):
        assert later not in text
    assert "No follow-up reviews as of 1 June 2015." in text
    assert "As of 1 June 2015 (8 entries logged on or before this date)" in text


def test_voided_record_is_in_the_history_appendix_with_its_reason(failure_case, importer):
    note = intake.add_note(
        case=failure_case,
        user=importer,
        agency=factories.agency("Police"),
        occurred_on=D(2015, 4, 1),
        logged_on=D(2015, 4, 2),
        summary="Entered on the wrong case by mistake",
    )
    intake.void_record(note, user=importer, reason="Belongs to another person")
    text = "\n".join(pages(render(failure_case)))
    appendix = text[text.index("Appendix A. Change history") :]
    assert re.search(r"Case note 1 April 2015, Police \[void\]\s+Voided", appendix)
    content = render(failure_case)
    assert "Voidreason:Belongstoanotherperson" in flat(column_text(content, "Change", "Reason"))
    # ... and the reason given for the change, as history keeps it.
    assert "Voided:Belongstoanotherperson" in flat(column_text(content, "Reason", None))
    assert "Entered on the wrong case" not in text  # a voided record is not in the chronology
    # The ten imported entries' creations: one row naming the file, its digest and who.
    flat_appendix = "".join(appendix.split())  # its column wraps the sentence and the digest
    assert re.search(r"\d+recordsimportedfromfailure\.csv\(SHA-256", flat_appendix)
    assert "(entries1–10)" in flat_appendix


def test_appendix_lists_what_the_chronology_lines_do_not_already_say(failure_case, importer):
    """A note entered today by the person its line names, never changed, is not repeated in the
    appendix; an edited note (its creation and its change), a note backfilled for an earlier
    day, and every imported entry (entered on another day than its "logged on") are listed."""
    from django.utils import timezone

    today = timezone.localdate()
    police = factories.agency("Police")

    def note(summary, logged_on):
        return intake.add_note(
            case=failure_case,
            user=importer,
            agency=police,
            occurred_on=logged_on,
            logged_on=logged_on,
            summary=summary,
        )

    note("Plain note", today)
    edited = note("Edited note", today)
    intake.update_record(edited, user=importer, changes={"summary": "Edited"}, reason="Typo")
    note("Backfilled note", today - dt.timedelta(days=1))

    data = pdf.chronology_data(failure_case, as_of=today)
    number = {e["summary"]: e["number"] for e in data["entries"]}
    listed = [(row["entries"], row["change"], row["reason"]) for row in data["history"]]
    assert not [row for row in listed if number["Plain note"] in row[0]]
    assert ([number["Edited"]], "Created", "Note added") in listed
    assert ([number["Edited"]], "Changed", "Typo") in listed
    assert ([number["Backfilled note"]], "Created", "Note added") in listed
    mine = {number["Plain note"], number["Edited"], number["Backfilled note"]}
    imported = [e["number"] for e in data["entries"] if e["number"] not in mine]
    assert sorted(imported) == list(range(1, 11))
    # ... as one row for the file (issue 18), not ten.
    assert (
        not [  # only the case itself (its own row) besides the one row of the import
            row
            for row in data["history"]
            if row["reason"].startswith("imported from")
            and not row["record"].startswith("Case CR-")
        ]
    )
    (grouped,) = [row for row in data["history"] if row["change"] == "Created by import"]
    assert grouped["entry_ranges"] == "1–10"  # the ten rows made nine records
    assert re.match(
        r"\d+ records imported from failure\.csv \(SHA-256 [0-9a-f]{64}\) by ", grouped["record"]
    )
    text = "\n".join(pages(render(failure_case, as_of=today)))
    assert "is not listed again here" in text


def test_an_import_is_one_appendix_row_and_its_later_changes_are_their_own(importer):
    """500 imported rows print one appendix row for their creation (issue 18: they printed
    500, on top of the 500 chronology lines); a later change and a void of one of them are
    each still listed."""
    lines = [
        f"CR-T-9,Drew Hollins,Police,note,2020-01-01,2020-01-01,Imported note {i},,,,,,\n"
        for i in range(500)
    ]
    import_chronology(
        [("police.csv", (HEADER + "".join(lines)).encode())],
        user=importer,
        owner=importer,
        trusted=True,
    )
    case = Case.objects.get(reference="CR-T-9")
    first, second = CaseNote.objects.filter(case=case).order_by("pk")[:2]
    intake.update_record(first, user=importer, changes={"summary": "Corrected"}, reason="Typo")
    intake.void_record(second, user=importer, reason="Duplicate line")
    data = pdf.chronology_data(case, as_of=timezone.localdate())
    history = [row for row in data["history"] if not row["record"].startswith("Case CR-")]
    assert [row["change"] for row in history] == ["Created by import", "Changed", "Voided"]
    assert history[0]["record"].startswith("500 records imported from police.csv (SHA-256 ")
    assert history[0]["entry_ranges"] == "1–499"  # the voided one is no chronology line


def test_history_is_read_in_a_fixed_number_of_queries(failure_case, importer):
    with CaptureQueriesContext(connection) as before:
        pdf.chronology_data(failure_case, as_of=AS_OF)
    police = factories.agency("Police")
    for day in range(1, 6):
        note = intake.add_note(
            case=failure_case,
            user=importer,
            agency=police,
            occurred_on=D(2015, 4, day),
            logged_on=D(2015, 4, day),
            summary="n",
        )
        intake.log_contact(
            case=failure_case,
            user=importer,
            agency=police,
            kind="call",
            occurred_on=D(2015, 4, day),
            logged_on=D(2015, 4, day),
            summary="c",
        )
        intake.void_record(note, user=importer, reason="duplicate")
    with CaptureQueriesContext(connection) as after:
        pdf.chronology_data(failure_case, as_of=AS_OF)
    assert len(after) == len(before)


# ---------------------------------------------------------------- the browser


@pytest.fixture
def cast(failure_case):
    inquiry = factories.user(
        "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
    )
    AccessGrant.objects.create(
        case=failure_case,
        user=inquiry,
        reason="Inquiry",
        ends_on=D(2099, 1, 1),
        granted_by=failure_case.owner,
        starts_on=D(2000, 1, 1),
    )
    return {
        "case": failure_case,
        "caseworker": factories.user("caseworker", agency_=Agency.objects.get(name="Police")),
        "inquiry": inquiry,
        "outsider": factories.user("outsider", agency_=factories.agency("Elsewhere")),
    }


def pdf_url(case, **query):
    url = reverse("reviews:chronology-pdf", args=[case.reference])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_download_is_a_pdf_attachment_and_is_access_logged(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast["inquiry"])  # read-only access through a grant is enough
    assert is_waiting(client.get(pdf_url(cast["case"], as_of="2025-12-31")))
    run_worker()
    with django_assert_max_num_queries(40):
        response = client.get(pdf_url(cast["case"], as_of="2025-12-31"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="CR-T-1-chronology-2025-12-31.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert "As of 31 December 2025" in pages(response.content)[0]
    log = AccessLog.objects.get(action="export-pdf")
    assert (log.user, log.case, log.detail, log.ip_address) == (
        cast["inquiry"],
        cast["case"],
        "as of 2025-12-31",
        "127.0.0.1",
    )


def test_unknown_or_hidden_case_is_not_found_and_anonymous_must_sign_in(client, cast):
    assert client.get(pdf_url(cast["case"])).status_code == 302
    client.force_login(cast["outsider"])
    assert client.get(pdf_url(cast["case"])).status_code == 404
    client.force_login(cast["caseworker"])
    assert client.get("/cases/CR-NOPE/chronology.pdf").status_code == 404
    assert client.post(pdf_url(cast["case"])).status_code == 405
    assert not AccessLog.objects.filter(action="export-pdf").exists()
    assert AccessLog.objects.filter(outcome=AccessLog.Outcome.REFUSED).count() == 2


def test_bad_as_of_is_a_400_page_and_a_future_one_means_today(client, cast):
    client.force_login(cast["caseworker"])
    response = client.get(pdf_url(cast["case"], as_of="12/03/2015"))
    assert response.status_code == 400
    assert "Enter the as-of date as YYYY-MM-DD" in response.content.decode()
    response = download(client, pdf_url(cast["case"], as_of="2999-01-01"))
    today = dt.date.today().isoformat()
    assert response.status_code == 200 and response["Content-Disposition"].endswith(
        f'-chronology-{today}.pdf"'
    )


def test_repeat_downloads_are_served_from_the_cache(client, cast, layouts):
    """Stored per fingerprint, which includes what the viewer may see: a colleague of the same
    agency gets the same bytes; an inquiry reviewer (who sees every agency's restricted
    notes) gets a document of their own."""
    colleague = factories.user("colleague", agency_=cast["caseworker"].agency)
    client.force_login(cast["caseworker"])
    first = download(client, pdf_url(cast["case"], as_of="2025-12-31"))
    client.force_login(colleague)
    second = client.get(pdf_url(cast["case"], as_of="2025-12-31"))
    assert first.content == second.content and len(layouts) == 1
    assert "Caseworker Example" not in pages(second.content)[0]  # nor the first requester
    client.force_login(cast["inquiry"])
    assert download(client, pdf_url(cast["case"], as_of="2025-12-31")).status_code == 200
    assert len(layouts) == 2
    assert [log.user for log in AccessLog.objects.filter(action="export-pdf").order_by("id")] == [
        cast["caseworker"],
        colleague,
        cast["inquiry"],
    ]


@pytest.fixture
def data_builds(monkeypatch):
    """Counts the calls of chronology_data (the read a repeat download of an unchanged case skips)."""
    calls = []
    real = pdf.chronology_data

    def counting(case, **kwargs):
        calls.append(kwargs)
        return real(case, **kwargs)

    monkeypatch.setattr(pdf, "chronology_data", counting)
    monkeypatch.setattr(pdf.jobs, "chronology_data", counting)  # where a download calls it
    return calls


def test_a_repeat_download_of_an_unchanged_case_does_not_rebuild_the_data(
    client, cast, layouts, data_builds, django_assert_max_num_queries
):
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    first = download(client, url)
    assert first.status_code == 200 and len(data_builds) == 1 and len(layouts) == 1
    with django_assert_max_num_queries(15):  # session, user, access checks, fingerprint, log
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert len(data_builds) == 1 and len(layouts) == 1
    assert AccessLog.objects.filter(action="export-pdf").count() == 2  # every download is logged
    # Another as-of date is another document.
    assert download(client, pdf_url(cast["case"], as_of="2016-06-01")).status_code == 200
    assert len(data_builds) == 2 and len(layouts) == 2


def test_a_new_note_or_a_void_gives_a_new_pdf_not_the_cached_one(
    client, cast, layouts, data_builds
):
    case, caseworker = cast["case"], cast["caseworker"]
    client.force_login(caseworker)
    url = pdf_url(case, as_of="2025-12-31")
    before = download(client, url).content
    note = intake.add_note(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2015, 8, 1),
        logged_on=D(2015, 8, 1),
        summary="A note added after the first download",
    )
    added = download(client, url).content
    assert added != before and len(data_builds) == 2 and len(layouts) == 2
    text = "\n".join(pages(added))
    assert "A note added after the first download" in text
    assert client.get(url).content == added and len(data_builds) == 2  # unchanged again: cached
    data = pdf.chronology_data(case, as_of=D(2025, 12, 31), viewer=caseworker)
    assert f"SHA-256 of the chronology data {pdf.chronology_hash(data)}" in pages(added)[0]

    intake.void_record(note, user=caseworker, reason="Wrong case")
    voided = download(client, url).content
    assert voided not in (before, added) and len(data_builds) == 4 and len(layouts) == 3
    text = "\n".join(pages(voided))
    chronology = text[text.index("1. Chronology") : text.index("2. Findings")]
    assert "A note added after the first download" not in chronology
    assert "[void]" in text[text.index("Appendix A. Change history") :]


def test_the_fingerprint_moves_with_whatever_the_document_shows(cast, settings):
    case, caseworker, inquiry = cast["case"], cast["caseworker"], cast["inquiry"]

    def fingerprint(as_of=AS_OF, viewer=caseworker):
        return pdf.pdf_fingerprint(case, as_of=as_of, viewer=viewer)

    seen = {fingerprint()}
    assert fingerprint() in seen  # nothing changed, nothing moves
    for changed in (
        lambda: fingerprint(as_of=D(2016, 6, 1)),
        lambda: fingerprint(viewer=inquiry),  # sees other agencies' restricted notes
        lambda: fingerprint(viewer=cast["outsider"]),  # another agency's restricted notes
    ):
        assert changed() not in seen
    assert fingerprint(viewer=None) == fingerprint(viewer=inquiry)  # both see everything

    def moved():
        value = fingerprint()
        assert value not in seen
        seen.add(value)

    settings.LATE_LOGGING_DAYS = 30
    moved()
    police = Agency.objects.get(name="Police")
    police.name = "Northshire Police"
    police.save()
    moved()
    case.person.display_name = "Ellis J. Norbury"
    case.person.save()
    moved()
    caseworker.last_name = "Renamed"
    caseworker.save()
    moved()
    restricted = intake.add_note(
        case=case,
        user=factories.user("officer", agency_=police),
        agency=police,
        restricted=True,
        occurred_on=D(2015, 8, 1),
        logged_on=D(2015, 8, 1),
        summary="Police only",
    )
    moved()
    intake.void_record(restricted, user=restricted.logged_by, reason="Duplicate")
    moved()


def test_the_command_reads_a_repeat_export_by_fingerprint(
    failure_case, tmp_path, layouts, data_builds
):
    out = tmp_path / "out.pdf"
    for _ in range(2):
        call_command("export_chronology", "CR-T-1", "--pdf", str(out), "--as-of", "2015-06-01")
    assert len(data_builds) == 1 and len(layouts) == 1
    assert "As of 1 June 2015" in pages(out.read_bytes())[0]


def test_a_removed_cached_pdf_is_rebuilt_and_a_lower_limit_still_refuses(
    client, cast, layouts, data_builds, cache_dir, settings
):
    client.force_login(cast["caseworker"])
    url = pdf_url(cast["case"], as_of="2025-12-31")
    first = download(client, url).content
    for file in cache_dir.rglob("*.pdf"):
        file.unlink()
    assert download(client, url).content.startswith(b"%PDF-") and len(layouts) == 2
    assert first  # (the new one names its own generation time)
    settings.PDF_MAX_ENTRIES = 5
    assert client.get(url).status_code == 422
    assert len(data_builds) == 2  # refused from the index, as the data would have been


def test_the_web_request_never_lays_out_it_queues_a_task_a_worker_lays_out(client, cast, layouts):
    client.force_login(cast["caseworker"])
    response = client.get(pdf_url(cast["case"]))
    again = client.get(pdf_url(cast["case"]))  # finds the same job, does not queue another
    assert is_waiting(response) and is_waiting(again) and layouts == []
    assert "Your chronology is being prepared" in response.content.decode()
    assert PdfJob.objects.count() == 1 and PdfJob.objects.get().state == PdfJob.State.QUEUED
    run_worker()
    assert len(layouts) == 1
    assert client.get(pdf_url(cast["case"]))["Content-Type"] == "application/pdf"
    assert len(layouts) == 1
    assert AccessLog.objects.filter(action="export-pdf").count() == 1


def test_too_large_case_gets_a_page_pointing_at_the_command(client, cast, settings):
    settings.PDF_MAX_ENTRIES = 5
    client.force_login(cast["caseworker"])
    response = download(client, pdf_url(cast["case"]))
    assert response.status_code == 422
    body = response.content.decode()
    assert "too large to create here" in body and "export_chronology CR-T-1 --pdf" in body
    with pytest.raises(CommandError, match="more than PDF_MAX_ENTRIES"):
        call_command("export_chronology", "CR-T-1", "--pdf", "/dev/null")


def test_case_page_has_the_download_form(client, cast):
    client.force_login(cast["caseworker"])
    body = client.get(reverse("reviews:case", args=["CR-T-1"])).content.decode()
    assert f'action="{pdf_url(cast["case"])}"' in body
    assert '<label class="govuk-label govuk-label--s" for="as_of">As of (optional)</label>' in body
    assert "Download chronology (PDF)" in body


# ---------------------------------------------------------------- the command


def test_command_writes_the_pdf_and_logs_the_export(failure_case, importer, tmp_path, layouts):
    out = tmp_path / "out.pdf"
    call_command(
        "export_chronology",
        "CR-T-1",
        "--pdf",
        str(out),
        "--as-of",
        "2015-06-01",
        "--user",
        "importer",
    )
    text = "\n".join(pages(out.read_bytes()))
    assert "Generated by" not in text and "As of 1 June 2015" in text
    log = AccessLog.objects.get(action="export-pdf")
    assert (log.user, log.case, log.detail) == (importer, failure_case, "as of 2015-06-01")

    call_command("export_chronology", "CR-T-1", "--pdf", str(out), "--as-of", "2015-06-01")
    assert len(layouts) == 1  # the same document again comes from the cache
    assert AccessLog.objects.filter(action="export-pdf", user=None).count() == 1


def test_command_errors(failure_case, tmp_path):
    with pytest.raises(CommandError, match="No case with reference 'NOPE'"):
        call_command("export_chronology", "NOPE", "--pdf", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="Give --csv FILE or --pdf FILE"):
        call_command("export_chronology", "CR-T-1")
    with pytest.raises(CommandError, match="--user ghost: no active user"):
        call_command(
            "export_chronology", "CR-T-1", "--pdf", str(tmp_path / "x.pdf"), "--user", "ghost"
        )
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command(
            "export_chronology", "CR-T-1", "--pdf", str(tmp_path / "x.pdf"), "--as-of", "May"
        )
    assert not (tmp_path / "x.pdf").exists()


def test_command_csv_as_of_leaves_out_later_entries(failure_case, tmp_path):
    out = tmp_path / "out.csv"
    call_command("export_chronology", "CR-T-1", "--csv", str(out), "--as-of", "2015-06-01")
    text = out.read_bytes().decode("utf-8")
    assert text.count("\r\n") == 1 + 8 and "Exited very low risk" not in text
    assert AccessLog.objects.get(action="export-csv").detail == "as of 2015-06-01"
    assert not CaseNote.objects.exists()


def test_restricted_notes_of_other_agencies_stay_out_of_the_downloaded_pdf(client):
    import datetime as dt

    import pdfplumber

    from referrals import services as intake
    from referrals.models import Agency

    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    officer = factories.user("officer", agency_=police)
    council_worker = factories.user("council-worker")
    case = factories.case(
        owner=council_worker, referring_agency=police, received_on=dt.date(2019, 1, 7)
    )
    intake.add_note(
        case=case,
        user=officer,
        agency=police,
        restricted=True,
        occurred_on=dt.date(2019, 2, 1),
        logged_on=dt.date(2019, 2, 1),
        summary="Police-only intelligence about an associate",
    )

    def pdf_text(user):
        client.force_login(user)
        response = download(client, f"/cases/{case.reference}/chronology.pdf")
        assert response.status_code == 200
        with pdfplumber.open(
            io.BytesIO(
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        ) as document:
            return "\n".join(page.extract_text() or "" for page in document.pages)

    assert "Police-only intelligence" in pdf_text(officer)
    assert "Police-only intelligence" not in pdf_text(council_worker)


def test_every_file_that_shapes_the_document_is_in_its_fingerprint():
    """A cached PDF is reused until the data or the code that lays it out changes: every file
    named must exist, or a change to it would serve stale documents."""
    from pathlib import Path

    from django.conf import settings

    missing = [n for n in pdf.FINGERPRINT_FILES if not (Path(settings.BASE_DIR) / n).is_file()]
    assert missing == []


# ---------------------------------------------------------------- the first page (issue 16)


def _laid_out(case, as_of=AS_OF) -> tuple[dict, bytes]:
    """The document's data and its PDF, laid out here (no job, no cache)."""
    from django.utils import timezone

    data = pdf.chronology_data(case, as_of=as_of)
    html = pdf.render_html(data, digest=pdf.chronology_hash(data), generated_at=timezone.now())
    return data, pdf._layout(html)


def test_first_page_carries_the_case_the_drawing_and_the_findings():
    """The demo failure case: the drawing's words read back off page 1, with its findings by
    kind, numbered as in section 2; the marking and "Page X of Y" on every page."""
    from django.utils import timezone

    from reviews.sampledata.demo import FAILURE_REF, load_demo

    load_demo(today=timezone.localdate())
    case = Case.objects.select_related("person").get(reference=FAILURE_REF)
    data, content = _laid_out(case)
    texts = pages(content)
    first = flat(texts[0])  # the drawing's words are set letter by letter: no spaces to trust
    assert flat(f"Case reference {FAILURE_REF}") in first and flat("Person Sol Brennock") in first
    drawing = data["drawing"]
    for words in (
        drawing["as_of_label"],
        "Exits and follow-up reviews",
        "6-month review missed",
        "Sessions recorded as held (line)",
        "ongoing",
        *(lane["name"] for lane in drawing["lanes"]),
        *(item["text"] for item in drawing["legend"]),
    ):
        assert flat(words) in first, words
    assert f"Findings ({len(data['findings'])})" in texts[0]
    for group in data["finding_groups"]:
        assert flat(f"{group['numbers']} {group['label']}, {group['when']}") in first
    for number, text in enumerate(texts, 1):
        assert text.splitlines()[0] == "OFFICIAL-SENSITIVE"
        assert f"OFFICIAL-SENSITIVE Page {number} of {len(texts)}" in text
    # "Recorded by" names who recorded each entry: the source's name, or who logged it.
    recorded = flat(column_text(content, "Recorded", "Logged"))
    assert all(entry["recorded_by"] for entry in data["entries"])
    for entry in data["entries"]:
        assert flat(entry["recorded_by"]) in recorded


def test_no_page_of_the_chronology_holds_a_lone_row(importer):
    """34 entries of this length leave one row alone on the table's last page, unless the
    stylesheet keeps a table's last row with the one before it."""
    rows = ["CR-LONE,Sam Long,Police,referral,2015-01-05,,Referred,form,,,,,\n"]
    for i in range(33):
        day = D(2015, 1, 6) + dt.timedelta(days=i * 3)
        rows.append(
            f"CR-LONE,,Police,contact,{day},,Contact {i + 1}: {'words of summary ' * 6},"
            f"note {i + 1},,,,,\n"
        )
    import_chronology(
        [("lone.csv", (HEADER + "".join(rows)).encode())],
        user=importer,
        owner=importer,
        trusted=True,
    )
    _, content = _laid_out(Case.objects.select_related("person").get(reference="CR-LONE"))
    numbers = [
        [int(n) for n in re.findall(r"^(\d+) \d{1,2} [A-Z][a-z]+ ", text, re.M)]
        for text in pages(content)
    ]
    chronology = [found for found in numbers if found]
    assert sum(chronology, []) == list(range(1, 35))
    assert all(len(found) >= 2 for found in chronology), chronology
