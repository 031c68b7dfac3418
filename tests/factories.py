"""Small factories for a cast of users and cases. Everything goes through the services."""

from __future__ import annotations

import datetime as dt
import itertools

from referrals import services as intake
from referrals.models import Agency, Case, User

_counter = itertools.count(1)


def agency(
    name: str = "Northshire County Council", kind: str = Agency.Kind.LOCAL_AUTHORITY
) -> Agency:
    return Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]


def user(
    username: str | None = None,
    *,
    role: str = User.Role.CASEWORKER,
    agency_: Agency | None = None,
    password: str = "demo-password",
) -> User:
    username = username or f"user{next(_counter)}"
    return User.objects.create_user(
        username=username,
        password=password,
        agency=agency_ or agency(),
        role=role,
        first_name=username.title(),
        last_name="Example",
    )


def case(
    *,
    owner: User,
    referring_agency: Agency | None = None,
    received_on: dt.date = dt.date(2015, 1, 12),
    person_name: str = "Jordan Ashcombe",
    reference: str = "",
) -> Case:
    referral = intake.create_referral(
        user=owner,
        owner=owner,
        person_name=person_name,
        referring_agency=referring_agency or owner.agency,
        received_on=received_on,
        logged_on=received_on,
        concerns="Concerns raised by the college (fictional).",
        reference=reference,
    )
    return referral.case
