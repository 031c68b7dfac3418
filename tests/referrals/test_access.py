"""Who may see what: every object URL for a cast of users (own agency, other agency, provider,
reviewer with a current or expired grant, anonymous), restricted notes, and emergency access."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casereview.records import save_record
from referrals import services as intake
from referrals.models import AccessGrant, AccessLog, Agency, User
from reviews import services
from reviews.models import FollowUpReview
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():
    council = factories.agency("Northshire County Council")
    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    provider_agency = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    cast = {
        "caseworker": factories.user("caseworker", agency_=council),
        "police": factories.user("police", agency_=police),
        "outsider": factories.user("outsider", agency_=westmoor),
        "provider": factories.user("provider", role=User.Role.PROVIDER, agency_=provider_agency),
        "inquiry": factories.user(
            "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
        "expired": factories.user(
            "expired", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "admin": factories.user("admin", role=User.Role.ADMIN, agency_=westmoor),
    }
    case = factories.case(
        owner=cast["caseworker"],
        referring_agency=police,
        received_on=D(2019, 10, 7),
        reference="CR-2019-00001",
    )
    cw = cast["caseworker"]
    services.record_decision(
        case=case,
        user=cw,
        agency=council,
        kind="adopt",
        rationale="Adopted for Channel support",
        occurred_on=D(2019, 10, 28),
        logged_on=D(2019, 10, 28),
        summary="Adopted",
    )
    services.assign_provider(
        case=case,
        user=cw,
        agency=provider_agency,
        occurred_on=D(2019, 11, 1),
        logged_on=D(2019, 11, 1),
        summary="Commissioned",
        sessions_planned=4,
    )
    session = services.record_session(
        case=case,
        user=cw,
        agency=provider_agency,
        occurred_on=D(2019, 11, 8),
        logged_on=D(2019, 11, 8),
        status="held",
        summary="Held",
        provider_report="ok",
    )
    account = services.record_agency_account(
        case=case,
        user=cw,
        agency=police,
        occurred_on=D(2019, 11, 20),
        logged_on=D(2019, 11, 20),
        summary="Thought 3",
        sessions_believed=3,
    )
    services.exit_case(
        case=case,
        user=cw,
        agency=council,
        occurred_on=D(2019, 12, 1),
        logged_on=D(2019, 12, 1),
        summary="Exited",
    )
    today = timezone.localdate()
    save_record(
        AccessGrant(
            case=case,
            user=cast["inquiry"],
            granted_by=cast["admin"],
            reason="Inquiry 2026",
            ends_on=today + dt.timedelta(days=30),
        ),
        user=cast["admin"],
        reason="grant",
    )
    save_record(
        AccessGrant(
            case=case,
            user=cast["expired"],
            granted_by=cast["admin"],
            reason="Old inquiry",
            starts_on=today - dt.timedelta(days=60),
            ends_on=today - dt.timedelta(days=1),
        ),
        user=cast["admin"],
        reason="grant",
    )
    cast["case"] = case
    cast["account"] = account
    cast["session"] = session
    cast["question"] = services.ask_provider(
        case=case, user=cw, agency=council, question="How many sessions were held?"
    )
    cast["review"] = FollowUpReview.objects.filter(case=case).first()
    # Records that are an agency's own word (changed_by_its_agency): the council's question,
    # the provider's answer to another one, police's confirmation of the session.
    answered = services.ask_provider(
        case=case, user=cw, agency=council, question="Is a further session planned?"
    )
    cast["own_word"] = {
        "question": answered,
        "answer": services.answer_question(
            question=answered, user=cast["provider"], agency=provider_agency, answer="No."
        ),
        "confirmation": services.confirm_session(
            session=session, user=cast["police"], agency=police, how="call"
        ),
    }
    return cast


def read_urls(w):
    ref, account = w["case"].reference, w["account"]
    return [
        reverse("reviews:case", args=[ref]),
        reverse("reviews:timeline", args=[ref]),
        reverse("reviews:timeline-json", args=[ref]),
        reverse("reviews:chronology-csv", args=[ref]),
        reverse("reviews:chronology-pdf", args=[ref]),
        reverse("reviews:record-history", args=[ref, "agencyaccount", account.pk]),
    ]


def write_urls(w):
    ref, account, review = w["case"].reference, w["account"], w["review"]
    return [
        reverse("reviews:record-edit", args=[ref, "agencyaccount", account.pk]),
        reverse("reviews:record-void", args=[ref, "agencyaccount", account.pk]),
        reverse("referrals:contact-new", args=[ref]),
        reverse("reviews:account-new", args=[ref]),
        reverse("reviews:review-conduct", args=[ref, review.pk]),
        reverse("reviews:case-import", args=[ref]),
        reverse("reviews:exit", args=[ref]),
        reverse("reviews:session-confirm", args=[ref, w["session"].pk]),
        reverse("reviews:question-new", args=[ref]),
    ]


def answer_url(w):
    return reverse("reviews:question-answer", args=[w["case"].reference, w["question"].pk])


# The provider answers questions put to it; staff who may change the case may record its reply.
ANSWER_EXPECTED = {
    "caseworker": 200,
    "police": 200,
    "supervisor": 200,
    "admin": 200,
    "provider": 200,
    "inquiry": 404,
    "expired": 404,
    "outsider": 404,
}


EXPECTED = {
    # user: (read status, write status)
    "caseworker": (200, 200),
    "police": (200, 200),  # a referring agency is part of the case
    "supervisor": (200, 200),
    "admin": (200, 200),
    "provider": (200, 404),
    "inquiry": (200, 404),  # a current grant is read-only
    "expired": (404, 404),
    "outsider": (404, 404),
}


# Change and void pages of an agency's own word: that agency (its provider's staff included)
# and administrators; everyone else, on the case or not, is told "not found".
OWN_WORD_EXPECTED = {
    # user: (the council's question, the provider's answer, police's confirmation)
    "caseworker": (200, 404, 404),
    "police": (404, 404, 200),
    "supervisor": (200, 404, 404),
    "admin": (200, 200, 200),
    "provider": (404, 200, 404),
    "inquiry": (404, 404, 404),
    "expired": (404, 404, 404),
    "outsider": (404, 404, 404),
}


def own_word_urls(w):
    ref = w["case"].reference
    return [
        [
            reverse(f"reviews:record-{page}", args=[ref, record._meta.model_name, record.pk])
            for page in ("edit", "void")
        ]
        for record in (w["own_word"][name] for name in ("question", "answer", "confirmation"))
    ]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_matrix_of_roles_and_object_urls(client, world, who):
    user = world[who]
    if who == "admin":
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    else:
        client.force_login(user)
    read, write = EXPECTED[who]
    for url in read_urls(world):
        assert client.get(url).status_code == read, (who, url)
    for url in write_urls(world):
        assert client.get(url).status_code == write, (who, url)
    assert client.get(answer_url(world)).status_code == ANSWER_EXPECTED[who], who
    for urls, status in zip(own_word_urls(world), OWN_WORD_EXPECTED[who], strict=True):
        for url in urls:
            assert client.get(url).status_code == status, (who, url)
    if read == 404:
        assert AccessLog.objects.filter(user=user, outcome="refused").count() >= len(
            read_urls(world)
        )


def test_anonymous_is_sent_to_sign_in_for_every_object_url(client, world):
    own_word = [url for urls in own_word_urls(world) for url in urls]
    for url in read_urls(world) + write_urls(world) + [answer_url(world)] + own_word:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_posting_to_another_case_record_is_refused(client, world):
    other = factories.case(owner=world["outsider"], reference="CR-2019-00002")
    note = intake.add_note(
        case=other,
        user=world["outsider"],
        agency=world["outsider"].agency,
        occurred_on=D(2015, 2, 1),
        logged_on=D(2015, 2, 1),
        summary="Theirs",
    )
    client.force_login(world["caseworker"])
    url = reverse("reviews:record-void", args=[world["case"].reference, "casenote", note.pk])
    assert client.post(url, {"reason": "swapped id", "version": "1"}).status_code == 404
    note.refresh_from_db()
    assert not note.is_void


def test_restricted_note_is_hidden_from_provider_and_other_agencies(client, world):
    case = world["case"]
    note = intake.add_note(
        case=case,
        user=world["police"],
        agency=world["police"].agency,
        restricted=True,
        occurred_on=D(2019, 11, 25),
        logged_on=D(2019, 11, 25),
        summary="Police-only intelligence note",
    )
    for who, sees in (
        ("police", True),
        ("caseworker", False),
        ("provider", False),
        ("inquiry", True),
    ):
        client.force_login(world[who])
        page = client.get(reverse("reviews:case", args=[case.reference])).content.decode()
        assert ("Police-only intelligence note" in page) is sees, who
        csv = client.get(reverse("reviews:chronology-csv", args=[case.reference])).content.decode()
        assert ("Police-only intelligence note" in csv) is sees, who
        history = client.get(
            reverse("reviews:record-history", args=[case.reference, "casenote", note.pk])
        )
        assert history.status_code == (200 if sees else 404), who


def test_emergency_access_needs_a_reason_is_read_only_and_shown_to_supervisors(client, world):
    outsider, case = world["outsider"], world["case"]
    client.force_login(outsider)
    url = reverse("referrals:emergency-access", args=[case.reference])
    not_found = client.get(reverse("reviews:case", args=[case.reference]))
    assert not_found.status_code == 404 and url in not_found.content.decode()
    short = client.post(url, {"reason": "urgent"})
    assert b"at least 20 characters" in short.content
    assert client.get(reverse("reviews:case", args=[case.reference])).status_code == 404
    response = client.post(url, {"reason": "Person arrested tonight; need the risk history now"})
    assert response.status_code == 302
    assert client.get(reverse("reviews:case", args=[case.reference])).status_code == 200
    assert client.get(reverse("reviews:account-new", args=[case.reference])).status_code == 404
    event = AccessLog.objects.get(user=outsider, outcome="break_glass")
    assert event.detail == "Person arrested tonight; need the risk history now"
    westmoor_supervisor = factories.user(
        "w-sup", role=User.Role.SUPERVISOR, agency_=outsider.agency
    )
    client.force_login(westmoor_supervisor)
    page = client.get(reverse("referrals:emergency-access-log")).content.decode()
    assert "Person arrested tonight" in page and "outsider" in page
    client.force_login(world["supervisor"])
    assert (
        "Person arrested tonight"
        not in client.get(reverse("referrals:emergency-access-log")).content.decode()
    )


def test_emergency_access_to_an_unknown_case_discloses_nothing(client, world):
    client.force_login(world["outsider"])
    url = reverse("referrals:emergency-access", args=["CR-NOPE"])
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url, {"reason": "Person arrested tonight; need the risk history now"}
        ).status_code
        == 404
    )


def test_access_log_is_for_supervisors_and_admins(client, world):
    case = world["case"]
    client.force_login(world["caseworker"])
    client.get(reverse("reviews:case", args=[case.reference]))
    assert (
        client.get(reverse("referrals:case-access-log", args=[case.reference])).status_code == 403
    )
    client.force_login(world["supervisor"])
    page = client.get(reverse("referrals:case-access-log", args=[case.reference])).content.decode()
    assert "view-case" in page and "caseworker" in page
    user_page = client.get(reverse("referrals:user-access-log", args=["caseworker"]))
    assert user_page.status_code == 200
    assert client.get(reverse("referrals:user-access-log", args=["outsider"])).status_code == 404


def test_searches_are_in_the_access_log(client, world):
    client.force_login(world["caseworker"])
    client.get(reverse("referrals:case-list"), {"q": "CR-2019"})
    row = AccessLog.objects.get(action="search-cases", user=world["caseworker"])
    assert row.detail == "q=CR-2019 (1 found)"


@pytest.mark.parametrize("who", list(EXPECTED))
def test_case_id_subquery_agrees_with_visible_cases(world, who):
    """The dashboard filters follow-ups by `visible_case_ids`: the same cases as every other page."""
    from referrals import access
    from referrals.models import Case

    other = factories.case(owner=world["outsider"], reference="CR-2019-00002")
    user = world[who]
    ids = access.visible_case_ids(user)
    cases = Case.objects.all() if ids is None else Case.objects.filter(pk__in=ids)
    seen = set(cases.values_list("pk", flat=True))
    assert seen == set(access.visible_cases(user).values_list("pk", flat=True))
    assert (world["case"].pk in seen) == (EXPECTED[who][0] == 200)
    assert (other.pk in seen) == (who in ("outsider", "admin"))
