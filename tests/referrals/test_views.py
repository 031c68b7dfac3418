"""Every case page as a cast of users sees it: own agency, other agency, provider, reviewer, anonymous."""

import datetime as dt

import pytest
from django.urls import reverse

from referrals.models import Agency, Case, User
from reviews import services
from reviews.models import AgencyAccount, InterventionSession
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    other_provider = factories.agency("Elsewhere Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    people = {
        "caseworker": factories.user("caseworker", agency_=council),
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "outsider": factories.user("outsider", agency_=westmoor),
        "provider": factories.user("provider", role=User.Role.PROVIDER, agency_=brightpath),
        "other_provider": factories.user(
            "other_provider", role=User.Role.PROVIDER, agency_=other_provider
        ),
        "inquiry": factories.user(
            "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
        "admin": factories.user("admin", role=User.Role.ADMIN, agency_=westmoor),
    }
    case = factories.case(
        owner=people["caseworker"], received_on=D(2019, 10, 7), reference="CR-2019-00001"
    )
    services.assign_provider(
        case=case,
        user=people["caseworker"],
        agency=brightpath,
        occurred_on=D(2019, 11, 1),
        logged_on=D(2019, 11, 1),
        summary="Commissioned",
        sessions_planned=4,
    )
    people["case"] = case
    return people


def case_urls(case):
    ref = case.reference
    account = AgencyAccount.objects.filter(case=case).first()
    return [
        reverse("reviews:case", args=[ref]),
        reverse("referrals:contact-new", args=[ref]),
        reverse("referrals:note-new", args=[ref]),
        reverse("referrals:owner", args=[ref]),
        reverse("reviews:panel-meeting-new", args=[ref]),
        reverse("reviews:account-new", args=[ref]),
        reverse("reviews:exit", args=[ref]),
        *(
            [reverse("reviews:record-history", args=[ref, "agencyaccount", account.pk])]
            if account
            else []
        ),
    ]


def test_anonymous_is_sent_to_sign_in(client, cast):
    for url in [
        reverse("reviews:home"),
        reverse("referrals:case-list"),
        *case_urls(cast["case"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        ), url


def test_own_agency_sees_every_case_page(client, cast):
    client.force_login(cast["caseworker"])
    for url in case_urls(cast["case"]):
        assert client.get(url).status_code == 200, url


def test_other_agency_gets_not_found_for_every_case_page(client, cast):
    client.force_login(cast["outsider"])
    for url in case_urls(cast["case"]):
        assert client.get(url).status_code == 404, url
    response = client.get(reverse("referrals:case-list"), {"q": "CR-2019"})
    assert b"CR-2019-00001" not in response.content and b"0 cases" in response.content


def test_provider_sees_only_commissioned_cases_and_cannot_edit(client, cast):
    client.force_login(cast["provider"])
    ref = cast["case"].reference
    assert client.get(reverse("reviews:case", args=[ref])).status_code == 200
    assert client.get(reverse("reviews:session-new", args=[ref])).status_code == 200
    assert client.get(reverse("reviews:account-new", args=[ref])).status_code == 404
    assert client.get(reverse("reviews:home")).url == reverse("reviews:provider-cases")
    client.force_login(cast["other_provider"])
    assert client.get(reverse("reviews:case", args=[ref])).status_code == 404


def test_inquiry_reviewer_without_grant_sees_nothing(client, cast):
    client.force_login(cast["inquiry"])
    assert client.get(reverse("reviews:case", args=[cast["case"].reference])).status_code == 404


def test_wrong_method_is_refused(client, cast):
    client.force_login(cast["caseworker"])
    assert client.delete(reverse("reviews:case", args=[cast["case"].reference])).status_code == 405
    assert (
        client.put(reverse("referrals:contact-new", args=[cast["case"].reference])).status_code
        == 405
    )


def test_case_search_filters_and_counts(client, cast):
    for name in ("Riley Fenwick", "Quinn Oakes"):
        factories.case(owner=cast["caseworker"], person_name=name)
    client.force_login(cast["supervisor"])
    response = client.get(reverse("referrals:case-list"), {"q": "fenw"})
    assert response.context["count"] == 1
    assert b"Riley Fenwick" in response.content and b"Quinn Oakes" not in response.content
    response = client.get(reverse("referrals:case-list"), {"q": "CR-2019-00001"})
    assert [c.reference for c in response.context["page_obj"]] == ["CR-2019-00001"]


def test_new_referral_creates_case_and_shows_it(client, cast):
    client.force_login(cast["caseworker"])
    council = cast["caseworker"].agency
    response = client.post(
        reverse("referrals:case-new"),
        {
            "person_name": "Harley Jessop",
            "date_of_birth_0": "",
            "date_of_birth_1": "",
            "date_of_birth_2": "",
            "referring_agency": council.pk,
            "referrer_name": "",
            "received_0": "7",
            "received_1": "10",
            "received_2": "2019",
            "concerns": "Worrying posts",
            "source": "",
            "late_reason": "Backlog after the office move",
        },
    )
    case = Case.objects.get(person__display_name="Harley Jessop")
    assert response.status_code == 302 and response.url == reverse(
        "reviews:case", args=[case.reference]
    )
    assert case.owner == cast["caseworker"]
    page = client.get(response.url)
    assert b"Referral saved" in page.content and b"Harley Jessop" in page.content


def test_error_keeps_input_and_names_the_field(client, cast):
    client.force_login(cast["caseworker"])
    url = reverse("reviews:session-new", args=[cast["case"].reference])
    response = client.post(
        url,
        {
            "occurred_0": "1",
            "occurred_1": "9",
            "occurred_2": "2019",
            "status": "held",
            "summary": "Met at the library",
            "attendees": "",
            "provider_report": "",
            "source": "",
            "late_reason": "",
        },
    )
    assert "say why it was logged late" in response.content.decode()
    assert response.status_code == 200
    assert (
        "Date of the session must be on or after the referral date, 7 October 2019."
        in response.content.decode()
    )
    assert b"Met at the library" in response.content
    assert b"govuk-error-summary" in response.content
    assert not InterventionSession.objects.exists()


def test_stale_edit_shows_the_other_change(client, cast):
    case = cast["case"]
    account = services.record_agency_account(
        case=case,
        user=cast["caseworker"],
        agency=cast["caseworker"].agency,
        occurred_on=D(2019, 11, 5),
        logged_on=D(2019, 11, 5),
        summary="Said it was going well",
        sessions_believed=2,
    )
    url = reverse("reviews:record-edit", args=[case.reference, "agencyaccount", account.pk])
    form = {
        "occurred_on_0": "5",
        "occurred_on_1": "11",
        "occurred_on_2": "2019",
        "source": "",
        "late_reason": "",
        "sessions_believed": "3",
        "believed_status": "",
        "source_kind": "other",
        "version": "1",
    }
    client.force_login(cast["supervisor"])
    first = client.post(
        url, {**form, "summary": "Said three sessions", "reason": "Checked minutes"}
    )
    assert first.status_code == 302
    client.force_login(cast["caseworker"])
    second = client.post(url, {**form, "summary": "Said two sessions", "reason": "My notes"})
    content = second.content.decode()
    assert second.status_code == 200
    assert "Supervisor Example changed this record" in content and "Checked minutes" in content
    assert "Said three sessions" in content
    account.refresh_from_db()
    assert account.summary == "Said three sessions" and account.history.count() == 2
    third = client.post(
        url, {**form, "summary": "Said two sessions", "reason": "My notes", "version": "2"}
    )
    assert third.status_code == 302
    account.refresh_from_db()
    assert account.summary == "Said two sessions" and account.history.count() == 3


def test_void_through_the_page_keeps_the_record(client, cast):
    case = cast["case"]
    account = services.record_agency_account(
        case=case,
        user=cast["caseworker"],
        agency=cast["caseworker"].agency,
        occurred_on=D(2019, 11, 5),
        logged_on=D(2019, 11, 5),
        summary="Wrong case",
        sessions_believed=2,
    )
    client.force_login(cast["caseworker"])
    url = reverse("reviews:record-void", args=[case.reference, "agencyaccount", account.pk])
    assert client.post(url, {"reason": "", "version": "1"}).status_code == 200
    assert (
        client.post(url, {"reason": "Entered on the wrong case", "version": "1"}).status_code == 302
    )
    account.refresh_from_db()
    assert account.is_void and account.void_reason == "Entered on the wrong case"
    page = client.get(reverse("reviews:case", args=[case.reference])).content.decode()
    assert "Void" in page and "Wrong case" in page


def test_record_from_another_case_is_not_found(client, cast):
    other = factories.case(owner=cast["caseworker"], reference="CR-2019-00002")
    account = services.record_agency_account(
        case=other,
        user=cast["caseworker"],
        agency=cast["caseworker"].agency,
        occurred_on=D(2015, 2, 5),
        logged_on=D(2015, 2, 5),
        summary="x",
        sessions_believed=2,
    )
    client.force_login(cast["caseworker"])
    url = reverse("reviews:record-void", args=[cast["case"].reference, "agencyaccount", account.pk])
    assert client.post(url, {"reason": "swap", "version": "1"}).status_code == 404
    account.refresh_from_db()
    assert not account.is_void
