"""Which agencies are part of a case follows the records: owner, referrals, panels, providers, voids."""

import datetime as dt

import pytest

from referrals import access
from referrals import services as intake
from referrals.membership import desired
from referrals.models import Agency, CaseAgency, User
from reviews import services
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


def members(case):
    return set(CaseAgency.objects.filter(case=case).values_list("agency__name", "via"))


def test_membership_follows_the_records():
    council = factories.agency("Northshire County Council")
    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    health = factories.agency("Northshire NHS Trust", Agency.Kind.HEALTH)
    mentors = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    worker = factories.user("caseworker", agency_=council)
    provider = factories.user("provider", role=User.Role.PROVIDER, agency_=mentors)
    case = factories.case(owner=worker, referring_agency=police, received_on=D(2019, 1, 7))
    assert members(case) == {
        ("Northshire County Council", "lead"),
        ("Northshire County Council", "owner"),
        ("Northshire Police", "referrer"),
    }

    services.record_panel_meeting(
        case=case,
        user=worker,
        agency=council,
        occurred_on=D(2019, 2, 1),
        logged_on=D(2019, 2, 1),
        summary="Met",
        agencies_present=[health],
    )
    assignment = services.assign_provider(
        case=case,
        user=worker,
        agency=mentors,
        occurred_on=D(2019, 2, 5),
        logged_on=D(2019, 2, 5),
        summary="Commissioned",
    )
    assert ("Northshire NHS Trust", "panel") in members(case)
    assert case in access.visible_cases(provider)

    intake.void_record(assignment, user=worker, reason="Commissioned on the wrong case")
    assert ("Brightpath Mentoring", "provider") not in members(case)
    assert case not in access.visible_cases(provider)

    officer = factories.user("officer", agency_=police)
    intake.change_owner(case=case, user=worker, new_owner=officer, reason="Police lead now")
    assert ("Northshire Police", "owner") in members(case)
    assert members(case) == {(name, via) for name, via in members(case)}
    assert {
        (a, v) for a, v in CaseAgency.objects.filter(case=case).values_list("agency_id", "via")
    } == desired([case.pk])[case.pk]


def test_saving_through_the_admin_or_shell_keeps_membership(admin_client=None):
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    worker = factories.user("caseworker", agency_=council)
    other = factories.user("other", agency_=westmoor)
    case = factories.case(owner=worker)
    case.owner = other
    case.save()  # as the admin site would
    assert case in access.visible_cases(other)
