"""Impossible orders are refused when a person types them (issue 14, item 3).

docs/chronology-format.md, "Impossible orders": each refusal is one sentence naming both
dates, nothing of the refused call is saved (history included), a month-only date is never
shown with a day and makes an order impossible only when it certainly is; an import keeps an
agency's contradictions (a session after an exit) as evidence.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casereview.ukdates import certainly_before
from referrals import services as intake
from referrals.models import Agency, Case, Person, Referral
from reviews import services
from reviews.chronology.csv_format import import_chronology
from reviews.models import (
    CaseExit,
    FollowUpReview,
    InterventionSession,
    PanelAttendance,
    PanelDecision,
    PanelMeeting,
    ProviderAssignment,
)
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
SOURCE = "Case file"
MODELS = (
    Person,
    Case,
    Referral,
    PanelMeeting,
    PanelAttendance,
    PanelDecision,
    ProviderAssignment,
    InterventionSession,
    CaseExit,
    FollowUpReview,
)


def on(text: str) -> dict:
    """The shared record arguments for "2015-07-14" (a day) or "2015-07" (only the month),
    logged on the last day it can have happened (so never late, never before it)."""
    if len(text) == 7:
        first = dt.date.fromisoformat(text + "-01")
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return {"occurred_on": first, "month_only": True, "logged_on": last, "source": SOURCE}
    day = dt.date.fromisoformat(text)
    return {"occurred_on": day, "month_only": False, "logged_on": day, "source": SOURCE}


def counts() -> dict:
    """Rows and history rows of every table a refused call could have written."""
    return {model.__name__: (model.objects.count(), model.history.count()) for model in MODELS}


def refused(call, field: str, sentence: str, **kwargs):
    """`call(**kwargs)` is refused with exactly `sentence` on `field`, and saves nothing."""
    before = counts()
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    assert error.value.message_dict[field] == [sentence]
    assert counts() == before
    return error.value


def error_summary(response) -> str:
    html = response.content.decode()
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert found, "no error summary on the page"
    return found.group(0)


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council", Agency.Kind.LOCAL_AUTHORITY)
    panel = factories.agency("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL)
    provider = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    worker = factories.user("caseworker", agency_=council)
    return {"council": council, "panel": panel, "provider": provider, "worker": worker}


def new_case(cast, received="2015-01-12", date_of_birth=None, reference="") -> Case:
    when = on(received)
    return intake.create_referral(
        user=cast["worker"],
        person_name="Ellis Norbury",
        referring_agency=cast["council"],
        received_on=when["occurred_on"],
        month_only=when["month_only"],
        logged_on=when["logged_on"],
        source=SOURCE,
        concerns="Concerns raised by the college (fictional).",
        date_of_birth=date_of_birth,
        reference=reference,
    ).case


def adopt(cast, case, when: str, **kwargs) -> PanelDecision:
    return services.record_decision(
        case=case,
        user=cast["worker"],
        agency=cast["panel"],
        kind=PanelDecision.Kind.ADOPT,
        rationale="Vulnerable to radicalisation",
        summary="Adopted",
        **on(when),
        **kwargs,
    )


def commission(cast, case, when: str) -> ProviderAssignment:
    return services.assign_provider(
        case=case, user=cast["worker"], agency=cast["provider"], summary="Commissioned", **on(when)
    )


def exit_(cast, case, when: str, **kwargs) -> CaseExit:
    return services.exit_case(
        case=case,
        user=cast["worker"],
        agency=cast["panel"],
        risk_level="very_low",
        rationale="Very low risk",
        summary="Exited",
        **on(when),
        **kwargs,
    )


def held(cast, case, when: str, **kwargs) -> InterventionSession:
    return services.record_session(
        case=case,
        user=cast["worker"],
        agency=cast["provider"],
        status=InterventionSession.Status.HELD,
        summary="Session held",
        **on(when),
        **kwargs,
    )


@pytest.fixture
def exited(cast):
    """Referred 12 January, adopted 10 February, provider 20 February, exited 14 July 2015."""
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    commission(cast, case, "2015-02-20")
    exit_(cast, case, "2015-07-14")
    return case


def date_input(prefix: str, text: str) -> dict:
    when = on(text)
    day = "" if when["month_only"] else str(when["occurred_on"].day)
    return {
        f"{prefix}_0": day,
        f"{prefix}_1": str(when["occurred_on"].month),
        f"{prefix}_2": str(when["occurred_on"].year),
    }


def logged_input(text: str) -> dict:
    logged = on(text)["logged_on"]
    return {
        "logged_0": str(logged.day),
        "logged_1": str(logged.month),
        "logged_2": str(logged.year),
    }


def post(client, cast, url, data):
    client.force_login(cast["worker"])
    before = counts()
    response = client.post(url, data)
    assert response.status_code == 200, "the form was not refused"
    assert counts() == before
    return error_summary(response)


# ---------------------------------------------------------------- the comparison


@pytest.mark.parametrize(
    ("a", "a_month", "b", "b_month", "before"),
    [
        (D(2021, 3, 4), False, D(2021, 3, 5), False, True),
        (D(2021, 3, 5), False, D(2021, 3, 5), False, False),  # the same day is not before
        (D(2021, 3, 1), True, D(2021, 3, 5), False, False),  # March 2021 may be 6 March
        (D(2021, 3, 5), False, D(2021, 3, 1), True, False),
        (D(2021, 2, 1), True, D(2021, 3, 1), False, True),
        (D(2021, 2, 28), False, D(2021, 3, 1), True, True),
        (D(2021, 3, 1), True, D(2021, 3, 1), True, False),
        (D(2021, 3, 1), True, D(2021, 4, 1), True, True),
    ],
)
def test_one_date_is_before_another_only_when_it_certainly_is(a, a_month, b, b_month, before):
    assert certainly_before(a, a_month, b, b_month) is before


# ---------------------------------------------------------------- exit


def test_an_exit_before_the_referral_is_refused(cast):
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    refused(
        exit_,
        "occurred_on",
        "A case cannot be exited (2 January 2015) before it was referred (12 January 2015).",
        cast=cast,
        case=case,
        when="2015-01-02",
    )
    case.refresh_from_db()
    assert case.status == Case.Status.PANEL


def test_an_exit_before_a_month_only_referral_names_the_month(cast):
    case = new_case(cast, received="2021-03")
    refused(
        exit_,
        "occurred_on",
        "A case cannot be exited (February 2021) before it was referred (March 2021).",
        cast=cast,
        case=case,
        when="2021-02",
    )
    # The neighbour that may be right: referred in March 2021, adopted 5 March, exited 20 March.
    adopt(cast, case, "2021-03-05")
    exit_(cast, case, "2021-03-20")
    assert CaseExit.objects.filter(case=case).count() == 1


def test_an_exit_without_an_adoption_is_refused(cast):
    case = new_case(cast)
    refused(
        exit_,
        "occurred_on",
        "A case cannot be exited (14 July 2015) before it was adopted: no adoption is recorded.",
        cast=cast,
        case=case,
        when="2015-07-14",
    )
    adopt(cast, case, "2015-07-20")
    refused(
        exit_,
        "occurred_on",
        "A case cannot be exited (14 July 2015) before it was adopted (20 July 2015).",
        cast=cast,
        case=case,
        when="2015-07-14",
    )


def test_an_exit_before_a_month_only_adoption_names_the_month(cast):
    case = new_case(cast)
    adopt(cast, case, "2015-08")
    refused(
        exit_,
        "occurred_on",
        "A case cannot be exited (14 July 2015) before it was adopted (August 2015).",
        cast=cast,
        case=case,
        when="2015-07-14",
    )
    # Adopted in July 2015 may be before the 14th: allowed.
    adopt(cast, case, "2015-07")
    exit_(cast, case, "2015-07-14")


def test_a_voided_adoption_does_not_count(cast):
    case = new_case(cast)
    decision = adopt(cast, case, "2015-02-10")
    intake.void_record(decision, user=cast["worker"], reason="Entered on the wrong case")
    refused(
        exit_,
        "occurred_on",
        "A case cannot be exited (14 July 2015) before it was adopted: no adoption is recorded.",
        cast=cast,
        case=case,
        when="2015-07-14",
    )


def test_the_exit_form_refuses_an_exit_before_the_referral(client, cast):
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    summary = post(
        client,
        cast,
        reverse("reviews:exit", args=[case.reference]),
        {
            **date_input("occurred", "2015-01-02"),
            **logged_input("2015-01-02"),
            "agency": str(cast["panel"].pk),
            "risk_level": "very_low",
            "summary": "Exited",
            "rationale": "Very low risk",
            "gate_override_reason": "",
            "review_owner": "",
            "source": SOURCE,
            "late_reason": "",
        },
    )
    assert (
        "A case cannot be exited (2 January 2015) before it was referred (12 January 2015)."
        in summary
    )
    assert not CaseExit.objects.exists() and not FollowUpReview.objects.exists()


# ---------------------------------------------------------------- adoption


def test_an_adoption_before_the_referral_is_refused(cast):
    case = new_case(cast)
    refused(
        adopt,
        "occurred_on",
        "A case cannot be adopted (5 January 2015) before it was referred (12 January 2015).",
        cast=cast,
        case=case,
        when="2015-01-05",
    )


def test_an_adoption_before_a_month_only_referral_names_the_months(cast):
    case = new_case(cast, received="2021-03")
    refused(
        adopt,
        "occurred_on",
        "A case cannot be adopted (February 2021) before it was referred (March 2021).",
        cast=cast,
        case=case,
        when="2021-02",
    )
    # Referred in March 2021 may be 1 March: an adoption on 5 March 2021 is allowed.
    adopt(cast, case, "2021-03-05")
    # Another decision than adoption is not this rule's business.
    services.record_decision(
        case=case,
        user=cast["worker"],
        agency=cast["panel"],
        kind=PanelDecision.Kind.NOT_ADOPT,
        summary="Not adopted",
        **on("2021-03"),
    )


def test_the_panel_meeting_form_refuses_an_adoption_before_the_referral(client, cast):
    case = new_case(cast)
    summary = post(
        client,
        cast,
        reverse("reviews:panel-meeting-new", args=[case.reference]),
        {
            **date_input("occurred", "2015-01-05"),
            **logged_input("2015-01-05"),
            "agency": str(cast["panel"].pk),
            "agencies_present": [str(cast["council"].pk)],
            "risk_level": "medium",
            "summary": "Panel met",
            "decision": PanelDecision.Kind.ADOPT,
            "rationale": "Vulnerable",
            "action_description": "",
            "action_owner": "",
            "action_due_0": "",
            "action_due_1": "",
            "action_due_2": "",
            "source": SOURCE,
            "late_reason": "",
        },
    )
    assert (
        "A case cannot be adopted (5 January 2015) before it was referred (12 January 2015)."
        in summary
    )
    assert not PanelMeeting.objects.exists() and not PanelDecision.objects.exists()


# ---------------------------------------------------------------- follow-up review


def conduct(cast, case, when: str):
    review = FollowUpReview.objects.get(case=case, kind="6_month")
    moment = on(when)
    return services.conduct_review(
        review=review,
        user=cast["worker"],
        conducted_on=moment["occurred_on"],
        month_only=moment["month_only"],
        logged_on=moment["logged_on"],
        agency=cast["council"],
        summary="Review held",
        source=SOURCE,
    )


def test_a_review_before_the_exit_it_follows_is_refused(cast, exited):
    refused(
        conduct,
        "conducted_on",
        "A review cannot be held (1 July 2015) before the exit it follows (14 July 2015).",
        cast=cast,
        case=exited,
        when="2015-07-01",
    )
    refused(
        conduct,
        "conducted_on",
        "A review cannot be held (June 2015) before the exit it follows (14 July 2015).",
        cast=cast,
        case=exited,
        when="2015-06",
    )
    conduct(cast, exited, "2015-07-14")  # the same day is not before
    assert FollowUpReview.objects.get(case=exited, kind="6_month").state == "held"


def test_the_review_form_refuses_a_review_before_the_exit(client, cast, exited):
    review = FollowUpReview.objects.get(case=exited, kind="6_month")
    summary = post(
        client,
        cast,
        reverse("reviews:review-conduct", args=[exited.reference, review.pk]),
        {
            **date_input("conducted", "2015-07-01"),
            **logged_input("2015-07-01"),
            "agency": str(cast["council"].pk),
            "participants": "",
            "summary": "Review held",
            "source": SOURCE,
            "late_reason": "",
            "version": str(review.version),
        },
    )
    assert (
        "A review cannot be held (1 July 2015) before the exit it follows (14 July 2015)."
        in summary
    )
    review.refresh_from_db()
    assert review.state == "scheduled" and review.conducted_on is None


# ---------------------------------------------------------------- date of birth


def test_a_date_of_birth_after_the_referral_is_refused(cast):
    refused(
        new_case,
        "date_of_birth",
        "A date of birth (1 February 2015) cannot be after the referral (12 January 2015).",
        cast=cast,
        date_of_birth=D(2015, 2, 1),
    )
    refused(
        new_case,
        "date_of_birth",
        "A date of birth (2 May 2015) cannot be after the referral (April 2015).",
        cast=cast,
        received="2015-04",
        date_of_birth=D(2015, 5, 2),
    )
    # Referred in April 2015 may be the 30th: born on 10 April 2015 is allowed.
    case = new_case(cast, received="2015-04", date_of_birth=D(2015, 4, 10))
    assert case.person.date_of_birth == D(2015, 4, 10)


def test_changing_a_date_of_birth_or_a_referral_date_into_that_order_is_refused(cast):
    case = new_case(cast, date_of_birth=D(2014, 6, 1))
    person, referral = case.person, Referral.objects.get(case=case)
    refused(
        intake.update_record,
        "date_of_birth",
        "A date of birth (1 February 2015) cannot be after the referral (12 January 2015).",
        record=person,
        user=cast["worker"],
        changes={"date_of_birth": D(2015, 2, 1)},
        reason="Typo",
    )
    person.refresh_from_db()
    refused(
        intake.update_record,
        "occurred_on",
        "A date of birth (1 June 2014) cannot be after the referral (May 2014).",
        record=referral,
        user=cast["worker"],
        changes={"occurred_on": D(2014, 5, 1), "occurred_precision": "month"},
        reason="Typo",
    )
    referral.refresh_from_db()
    # A contradiction already kept (old data) does not stop an unrelated edit.
    Person.objects.filter(pk=person.pk).update(date_of_birth=D(2016, 1, 1))
    intake.update_record(
        referral, user=cast["worker"], changes={"summary": "Corrected"}, reason="Typo"
    )


def test_the_referral_form_refuses_a_date_of_birth_after_the_referral(client, cast):
    summary = post(
        client,
        cast,
        reverse("referrals:case-new"),
        {
            "person_name": "Harley Jessop",
            "date_of_birth_0": "1",
            "date_of_birth_1": "2",
            "date_of_birth_2": "2015",
            "referring_agency": str(cast["council"].pk),
            "referrer_name": "",
            **date_input("received", "2015-01"),
            **logged_input("2015-01"),
            "concerns": "Worrying posts",
            "source": SOURCE,
            "late_reason": "",
        },
    )
    assert "A date of birth (1 February 2015) cannot be after the referral (January 2015)." in (
        summary
    )
    assert not Person.objects.exists() and not Case.objects.exists()


# ---------------------------------------------------------------- session after the exit

AFTER_EXIT = (
    "A session cannot be held (20 July 2015) after the case was exited (14 July 2015) "
    "unless the case is reopened first."
)


def test_a_session_held_after_the_exit_is_refused(cast, exited):
    refused(held, "occurred_on", AFTER_EXIT, cast=cast, case=exited, when="2015-07-20")
    held(cast, exited, "2015-07-14")  # the day of the exit is not after it


def test_recording_a_planned_session_as_held_after_the_exit_is_refused(cast):
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    commission(cast, case, "2015-02-20")
    session = services.plan_session(
        case=case,
        user=cast["worker"],
        agency=cast["provider"],
        occurred_on=D(2015, 7, 20),
        logged_on=D(2015, 7, 10),
        summary="Final visit arranged",
        source=SOURCE,
    )
    exit_(cast, case, "2015-07-14", gate_override_reason="The final visit is not needed")
    refused(
        services.record_session_outcome,
        "status",
        AFTER_EXIT,
        session=session,
        user=cast["worker"],
        status=InterventionSession.Status.HELD,
        summary="Final visit",
        logged_on=D(2015, 7, 20),
        source=SOURCE,
    )
    session.refresh_from_db()
    assert session.status == InterventionSession.Status.PLANNED


def test_a_month_only_exit_refuses_only_a_session_certainly_after_it(cast):
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    commission(cast, case, "2015-02-20")
    exit_(cast, case, "2015-07")
    refused(
        held,
        "occurred_on",
        "A session cannot be held (3 August 2015) after the case was exited (July 2015) "
        "unless the case is reopened first.",
        cast=cast,
        case=case,
        when="2015-08-03",
    )
    held(cast, case, "2015-07-20")  # exited in July 2015 may be the 31st


def test_a_reopened_or_readopted_case_may_hold_sessions_again(cast, exited):
    services.reopen_case(case=exited, user=cast["worker"], reason="New concerns")
    held(cast, exited, "2015-07-20")

    other = new_case(cast, reference="CR-2015-09999")
    adopt(cast, other, "2015-02-10")
    commission(cast, other, "2015-02-20")
    exit_(cast, other, "2015-07-14")
    adopt(cast, other, "2015-07-18")  # adopted again after the exit
    held(cast, other, "2015-07-20")


def test_a_voided_exit_does_not_count(cast, exited):
    intake.void_record(CaseExit.objects.get(case=exited), user=cast["worker"], reason="Wrong case")
    held(cast, exited, "2015-07-20")


def _session_data(when: str, status: str = "held") -> dict:
    return {
        **date_input("occurred", when),
        **logged_input(when),
        "status": status,
        "summary": "Session",
        "attendees": "",
        "provider_report": "",
        "source": SOURCE,
        "late_reason": "",
    }


def test_the_session_forms_refuse_a_session_held_after_the_exit(client, cast, exited):
    summary = post(
        client,
        cast,
        reverse("reviews:session-new", args=[exited.reference]),
        _session_data("2015-07-20"),
    )
    assert AFTER_EXIT in summary
    assert not InterventionSession.objects.exists()

    services.reopen_case(case=exited, user=cast["worker"], reason="New concerns")
    session = services.plan_session(
        case=exited,
        user=cast["worker"],
        agency=cast["provider"],
        occurred_on=D(2015, 7, 20),
        logged_on=D(2015, 7, 10),
        summary="Arranged",
        source=SOURCE,
    )
    exit_(cast, exited, "2015-07-16", gate_override_reason="Not needed")
    data = _session_data("2015-07-20") | {"version": str(session.version)}
    summary = post(
        client, cast, reverse("reviews:session-outcome", args=[exited.reference, session.pk]), data
    )
    assert (
        "A session cannot be held (20 July 2015) after the case was exited (16 July 2015) "
        "unless the case is reopened first." in summary
    )
    session.refresh_from_db()
    assert session.status == InterventionSession.Status.PLANNED


# ---------------------------------------------------------------- session before commissioning


def test_a_session_before_the_provider_was_commissioned_is_refused(cast):
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    refused(
        held,
        "occurred_on",
        "A session (15 February 2015) cannot be before the intervention provider was "
        "commissioned: no commissioning is recorded.",
        cast=cast,
        case=case,
        when="2015-02-15",
    )
    commission(cast, case, "2015-02-20")
    refused(
        held,
        "occurred_on",
        "A session (15 February 2015) cannot be before the intervention provider was "
        "commissioned (20 February 2015).",
        cast=cast,
        case=case,
        when="2015-02-15",
    )
    held(cast, case, "2015-02-20")


def test_a_month_only_commissioning_refuses_only_a_session_certainly_before_it(cast):
    case = new_case(cast, received="2014-11-03")
    adopt(cast, case, "2014-12-01")
    commission(cast, case, "2015-02")
    refused(
        held,
        "occurred_on",
        "A session (January 2015) cannot be before the intervention provider was "
        "commissioned (February 2015).",
        cast=cast,
        case=case,
        when="2015-01",
    )
    held(cast, case, "2015-02-03")  # commissioned in February 2015 may be the 1st


def test_the_session_form_refuses_a_session_before_commissioning(client, cast):
    case = new_case(cast)
    adopt(cast, case, "2015-02-10")
    commission(cast, case, "2015-02-20")
    summary = post(
        client,
        cast,
        reverse("reviews:session-new", args=[case.reference]),
        _session_data("2015-02-15"),
    )
    assert (
        "A session (15 February 2015) cannot be before the intervention provider was "
        "commissioned (20 February 2015)." in summary
    )
    assert not InterventionSession.objects.exists()


# ---------------------------------------------------------------- the import keeps them

KEPT = (
    "case_ref,subject,agency,entry_type,occurred_on,logged_on,summary,source\n"
    "CR-T-7,Ellis Norbury,Police,referral,2015-01-12,,Referred,form\n"
    "CR-T-7,,Channel panel,case_adopted,2015-02-10,,Adopted,minutes\n"
    "CR-T-7,,Intervention provider,ip_assigned,2015-02-20,,Commissioned,email\n"
    "CR-T-7,,Channel panel,case_exited,2015-04-20,,Exited,minutes\n"
    "CR-T-7,,Intervention provider,session_planned,2015-06-17,2015-06-01,Arranged,diary\n"
    "CR-T-7,,Intervention provider,session_held,2015-06-17,,Held after the exit,invoice\n"
    "CR-T-7,,Intervention provider,session_held,2015-06-24,,Another after the exit,invoice\n"
)


def test_an_import_keeps_a_session_held_after_the_exit(cast):
    importer = factories.user("importer", role="admin")
    result = import_chronology(
        [("kept.csv", KEPT.encode())], user=importer, owner=importer, trusted=True
    )
    assert result.created == 7
    case = Case.objects.get(reference="CR-T-7")
    sessions = InterventionSession.objects.filter(case=case).order_by("occurred_on")
    assert [(s.occurred_on, s.status) for s in sessions] == [
        (D(2015, 6, 17), "held"),
        (D(2015, 6, 24), "held"),
    ]
    # Kept as evidence: an edit that leaves its date alone is not refused; moving it is.
    kept = sessions.first()
    intake.update_record(kept, user=cast["worker"], changes={"summary": "Typo"}, reason="Typo")
    refused(
        intake.update_record,
        "occurred_on",
        "A session cannot be held (16 June 2015) after the case was exited (20 April 2015) "
        "unless the case is reopened first.",
        record=kept,
        user=cast["worker"],
        changes={"occurred_on": D(2015, 6, 16)},
        reason="Typo",
    )
