"""The dashboard opens with its summary: counts per owner and agency, each a link to its list."""

import datetime as dt

import pytest
from django.urls import reverse

from referrals.models import Agency, User
from reviews import services
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def test_counts_come_first_and_each_links_to_its_filtered_list(client):
    council = factories.agency("Northshire County Council")
    panel = factories.agency("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL)
    caseworker = factories.user("caseworker", agency_=council)
    supervisor = factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council)
    case = factories.case(owner=caseworker, received_on=D(2019, 1, 7))
    services.record_decision(
        case=case,
        user=caseworker,
        kind="adopt",
        rationale="Support.",
        agency=panel,
        occurred_on=D(2019, 1, 20),
        logged_on=D(2019, 1, 20),
        summary="Adopted",
        require_late_reason=False,
    )
    services.exit_case(
        case=case,
        user=caseworker,
        agency=panel,
        occurred_on=D(2019, 6, 3),
        logged_on=D(2019, 6, 3),
        summary="Exited",
        enforce_gate=False,
        require_late_reason=False,
    )
    client.force_login(supervisor)
    page = client.get(reverse("reviews:dashboard")).content.decode()
    assert page.index("By owner") < page.index('id="follow-ups"')
    assert page.index("By agency") < page.index('id="follow-ups"')
    link = f'href="?owner={caseworker.pk}&amp;state=missed"'
    assert link in page and '2<span class="govuk-visually-hidden"> missed for' in page
    listed = client.get(reverse("reviews:dashboard"), {"owner": caseworker.pk, "state": "missed"})
    assert listed.context["dash"].total == 2
