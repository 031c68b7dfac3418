"""Each role lands on its work: a supervisor on the dashboard, a panel chair on the cases
their panel sat on, an inquiry reviewer on the cases granted to them, an administrator with a
way to the administration pages. Before: supervisor and chair landed on an empty "My cases",
and the chair saw none of the panel's cases."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casereview.records import save_record
from referrals.models import AccessGrant, Agency, User
from reviews import services
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    panel = factories.agency("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL)
    people = {
        "caseworker": factories.user("caseworker", agency_=council),
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "chair": factories.user("chair", role=User.Role.PANEL_CHAIR, agency_=panel),
        "inquiry": factories.user(
            "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
        "admin": factories.user("admin", role=User.Role.ADMIN, agency_=council),
    }
    on_panel = factories.case(owner=people["caseworker"], reference="CR-2019-00001")
    services.record_panel_meeting(
        case=on_panel,
        user=people["chair"],
        agency=panel,  # held by the panel; no attendance recorded
        occurred_on=D(2019, 11, 1),
        logged_on=D(2019, 11, 1),
        summary="Panel met",
    )
    people["on_panel"] = on_panel
    people["not_on_panel"] = factories.case(owner=people["caseworker"], reference="CR-2019-00002")
    save_record(
        AccessGrant(
            case=people["not_on_panel"],
            user=people["inquiry"],
            granted_by=people["admin"],
            reason="Inquiry 2026",
            ends_on=timezone.localdate() + dt.timedelta(days=30),
        ),
        user=people["admin"],
        reason="grant",
    )
    return people


def _sign_in(client, user):
    client.force_login(user)
    if user.role == User.Role.ADMIN:
        session = client.session
        device = TOTPDevice.objects.create(user=user, confirmed=True)
        session["otp_device_id"] = device.persistent_id
        session.save()


def test_signing_in_lands_each_role_on_its_work(client, cast):
    expected = {
        "caseworker": reverse("reviews:home"),
        "supervisor": reverse("reviews:dashboard"),
        "chair": reverse("reviews:home"),
        "inquiry": reverse("reviews:home"),
        "admin": reverse("reviews:home"),
    }
    for who, landing in expected.items():
        _sign_in(client, cast[who])
        assert client.get(reverse("reviews:start")).url == landing, who


def test_the_chair_sees_the_cases_the_panel_sat_on(client, cast):
    _sign_in(client, cast["chair"])
    page = client.get(reverse("reviews:home")).content.decode()
    assert "Cases your panel sat on" in page
    assert "CR-2019-00001" in page and "CR-2019-00002" not in page
    assert client.get(reverse("reviews:case", args=["CR-2019-00001"])).status_code == 200


def test_the_inquiry_reviewer_sees_the_cases_granted(client, cast):
    _sign_in(client, cast["inquiry"])
    page = client.get(reverse("reviews:home")).content.decode()
    assert "Cases granted to you" in page
    assert "CR-2019-00002" in page and "CR-2019-00001" not in page


def test_only_the_administrator_has_the_administration_link(client, cast):
    for who in ("admin", "caseworker", "supervisor"):
        _sign_in(client, cast[who])
        page = client.get(reverse("reviews:home")).content.decode()
        assert (reverse("admin:index") in page) is (who == "admin"), who


def test_a_case_one_may_not_see_shows_the_apps_own_page_in_development_too(client, cast, settings):
    """Under `make run` (DEBUG) Django showed its debug 404, listing every URL pattern."""
    settings.DEBUG = True
    outsider = factories.user("outsider", agency_=factories.agency("Westmoor Police"))
    client.force_login(outsider)
    response = client.get(reverse("reviews:case", args=["CR-2019-00001"]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "ask for emergency access to CR-2019-00001" in page
    assert "URLconf" not in page and "urlpatterns" not in page


def _grant_post(reference, reviewer, ends_on):
    return {
        "case": reference,
        "user": str(reviewer.pk),
        "reason": "Terms of reference of the 2026 review",
        "ends_on_0": str(ends_on.day),
        "ends_on_1": str(ends_on.month),
        "ends_on_2": str(ends_on.year),
    }


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "chair", "inquiry", "admin"])
def test_only_an_administrator_grants_inquiry_access_in_the_app(client, cast, who):
    reviewer = factories.user(
        "reviewer2", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
    )
    until = timezone.localdate() + dt.timedelta(days=60)
    _sign_in(client, cast[who])
    url = reverse("referrals:access-grants")
    allowed = who == "admin"
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, _grant_post("cr-2019-00001", reviewer, until))
    assert response.status_code == (302 if allowed else 403)
    grants = AccessGrant.objects.filter(user=reviewer)
    if not allowed:
        assert not grants.exists()
        return
    grant = grants.get()
    assert (grant.case.reference, grant.granted_by, grant.ends_on) == (
        "CR-2019-00001",
        cast["admin"],
        until,
    )
    client.force_login(reviewer)
    assert client.get(reverse("reviews:case", args=["CR-2019-00001"])).status_code == 200


def test_a_grant_finds_the_case_by_name_and_says_when_the_name_is_ambiguous(client, cast):
    reviewer = cast["inquiry"]
    until = timezone.localdate() + dt.timedelta(days=60)
    _sign_in(client, cast["admin"])
    url = reverse("referrals:access-grants")
    page = client.post(url, _grant_post("Jordan", reviewer, until)).content.decode()
    assert "More than one case matches &#x27;Jordan&#x27;" in page
    assert "Enter the case reference." in page
    page = client.post(url, _grant_post("Nobody Known", reviewer, until)).content.decode()
    assert "No case has the reference or person&#x27;s name" in page
    past = _grant_post("CR-2019-00001", reviewer, timezone.localdate() - dt.timedelta(days=1))
    assert (
        "The last day of access must be today or later." in client.post(url, past).content.decode()
    )
    assert AccessGrant.objects.filter(user=reviewer).count() == 1  # the fixture's


def test_the_upgrade_adds_the_panels_membership_for_meetings_already_recorded(cast):
    """reviews/0007 fills in what reviews.membership now derives, for databases made before."""
    import importlib

    from django.db import connection

    from referrals.models import CaseAgency

    migration = importlib.import_module("reviews.migrations.0007_panel_agency_membership")
    panel_rows = CaseAgency.objects.filter(case=cast["on_panel"], via=CaseAgency.Via.PANEL)
    panel_rows.delete()  # history-safe: a derived index row, as before the upgrade
    with connection.cursor() as cursor:  # history-safe: the migration's own SQL
        cursor.execute(migration.BACKFILL_SQL)
        cursor.execute(migration.BACKFILL_SQL)  # twice: nothing more
    assert list(panel_rows.values_list("agency__name", flat=True)) == ["Northshire Channel Panel"]
