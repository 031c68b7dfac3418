"""Recording a case as it happened (issue 14): two dates of writing, unknowns left unknown.

A caseworker copies a 2015 case in from its documents in 2026. What the agencies logged, and
when, decides "logged late"; when it was typed in is kept apart (a backfill: shown, asked for
its source, listed for supervisors, never a finding).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casereview.timerules import TimeRules
from referrals.models import Agency, Case, CaseNote, User
from reviews import services
from reviews.chronology.findings import compute_findings
from reviews.chronology.query import entries_for_case
from reviews.models import AgencyAccount, FollowUpReview, InterventionSession, ProviderAssignment
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def _date(name: str, value: dt.date | None, *, month_only: bool = False) -> dict:
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {
        f"{name}_0": "" if month_only else str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    panel = factories.agency("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL)
    provider = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    people = {
        "caseworker": factories.user("caseworker", agency_=council),
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "provider": factories.user("provider", role=User.Role.PROVIDER, agency_=provider),
        "panel": panel,
        "council": council,
        "brightpath": provider,
    }
    people["case"] = factories.case(
        owner=people["caseworker"], received_on=D(2014, 10, 7), reference="CR-2014-00001"
    )
    return people


def _account_form(cast, **overrides) -> dict:
    return {
        "agency": cast["panel"].pk,
        **_date("occurred", D(2015, 3, 12)),
        **_date("logged", D(2015, 3, 13)),
        "source_kind": "minutes",
        "source": "Channel minutes 12/03/2015",
        "sessions_believed": "",
        # Nothing the record contradicts: such an account is saved only once confirmed
        # (tests/reviews/test_account_form.py).
        "believed_status": "not_started",
        "summary": "Minutes: 'still ongoing with his IP'.",
        "late_reason": "",
        **overrides,
    }


def test_every_record_form_asks_when_it_was_logged_today_by_default(client, cast):
    client.force_login(cast["caseworker"])
    ref = cast["case"].reference
    today = timezone.localdate()
    for name in (
        "referrals:contact-new",
        "referrals:note-new",
        "reviews:panel-meeting-new",
        "reviews:assignment-new",
        "reviews:briefing-new",
        "reviews:session-new",
        "reviews:account-new",
        "reviews:exit",
    ):
        html = client.get(reverse(name, args=[ref])).content.decode()
        assert "Date it was logged" in html, name
        assert f'name="logged_2" value="{today.year}"' in html, name
    assert "Date it was logged" in client.get(reverse("referrals:case-new")).content.decode()


def test_the_agencys_logged_date_decides_logged_late_and_the_typing_is_a_backfill(client, cast):
    client.force_login(cast["caseworker"])
    ref = cast["case"].reference
    response = client.post(reverse("reviews:account-new", args=[ref]), _account_form(cast))
    assert response.status_code == 302
    account = AgencyAccount.objects.get(case=cast["case"])
    assert account.logged_on == D(2015, 3, 13) and account.late_reason == ""
    codes = [f.code for f in compute_findings(entries_for_case(cast["case"]), as_of=D(2026, 1, 1))]
    assert "LOGGED_LATE" not in codes  # logged the next day: on time, whenever it was typed in
    page = client.get(reverse("reviews:case", args=[ref])).content.decode()
    today = timezone.localdate()
    assert "Entered later from documents" in page
    assert (
        f"Logged 13 March 2015. Entered into casereview on {today.day} "
        f"{today.strftime('%B')} {today.year} by Caseworker Example, from Channel minutes 12/03/2015"
    ) in page
    timeline = client.get(reverse("reviews:timeline-json", args=[ref])).json()
    assert [f["code"] for f in timeline["findings"] if f["code"] == "LOGGED_LATE"] == []


def test_a_backfill_asks_which_document_it_is_copied_from_and_saves_nothing_without(client, cast):
    client.force_login(cast["caseworker"])
    url = reverse("reviews:account-new", args=[cast["case"].reference])
    response = client.post(url, _account_form(cast, source=""))
    assert response.status_code == 200
    assert (
        "This was logged on 13 March 2015, more than 7 days ago: name the document it is "
        "copied from."
    ) in response.content.decode()
    assert not AgencyAccount.objects.exists()


def test_last_weeks_session_logged_today_is_still_logged_late(client, cast):
    services.assign_provider(
        case=cast["case"],
        user=cast["caseworker"],
        agency=cast["brightpath"],
        occurred_on=D(2015, 1, 2),
        logged_on=D(2015, 1, 2),
        summary="Commissioned",
        require_late_reason=False,
    )
    client.force_login(cast["provider"])
    url = reverse("reviews:session-new", args=[cast["case"].reference])
    ten_days_ago = timezone.localdate() - dt.timedelta(days=10)
    form = {
        **_date("occurred", ten_days_ago),
        **_date("logged", None),  # left blank: today
        "status": "held",
        "summary": "Met at the library.",
        "attendees": "",
        "provider_report": "",
        "source": "",
        "late_reason": "",
    }
    refused = client.post(url, form)
    assert "This is being logged 10 days after it happened" in refused.content.decode()
    assert not InterventionSession.objects.exists()
    assert client.post(url, {**form, "late_reason": "Notes sent late"}).status_code == 302
    session = InterventionSession.objects.get()
    assert session.logged_on == timezone.localdate()
    findings = compute_findings(entries_for_case(cast["case"]), as_of=timezone.localdate())
    assert [f.code for f in findings if f.code == "LOGGED_LATE"] == ["LOGGED_LATE"]
    (entry,) = [e for e in entries_for_case(cast["case"]) if e.entry_type == "session_held"]
    assert entry.entered_on == timezone.localdate() and not entry.backfilled(TimeRules.current())


def test_a_logged_date_in_the_future_or_before_it_happened_is_refused(client, cast):
    client.force_login(cast["caseworker"])
    url = reverse("reviews:account-new", args=[cast["case"].reference])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = client.post(url, _account_form(cast, **_date("logged", tomorrow)))
    assert "The date it was logged cannot be in the future." in future.content.decode()
    before = client.post(url, _account_form(cast, **_date("logged", D(2015, 3, 11))))
    assert (
        "The date it was logged cannot be before the date it happened, 12 March 2015."
        in before.content.decode()
    )
    assert not AgencyAccount.objects.exists()


def test_supervisors_see_what_was_typed_in_from_documents_and_others_do_not(client, cast):
    client.force_login(cast["caseworker"])
    client.post(reverse("reviews:account-new", args=[cast["case"].reference]), _account_form(cast))
    url = reverse("reviews:backfills")
    assert client.get(url).status_code == 403
    client.force_login(cast["provider"])
    assert client.get(url).status_code == 403
    client.force_login(cast["supervisor"])
    page = client.get(url).content.decode()
    assert "CR-2014-00001" in page and "Channel minutes 12/03/2015" in page
    assert "13 March 2015" in page and "Caseworker Example" in page
    # The fixture's referral (logged 2014, typed in today) is a backfill too; the sessions
    # typed in on the day they were logged are not.
    assert page.count('href="/cases/CR-2014-00001/"') == 2
    assert "Agency account, Northshire Channel Panel" in page and "Referral, " in page


def test_unknowns_stay_unknown_on_the_commissioning_form(client, cast):
    client.force_login(cast["caseworker"])
    ref = cast["case"].reference
    response = client.post(
        reverse("reviews:assignment-new", args=[ref]),
        {
            "agency": cast["brightpath"].pk,
            **_date("occurred", D(2014, 12, 1), month_only=True),
            **_date("logged", D(2014, 12, 31)),
            "commissioned_by": "phone",
            "sessions_planned": "",
            "provider_worker": "",
            "summary": "Asked by phone to mentor.",
            "source": "Provider's account to the review",
            "late_reason": "",
        },
    )
    assert response.status_code == 302
    assignment = ProviderAssignment.objects.get()
    assert assignment.sessions_planned is None and assignment.commissioned_by == "phone"
    assert assignment.occurred_precision == "month"
    page = client.get(reverse("reviews:case", args=[ref])).content.decode()
    assert "commissioned December 2014 (by phone)" in page
    assert "0 held; number planned not known" in page
    csv = client.get(reverse("reviews:chronology-csv", args=[ref])).content.decode()
    assert ",2014-12," in csv and ",phone" in csv and "2014-12-01" not in csv


def test_a_month_only_date_is_never_shown_or_prefilled_with_a_day(client, cast):
    client.force_login(cast["caseworker"])
    response = client.post(
        reverse("referrals:case-new"),
        {
            "person_name": "Harley Jessop",
            **_date("date_of_birth", None),
            "referring_agency": cast["council"].pk,
            "referrer_name": "",
            **_date("received", D(2014, 10, 1), month_only=True),
            **_date("logged", D(2014, 10, 31)),
            "concerns": "Statements in class.",
            "source": "College referral form",
            "late_reason": "",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(person__display_name="Harley Jessop")
    assert case.referred_display == "October 2014"
    listing = client.get(reverse("referrals:case-list"), {"q": "Jessop"}).content.decode()
    assert "October 2014" in listing and "1 October 2014" not in listing
    referral = case.referral_records.get()
    edit = client.get(
        reverse("reviews:record-edit", args=[case.reference, "referral", referral.pk])
    ).content.decode()
    day_box = re.search(r'<input[^>]*name="occurred_on_0"[^>]*>', edit).group(0)
    assert 'value="1"' not in day_box and 'value="10"' in edit
    # Saving the change form without touching the date keeps it month-only.
    changed = client.post(
        reverse("reviews:record-edit", args=[case.reference, "referral", referral.pk]),
        {
            **_date("occurred_on", D(2014, 10, 1), month_only=True),
            **_date("logged_on", D(2014, 10, 31)),
            "summary": "Statements in class; posts shared.",
            "source": "College referral form",
            "late_reason": "",
            "referrer_name": "",
            "outcome": referral.outcome,
            "reason": "Fuller summary from the form",
            "version": str(referral.version),
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:3000]
    referral.refresh_from_db()
    assert referral.occurred_precision == "month" and referral.occurred_on == D(2014, 10, 1)


def test_a_review_held_in_a_known_month_reads_as_that_month_everywhere(client, cast):
    case = cast["case"]
    caseworker = cast["caseworker"]
    services.record_decision(
        case=case,
        user=caseworker,
        kind="adopt",
        rationale="Support offered.",
        agency=cast["panel"],
        occurred_on=D(2014, 11, 18),
        logged_on=D(2014, 11, 18),
        summary="Adopted",
        require_late_reason=False,
    )
    services.exit_case(
        case=case,
        user=caseworker,
        agency=cast["panel"],
        occurred_on=D(2015, 4, 1),
        month_only=True,
        logged_on=D(2015, 4, 30),
        summary="Exited",
        risk_level="very_low",
        enforce_gate=False,
        require_late_reason=False,
    )
    review = FollowUpReview.objects.get(case=case, kind="12_month")
    client.force_login(caseworker)
    response = client.post(
        reverse("reviews:review-conduct", args=[case.reference, review.pk]),
        {
            **_date("conducted", D(2016, 10, 1), month_only=True),
            **_date("logged", D(2016, 12, 4)),
            "agency": cast["council"].pk,
            "participants": "",
            "summary": "No further concerns.",
            "source": "Review form",
            "late_reason": "IT issue",
            "version": str(review.version),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    review.refresh_from_db()
    assert review.conducted_precision == "month" and review.logged_on == D(2016, 12, 4)
    page = client.get(reverse("reviews:case", args=[case.reference])).content.decode()
    assert "Held October 2016, logged 4 December 2016" in page
    findings = compute_findings(entries_for_case(case), as_of=D(2026, 11, 30))
    late = next(f for f in findings if f.code == "REVIEW_LATE")
    assert late.when == "October 2016" and "in October 2016" in late.message
    csv = client.get(reverse("reviews:chronology-csv", args=[case.reference])).content.decode()
    assert ",2016-10,2016-12-04," in csv


def test_an_import_keeps_commissioned_by_and_refuses_a_wrong_one_by_line(cast):
    from reviews.chronology.csv_format import ImportRejected, export_csv, import_chronology

    header = "case_ref,agency,entry_type,occurred_on,logged_on,summary,commissioned_by\n"
    good = header + "CR-2014-00001,Brightpath Mentoring,ip_assigned,2014-12,,Asked,phone\n"
    import_chronology([("ok.csv", good.encode())], user=cast["caseworker"], trusted=True)
    assert ProviderAssignment.objects.get().commissioned_by == "phone"
    assert ",phone\r\n" in export_csv(cast["case"])
    bad = header + "CR-2014-00001,Police,contact,2015-01-02,,Call,phone\n"
    with pytest.raises(ImportRejected) as caught:
        import_chronology([("bad.csv", bad.encode())], user=cast["caseworker"], trusted=True)
    assert caught.value.errors == [
        "bad.csv: line 2, column commissioned_by: only an ip_assigned gives commissioned_by"
    ]
    assert not CaseNote.objects.exists()
