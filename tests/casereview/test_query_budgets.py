"""Query budgets: each list and detail page runs a bounded number of queries, whatever the data.

Every page is measured on a small seeded archive (`seed_scale`), and again after a
larger one is added on top (ten times the cases, and a 150-record case where
there was a 20-record one), under the same bound, so an N+1 (a query per case,
per record or per row) fails here. A budget is what the page needs today plus
one. One test for all pages: seeding twice for each page would be slow.
"""

import pytest
from django.core.management import call_command

from referrals.models import Case, User
from reviews.models import ProviderAssignment

pytestmark = pytest.mark.django_db

# page -> the most queries one request may run (session, user and access-log writes included).
BUDGETS = {
    "case-list": 13,
    "case-search": 15,  # a search is written to the access log (chained: lock, head, row)
    "home": 11,
    "case-page": 20,
    "timeline": 12,
    "timeline-json": 11,
    "provider-list": 11,  # + the questions waiting for the provider's answer (issue 17)
    "dashboard": 14,  # + the loop lists (cases gone quiet, ...): one query for all of them
}


def _pages() -> dict[str, tuple[User, str]]:
    """Who asks for which URL: the busiest caseworker, the largest case's owner, and so on."""
    largest = Case.objects.order_by("-pk").first()  # seed_scale makes its large cases first
    largest = Case.objects.filter(pk__lte=largest.pk).order_by("-pk")
    big = max(largest[:60], key=lambda case: case.contact_records.count())
    busiest = max(
        Case.objects.values_list("owner", flat=True).distinct(),
        key=lambda owner: Case.objects.filter(owner=owner).count(),
    )
    caseworker = User.objects.get(pk=busiest)
    supervisor = User.objects.filter(role=User.Role.SUPERVISOR, agency=caseworker.agency).first()
    provider_agency = ProviderAssignment.objects.values_list("agency", flat=True).first()
    provider = User.objects.filter(role=User.Role.PROVIDER, agency=provider_agency).first()
    return {
        "case-list": (caseworker, "/cases/"),
        "case-search": (caseworker, "/cases/?q=a"),
        "home": (caseworker, "/"),
        "case-page": (big.owner, f"/cases/{big.reference}/"),
        "timeline": (big.owner, f"/cases/{big.reference}/timeline/"),
        "timeline-json": (big.owner, f"/cases/{big.reference}/timeline.json"),
        "provider-list": (provider, "/provider/"),
        "dashboard": (supervisor, "/dashboard/"),
    }


def test_query_counts_stay_within_budget_as_the_data_grows(client, django_assert_max_num_queries):
    counts: dict[str, list[int]] = {page: [] for page in BUDGETS}
    for cases, big, seed in ((4, "20", 1), (40, "150", 2)):
        call_command("seed_scale", cases=cases, big=big, seed=seed, verbosity=0)
        for page, (user, url) in _pages().items():
            client.force_login(user)
            info = f"{page} ({url}) with {Case.objects.count()} cases"
            with django_assert_max_num_queries(BUDGETS[page], info=info) as captured:
                response = client.get(url)
            assert response.status_code == 200, info
            counts[page].append(len(captured.captured_queries))
    grew = {page: n for page, n in counts.items() if n[1] > n[0]}
    assert not grew, f"queries per request grew with the data: {grew}"
