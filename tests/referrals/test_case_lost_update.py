"""A case change reported as saved is never silently reversed.

Every write to a case row goes through `update_case`: it sets only the fields it changes on the
row as it is now (locked), and a form that showed an older version of the case is refused with
the conflict page records already have. Before: an owner change answered "Owner changed" and a
consent save 13 ms later put the old owner back, 10 times in 10.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse

from casereview.records import ConflictError
from referrals import services as intake
from referrals.models import Case
from reviews import services
from tests import factories

D = dt.date


@pytest.fixture
def cast(db):
    council = factories.agency("Northshire County Council")
    return {
        "owner": factories.user("owner", agency_=council),
        "colleague": factories.user("colleague", agency_=council),
        "supervisor": factories.user("supervisor", agency_=council),
    }


def _case(cast):
    return factories.case(
        owner=cast["owner"], received_on=D(2019, 10, 7), reference="CR-2019-00001"
    )


def _versions(case):
    return [row.version for row in case.history.order_by("history_id")]


@pytest.mark.django_db
def test_a_stale_consent_save_is_refused_and_the_owner_change_stays(cast):
    case = _case(cast)
    as_a, as_b = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)  # two requests
    intake.change_owner(
        case=as_a,
        user=cast["supervisor"],
        new_owner=cast["colleague"],
        reason="Leave",
        expected_version=as_a.version,
    )
    with pytest.raises(ConflictError):
        intake.record_consent(
            case=as_b,
            user=cast["owner"],
            consent=Case.Consent.GIVEN,
            consent_on=D(2019, 10, 9),
            expected_version=as_b.version,
        )
    case.refresh_from_db()
    assert case.owner == cast["colleague"] and case.consent == Case.Consent.NOT_ASKED
    assert len(_versions(case)) == len(set(_versions(case)))


@pytest.mark.django_db
def test_a_write_that_carries_no_version_changes_only_its_own_fields(cast):
    """A panel meeting recorded from a page loaded before the owner changed sets the risk level
    and status, and leaves the new owner in place."""
    case = _case(cast)
    stale = Case.objects.get(pk=case.pk)
    intake.change_owner(
        case=case, user=cast["supervisor"], new_owner=cast["colleague"], reason="Leave"
    )
    services.record_panel_meeting(
        case=stale,
        user=cast["owner"],
        agency=cast["owner"].agency,
        occurred_on=D(2019, 10, 20),
        logged_on=D(2019, 10, 20),
        summary="Panel met",
        risk_level="high",
    )
    case.refresh_from_db()
    assert (case.owner, case.risk_level, case.status) == (cast["colleague"], "high", "panel")
    assert stale.owner == cast["colleague"]  # the caller's copy is brought up to date
    assert len(_versions(case)) == len(set(_versions(case)))


@pytest.mark.django_db
def test_the_browser_shows_the_conflict_page_for_a_stale_consent_form(client, cast):
    case = _case(cast)
    client.force_login(cast["owner"])
    url = reverse("referrals:consent", args=[case.reference])
    assert f'name="version" value="{case.version}"' in client.get(url).content.decode()
    intake.change_owner(
        case=case, user=cast["supervisor"], new_owner=cast["colleague"], reason="Leave"
    )
    response = client.post(
        url,
        {
            "consent": "given",
            "consent_on_0": "9",
            "consent_on_1": "10",
            "consent_on_2": "2019",
            "version": str(case.version - 1),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "after you opened it" in html
    case.refresh_from_db()
    assert case.owner == cast["colleague"] and case.consent == Case.Consent.NOT_ASKED


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_case_writes_exactly_one_wins(cast):
    """Two requests that both loaded version 1 write at the same moment: one is saved, the
    other sees the conflict. On PostgreSQL in two threads (row lock); SQLite's test database
    lives in one connection, so there the second write follows the first."""
    case = _case(cast)
    version = case.version
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def owner_change():
        intake.change_owner(
            case=Case.objects.get(pk=case.pk),
            user=cast["supervisor"],
            new_owner=cast["colleague"],
            reason="Leave",
            expected_version=version,
        )

    def consent():
        intake.record_consent(
            case=Case.objects.get(pk=case.pk),
            user=cast["owner"],
            consent=Case.Consent.GIVEN,
            consent_on=D(2019, 10, 9),
            expected_version=version,
        )

    def run(name, write, threaded):
        try:
            if threaded:
                barrier.wait(timeout=10)
            write()
            outcomes[name] = "saved"
        except ConflictError:
            outcomes[name] = "conflict"
        finally:
            if threaded:
                connection.close()

    if connection.vendor == "postgresql":
        threads = [
            threading.Thread(target=run, args=("owner", owner_change, True)),
            threading.Thread(target=run, args=("consent", consent, True)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        run("owner", owner_change, False)
        run("consent", consent, False)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    case.refresh_from_db()
    assert case.version == version + 1
    if outcomes["owner"] == "saved":
        assert case.owner == cast["colleague"] and case.consent == Case.Consent.NOT_ASKED
    else:
        assert case.owner == cast["owner"] and case.consent == Case.Consent.GIVEN
    assert len(_versions(case)) == len(set(_versions(case)))
