"""The timeline page, its JSON, CSV download and upload, as users meet them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import AccessLog, Agency, Case, User
from reviews.chronology.csv_format import import_chronology
from reviews.models import AgencyAccount
from tests import factories
from tests.reviews.test_chronology_csv import FAILURE, HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return factories.user("caseworker", agency_=factories.agency("Local authority"))


@pytest.fixture
def case(caseworker):
    import_chronology(
        [("failure.csv", FAILURE.encode())], user=caseworker, owner=caseworker, trusted=True
    )
    case = Case.objects.get(reference="CR-T-1")
    # The referral row made Police the lead agency; the caseworker's council is the reviewing agency.
    return case


@pytest.fixture
def outsider():
    return factories.user(
        "outsider", agency_=factories.agency("Westmoor Police", Agency.Kind.POLICE)
    )


def test_timeline_lists_findings_linked_to_entries(client, caseworker, case):
    client.force_login(caseworker)
    page = client.get(reverse("reviews:timeline", args=[case.reference]), {"as_of": "2026-01-01"})
    html = page.content.decode()
    assert page.status_code == 200
    for code in (
        "NO_WRITTEN_BRIEFING",
        "BELIEF_EXCEEDS_RECORD",
        "REVIEW_MISSED",
        "REVIEW_LATE",
        "LOGGED_LATE",
    ):
        assert code in html
    assert 'href="#entry-6"' in html  # the held session the briefing finding is about
    assert "May 2015" in html and "(month only)" in html  # approximate date shown as such
    assert "logged 20 March 2017: IT issue" in html
    assert AccessLog.objects.filter(case=case, action="view-timeline", user=caseworker).exists()


def test_as_of_hides_what_was_logged_later(client, caseworker, case):
    client.force_login(caseworker)
    page = client.get(reverse("reviews:timeline", args=[case.reference]), {"as_of": "2016-06-01"})
    html = page.content.decode()
    assert "1 record logged after that day is hidden" in html
    assert "12-month review held" not in html
    assert "REVIEW_MISSED" in html and "REVIEW_LATE" not in html
    before_exit = client.get(
        reverse("reviews:timeline", args=[case.reference]), {"as_of": "2015-07-01"}
    )
    assert "REVIEW_MISSED" not in before_exit.content.decode()


def test_filters_narrow_the_records_not_the_findings(client, caseworker, case):
    client.force_login(caseworker)
    page = client.get(
        reverse("reviews:timeline", args=[case.reference]),
        {"agency": "Police", "type": "", "as_of": ""},
    )
    rows = page.context["timeline"].rows
    assert {r.entry.agency for r in rows} == {"Police"}
    assert len(page.context["timeline"].findings) == 6


def test_comparison_highlights_mismatches(client, caseworker, case):
    client.force_login(caseworker)
    page = client.get(reverse("reviews:timeline", args=[case.reference]))
    comparisons = page.context["timeline"].comparisons
    assert [(c.row.entry.agency, c.held_by_then, c.mismatch) for c in comparisons] == [
        ("Police", 1, True),
        ("Channel panel", 1, True),
    ]


def test_timeline_json_matches_the_command(client, caseworker, case):
    import io
    import json

    from django.core.management import call_command

    client.force_login(caseworker)
    document = client.get(
        reverse("reviews:timeline-json", args=[case.reference]), {"as_of": "2016-06-01"}
    ).json()
    out = io.StringIO()
    call_command("case_findings", case.reference, "--as-of", "2016-06-01", "--json", stdout=out)
    expected = json.loads(out.getvalue())
    assert [
        {k: f[k] for k in ("code", "date", "agency", "message")} for f in document["findings"]
    ] == expected["findings"]
    assert document["findings"][0]["entries"] == [6]
    assert len(document["entries"]) == 9
    bad = client.get(
        reverse("reviews:timeline-json", args=[case.reference]), {"as_of": "2016-13-01"}
    )
    assert bad.status_code == 400


def test_timeline_query_count_does_not_grow_with_records(
    client, caseworker, case, django_assert_max_num_queries
):
    client.force_login(caseworker)
    url = reverse("reviews:timeline", args=[case.reference])
    with django_assert_max_num_queries(24):
        client.get(url)
    rows = "".join(
        f"CR-T-1,,Police,agency_account,2015-06-{day:02d},,Account {day},email {day},1,,,,\n"
        for day in range(1, 29)
    )
    import_chronology(
        [("more.csv", (HEADER + rows).encode())], user=caseworker, owner=caseworker, trusted=True
    )
    assert AgencyAccount.objects.count() == 30
    with django_assert_max_num_queries(24):
        client.get(url)


def test_outsider_gets_not_found_everywhere(client, outsider, case):
    client.force_login(outsider)
    for name in ("timeline", "timeline-json", "chronology-csv", "case-import"):
        assert client.get(reverse(f"reviews:{name}", args=[case.reference])).status_code == 404, (
            name
        )
    assert AccessLog.objects.filter(user=outsider, outcome="refused").count() == 4


def test_csv_download_is_the_interchange_format(client, caseworker, case):
    client.force_login(caseworker)
    response = client.get(reverse("reviews:chronology-csv", args=[case.reference]))
    assert response["Content-Disposition"] == 'attachment; filename="CR-T-1-chronology.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("case_ref,subject,agency,entry_type,occurred_on")
    assert len(lines) == 11
    assert AccessLog.objects.filter(case=case, action="export-csv").count() == 1


def test_upload_reports_every_bad_row_and_saves_nothing(client, caseworker, case):
    client.force_login(caseworker)
    bad = (
        HEADER
        + "CR-T-1,,Police,agency_account,2015-13-01,,x,,,,,,\nCR-T-1,,Police,wizardry,2015-06-01,,x,,,,,,\n"
    )
    response = client.post(
        reverse("reviews:case-import", args=[case.reference]),
        {"file": SimpleUploadedFile("bad.csv", bad.encode(), "text/csv")},
    )
    html = response.content.decode()
    assert (
        "bad.csv: line 2, column occurred_on:" in html
        and "bad.csv: line 3, column entry_type:" in html
    )
    assert AgencyAccount.objects.count() == 2


def test_upload_on_a_case_cannot_reach_another_case(client, caseworker, case):
    client.force_login(caseworker)
    other = HEADER + "CR-OTHER,Sasha Mossop,Police,note,2015-06-01,,x,,,,,,\n"
    response = client.post(
        reverse("reviews:case-import", args=[case.reference]),
        {"file": SimpleUploadedFile("o.csv", other.encode(), "text/csv")},
    )
    assert (
        "line 2, column case_ref: this upload is for CR-T-1, not CR-OTHER"
        in response.content.decode()
    )
    assert not Case.objects.filter(reference="CR-OTHER").exists()


def test_upload_creates_a_new_case_owned_by_the_uploader(client):
    # A panel chair merges the agencies' chronologies of a new case into one. In the browser a
    # new case is named NEW: the upload gives it the next reference of its referral's year.
    chair = factories.user("chair", role=User.Role.PANEL_CHAIR)
    client.force_login(chair)
    response = client.post(
        reverse("reviews:chronology-import"),
        {"file": SimpleUploadedFile("failure.csv", FAILURE.replace("CR-T-1", "NEW").encode())},
    )
    case = Case.objects.get(reference="CR-2015-00001")
    assert response.status_code == 302 and response.url == reverse(
        "reviews:timeline", args=["CR-2015-00001"]
    )
    assert "NEW is now case CR-2015-00001" in client.get(response.url).content.decode()
    assert case.owner == chair
    again = client.post(
        reverse("reviews:case-import", args=["CR-2015-00001"]),
        {
            "file": SimpleUploadedFile(
                "failure.csv", FAILURE.replace("CR-T-1", "CR-2015-00001").encode()
            )
        },
        follow=True,
    )
    assert "Imported 0 entries (10 already present)" in again.content.decode()


def test_upload_refuses_non_utf8(client, caseworker):
    client.force_login(caseworker)
    response = client.post(
        reverse("reviews:chronology-import"),
        {"file": SimpleUploadedFile("l.csv", HEADER.encode() + "Zoë".encode("latin-1"))},
    )
    assert "is not UTF-8 text" in response.content.decode()


def test_provider_and_inquiry_cannot_upload_new_cases(client, case):
    for role in (User.Role.PROVIDER, User.Role.INQUIRY):
        client.force_login(factories.user(f"u-{role}", role=role))
        assert client.get(reverse("reviews:chronology-import")).status_code == 403


def _entries_from_instances(case, *, include_void=False, viewer=None):
    """The chronology as it was built before entries_for_case read plain rows: model instances
    through entries_from_record and review_entry (the reference the one query must match)."""
    from django.db.models import Q

    from referrals.access import sees_all_restricted
    from referrals.models import CaseNote, Contact
    from reviews.chronology.entries import sort_key
    from reviews.chronology.query import RECORD_MODELS, entries_from_record, review_entry
    from reviews.models import FollowUpReview

    entries = []
    for model in RECORD_MODELS:
        records = model.objects.filter(case=case)
        if not include_void:
            records = records.filter(voided_at__isnull=True)
        if viewer is not None and model in (Contact, CaseNote) and not sees_all_restricted(viewer):
            records = records.filter(Q(restricted=False) | Q(agency_id=viewer.agency_id))
        for record in records:
            entries.extend(entries_from_record(record, case.reference))
    entries.extend(
        review_entry(review, case.reference)
        for review in FollowUpReview.objects.filter(case=case, state="held")
    )
    return sorted(entries, key=sort_key)


def test_entries_read_as_rows_are_the_entries_made_from_the_records(caseworker, case):
    """entries_for_case reads one UNION ALL of plain rows; every field of every entry (voided
    flag included) is what the model instances give, for every kind of record and viewer."""
    import dataclasses

    from referrals import services as intake
    from referrals.models import User
    from reviews import services as panel
    from reviews.chronology.query import entries_for_case
    from reviews.models import FollowUpReview, InterventionSession, PanelDecision

    police = Agency.objects.get(name="Police")
    provider = Agency.objects.get(name="Intervention provider")
    officer = factories.user("officer", agency_=police)
    nameless = factories.user("nameless", agency_=provider)
    User.objects.filter(pk=nameless.pk).update(first_name="", last_name="")  # str() is the username
    nameless.refresh_from_db()
    day = dt.date(2015, 6, 1)
    intake.add_note(
        case=case,
        user=officer,
        agency=police,
        restricted=True,
        occurred_on=day,
        logged_on=day,
        summary="Police-only note",
    )
    intake.log_contact(
        case=case,
        user=officer,
        agency=police,
        kind="call",
        restricted=True,
        occurred_on=day,
        logged_on=day,
        summary="Police-only call",
    )
    wrong = intake.add_note(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=day,
        logged_on=day,
        summary="On the wrong case",
    )
    intake.void_record(wrong, user=caseworker, reason="Wrong case")
    panel.record_decision(
        case=case,
        user=caseworker,
        kind=PanelDecision.Kind.CONTINUE,
        agency=police,
        occurred_on=day,
        logged_on=day,
        summary="Continue",
    )
    planned = panel.plan_session(
        case=case,
        user=nameless,
        agency=provider,
        occurred_on=dt.date(2015, 7, 1),
        logged_on=day,
        summary="Second session arranged",
        source="diary",
    )
    cancelled = panel.plan_session(
        case=case,
        user=nameless,
        agency=provider,
        occurred_on=dt.date(2015, 7, 8),
        logged_on=day,
        summary="Third session arranged",
        month_only=False,
    )
    panel.record_session_outcome(
        session=cancelled,
        user=caseworker,
        status="cancelled",
        summary="Cancelled: unwell",
        logged_on=dt.date(2015, 7, 20),
        late_reason="Leave",
    )
    InterventionSession.objects.filter(pk=planned.pk).update(plan_logged_by=None)
    FollowUpReview.objects.filter(case=case, state="held").update(logged_by=None)

    viewers = [None, caseworker, officer, factories.user("inquiry", role=User.Role.INQUIRY)]
    for include_void in (False, True):
        for viewer in viewers:
            rows = entries_for_case(case, include_void=include_void, viewer=viewer)
            instances = _entries_from_instances(case, include_void=include_void, viewer=viewer)
            assert [dataclasses.astuple(e) for e in rows] == [
                dataclasses.astuple(e) for e in instances
            ], (include_void, viewer)
    everything = entries_for_case(case, include_void=True)
    assert {
        "session_planned",
        "session_cancelled",
        "note",
        "review_conducted",
        "case_adopted",
        "agency_account",
    } <= {e.entry_type for e in everything}
    assert any(e.voided for e in everything) and any(e.month_only for e in everything)
    assert "nameless" in {e.logged_by for e in everything}
    assert "Police-only note" not in {e.summary for e in entries_for_case(case, viewer=caseworker)}
    assert "Police-only note" in {e.summary for e in entries_for_case(case, viewer=officer)}


def test_every_kind_of_case_record_is_declared_once():
    """reviews.chronology.kinds declares each kind of record: a new CaseRecord model that is
    not declared would be missing from the chronology, the record pages and the admin."""
    from django.apps import apps
    from django.contrib import admin

    from referrals.models import CaseRecord
    from reviews.chronology import kinds

    records = {m for m in apps.get_models() if issubclass(m, CaseRecord) and not m._meta.abstract}
    assert records == set(kinds.CHRONOLOGY_MODELS)
    assert len(kinds.BY_SLUG) == len(kinds.KINDS)
    assert all(admin.site.is_registered(model) for model in kinds.RECORD_TYPES.values())
