"""The provider's list is short: active cases by default, exited ones and a search a tap away."""

import datetime as dt

import pytest
from django.urls import reverse

from referrals import services as intake
from referrals.models import Agency, User
from reviews import services
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def provider_with_cases():
    council = factories.agency("Northshire County Council")
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    caseworker = factories.user("caseworker", agency_=council)
    provider = factories.user("provider", role=User.Role.PROVIDER, agency_=brightpath)
    cases = {}
    for number, (name, exited) in enumerate(
        [("Quinn Oakes", False), ("Riley Fenwick", False), ("Jude Norbury", True)], 1
    ):
        case = factories.case(owner=caseworker, person_name=name, received_on=D(2020, number, 1))
        services.record_decision(
            case=case,
            user=caseworker,
            kind="adopt",
            rationale="Support.",
            agency=council,
            occurred_on=D(2020, number, 5),
            logged_on=D(2020, number, 5),
            summary="Adopted",
            require_late_reason=False,
        )
        services.assign_provider(
            case=case,
            user=caseworker,
            agency=brightpath,
            occurred_on=D(2020, number, 6),
            logged_on=D(2020, number, 6),
            summary="Commissioned",
            require_late_reason=False,
        )
        if exited:
            services.exit_case(
                case=case,
                user=caseworker,
                agency=council,
                occurred_on=D(2020, number, 20),
                logged_on=D(2020, number, 20),
                summary="Exited",
                enforce_gate=False,
                require_late_reason=False,
            )
        cases[name] = case
    intake.create_referral(
        user=caseworker,
        person_name="Not Commissioned",
        referring_agency=council,
        received_on=D(2021, 1, 1),
        logged_on=D(2021, 1, 1),
        concerns="Elsewhere.",
    )
    return provider, cases


def test_active_cases_by_default_exited_on_request_and_a_search(client, provider_with_cases):
    provider, cases = provider_with_cases
    client.force_login(provider)
    url = reverse("reviews:provider-cases")
    page = client.get(url).content.decode()
    assert "Quinn Oakes" in page and "Riley Fenwick" in page
    assert "Jude Norbury" not in page and "Not Commissioned" not in page
    assert "Active (2)" in page and "Exited (1)" in page
    exited = client.get(url, {"show": "exited"}).content.decode()
    assert "Jude Norbury" in exited and "Quinn Oakes" not in exited
    assert "Record a session" not in exited
    found = client.get(url, {"q": "fenw"}).content.decode()
    assert "Riley Fenwick" in found and "Quinn Oakes" not in found
    none = client.get(url, {"q": "nobody"}).content.decode()
    assert "No active case matches “nobody”." in none


def test_a_search_too_long_is_told(client, provider_with_cases):
    provider, _ = provider_with_cases
    client.force_login(provider)
    page = client.get(reverse("reviews:provider-cases"), {"q": "x" * 500}).content.decode()
    assert "Search must be 100 characters or less" in page
